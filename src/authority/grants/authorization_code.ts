import type { Tenant } from '../../directory/model.js';
import { verifierMatches } from '../authorize/pkce.js';
import type { StoredAuthorizationCode } from '../authorize/authorizationCodes.js';
import {
  authenticateBrowserClient,
  authenticateClient,
  clientAuthParameters,
} from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import type { AadstsError } from '../errors.js';
import { spaOriginOfCode } from '../spaRedemption.js';
import { redeemSignIn } from '../tokens/userTokens.js';

export const grantTypes = ['authorization_code'];
/** A single-page application redeems its code from the browser (spaRedemption.ts). */
export const crossOriginRedemption = true;

export const parameters = new Set([
  ...clientAuthParameters,
  'code',
  'redirect_uri',
  'code_verifier',
  'scope',
  'resource',
  'client_info',
]);

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636) and RFC 9700's rules. Every check runs before the code is
 * consumed; consuming is one conditional UPDATE shared by all nodes, so a code is redeemed once.
 * A replayed code means it leaked: the refresh-token family its first redemption started is
 * revoked (RFC 6749 §4.1.2, "SHOULD revoke all tokens previously issued based on that code").
 */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  const { services } = request;
  const codeText = request.params.get('code');
  if (!codeText) throw aadsts.missingParameter('code');
  const code = await services.signIns.authorizationCodes.find(codeText);
  if (!code) throw aadsts.invalidGrant();
  const tenant = await tenantOf(request, code);
  // Where the redemption comes from decides how the client authenticates: a SPA's page as a
  // public client, anything else as the app is registered.
  const application = await services.directory.applications.findByAppId(code.clientId);
  if (!application) throw aadsts.invalidGrant();
  const spaOrigin = spaOriginOfCode(request, application, code.redirectUri, code.codeChallenge);
  const client =
    spaOrigin !== undefined
      ? await authenticateBrowserClient(request, tenant)
      : await authenticateClient(request, tenant, 'authorization_code');
  if (client.application.appId !== code.clientId) throw aadsts.invalidGrant();
  if (code.redeemedAt !== null) return refuseReplay(request, code);
  if (request.now >= code.expiresAt) throw aadsts.codeExpired();

  const redirectUri = request.params.get('redirect_uri');
  if (!redirectUri) throw aadsts.missingParameter('redirect_uri');
  if (redirectUri !== code.redirectUri) throw aadsts.replyAddressMismatch(redirectUri);
  const problem = pkceProblem(code.codeChallenge, request.params.get('code_verifier'));
  if (problem) throw problem;

  return redeemSignIn(
    request,
    {
      tenant,
      userId: code.userId,
      client,
      scope: code.scope,
      amr: code.amr,
      authTime: code.authTime,
      sessionId: code.sessionId,
      ...(code.nonce !== null && { nonce: code.nonce }),
      ...(spaOrigin !== undefined && { spaOrigin }),
    },
    async (startFamily) => {
      const redeemed = await services.signIns.authorizationCodes.redeem(code, request.now, startFamily);
      // Lost the race to a concurrent redemption: that one wins, this one is a replay.
      if (!redeemed.consumed) return refuseReplay(request, code);
      return redeemed.refreshToken;
    },
  );
}

/** Both ways of getting PKCE wrong, and the downgrade (a verifier for a code issued without one). */
function pkceProblem(challenge: string | null, verifier: string | undefined): AadstsError | undefined {
  if (challenge === null) return verifier === undefined ? undefined : aadsts.codeVerifierWithoutChallenge();
  if (verifier === undefined || !verifierMatches(verifier, challenge)) return aadsts.codeVerifierMismatch();
  return undefined;
}

async function refuseReplay(request: TokenRequest, code: StoredAuthorizationCode): Promise<never> {
  const familyId = await request.services.signIns.authorizationCodes.familyOf(code);
  if (familyId)
    await request.services.signIns.refreshTokens.revokeFamily(familyId, 'code_replayed', request.now);
  throw aadsts.codeAlreadyRedeemed();
}

/** A code is for its tenant: another tenant's endpoint refuses it, a meta-tenant takes it. */
async function tenantOf(request: TokenRequest, code: StoredAuthorizationCode): Promise<Tenant> {
  if (request.tenant.kind === 'tenant') {
    if (request.tenant.tenant.id !== code.tenantId) throw aadsts.codeForOtherTenant();
    return request.tenant.tenant;
  }
  const tenant = await request.services.directory.tenants.find(code.tenantId);
  if (!tenant) throw aadsts.invalidGrant();
  return tenant;
}
