import type { Application } from '../../directory/model.js';
import { findClient } from '../clientAuthentication.js';
import type { AuthorityServices, TenantSegment } from '../context.js';
import { aadsts } from '../errors.js';
import type { TokenVersion } from '../issuers.js';
import { grantUserScopes, requestedUserScopes } from '../userScopes.js';
import { isS256Challenge } from './pkce.js';
import { isRegisteredRedirectUri, redirectPlatform } from './redirectUri.js';

import type { AuthorizationRequest, Prompt, ResponseTarget } from './authorizationRequest.js';

const PROMPTS: readonly Prompt[] = ['login', 'none', 'select_account', 'consent'];
/** Free-text parameters are echoed or stored: bounded so a request cannot bloat the store. */
const MAX_TEXT = 2048;

/** The client and its redirect URI: what must hold before anything may be sent to that URI. */
export interface TrustedClient {
  application: Application;
  target: ResponseTarget;
  /** Set when the response_mode itself is not acceptable: answered through `target` (query). */
  responseModeError?: string;
}

const text = (params: ReadonlyMap<string, string>, name: string): string | null => {
  const value = params.get(name);
  if (value === undefined || value === '') return null;
  if (value.length > MAX_TEXT)
    throw aadsts.invalidParameter(name, `It is longer than ${MAX_TEXT} characters.`);
  return value;
};

/**
 * Step one (RFC 6749 §4.1.2.1): the client and the redirect URI. Until both check out nothing is
 * sent to the redirect URI — errors here are shown on a page, or the endpoint would be an open
 * redirector.
 */
export async function trustClient(
  services: AuthorityServices,
  tenant: TenantSegment,
  params: ReadonlyMap<string, string>,
): Promise<TrustedClient> {
  const clientId = params.get('client_id');
  if (!clientId) throw aadsts.missingParameter('client_id');
  const application =
    tenant.kind === 'tenant'
      ? (await findClient(services, tenant.tenant, clientId)).application
      : await services.directory.applications.findByAppId(clientId);
  if (!application) throw aadsts.applicationNotFound(clientId, tenant.segment);
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) throw aadsts.missingParameter('redirect_uri');
  if (!isRegisteredRedirectUri(application, redirectUri, (url) => services.origins.isOwn(url))) {
    throw aadsts.redirectUriMismatch(redirectUri, application.appId);
  }
  const state = text(params, 'state');
  const mode = params.get('response_mode') ?? 'query';
  // fragment is what MSAL.js asks for: a SPA reads the code from the address and clears it.
  if (mode === 'query' || mode === 'fragment' || mode === 'form_post') {
    return { application, target: { redirectUri, responseMode: mode, state } };
  }
  return { application, target: { redirectUri, responseMode: 'query', state }, responseModeError: mode };
}

/**
 * Step two: everything else. Errors from here on are the client's to handle and go back to the
 * redirect URI, as Entra sends them.
 */
export async function validateAuthorizationRequest(
  services: AuthorityServices,
  tenant: TenantSegment,
  params: ReadonlyMap<string, string>,
  endpoint: TokenVersion,
  client: TrustedClient,
): Promise<AuthorizationRequest> {
  const { application, target } = client;
  const responseType = params.get('response_type');
  if (!responseType) throw aadsts.missingParameter('response_type');
  if (responseType !== 'code') throw aadsts.unsupportedResponseType(responseType);
  if (client.responseModeError !== undefined) throw aadsts.unsupportedResponseMode(client.responseModeError);

  const { requested, scope } = requestedUserScopes({ endpoint, params });
  // On /organizations a domain_hint naming one of our tenants picks it (home realm discovery);
  // otherwise the person's tenant is known only from the username they type.
  const domainHint = text(params, 'domain_hint');
  const known =
    tenant.kind === 'tenant'
      ? tenant.tenant
      : domainHint
        ? await services.directory.tenants.find(domainHint)
        : undefined;
  // With a known tenant the resource and permissions are checked now, as Entra does; otherwise
  // once the person has signed in.
  if (known) await grantUserScopes(services, known, application, requested);

  const prompt = params.get('prompt');
  if (prompt !== undefined && !PROMPTS.some((p) => p === prompt)) {
    throw aadsts.invalidParameter('prompt', `Supported values are ${PROMPTS.join(', ')}.`);
  }

  return {
    endpoint,
    tenantSegment: tenant.segment,
    tenantId: known?.id ?? null,
    clientId: application.appId,
    clientName: application.displayName,
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    state: target.state,
    scope,
    nonce: text(params, 'nonce'),
    prompt: (prompt as Prompt | undefined) ?? null,
    loginHint: text(params, 'login_hint'),
    domainHint,
    codeChallenge: codeChallengeOf(params, application, target.redirectUri),
    clientInfo: params.get('client_info') === '1',
  };
}

/**
 * RFC 7636 with RFC 9700 §2.1.1's rules: S256 only (`plain` would put the verifier in the
 * browser's history), and required of public clients, which have no secret to bind the code, and
 * of a redirect URI only a single-page application registered (its page redeems the code).
 */
function codeChallengeOf(
  params: ReadonlyMap<string, string>,
  application: Application,
  redirectUri: string,
): string | null {
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method') || undefined;
  if (challenge === undefined || challenge === '') {
    if (method !== undefined) {
      throw aadsts.invalidParameter('code_challenge', "'code_challenge_method' was sent without it.");
    }
    if (application.isFallbackPublicClient || redirectPlatform(application, redirectUri) === 'spa')
      throw aadsts.pkceRequired();
    return null;
  }
  // RFC 7636 §4.3: no method means plain.
  if (method !== 'S256') {
    throw aadsts.invalidParameter(
      'code_challenge_method',
      "Only 'S256' is supported: 'plain' (or no method) would send the verifier itself.",
    );
  }
  if (!isS256Challenge(challenge)) throw aadsts.invalidCodeChallenge();
  return challenge;
}
