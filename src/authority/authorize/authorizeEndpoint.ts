import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorityServices } from '../context.js';
import { AadstsError, aadsts } from '../errors.js';
import { browserOf } from '../interaction/browser.js';
import type { PageContext } from '../interaction/pageContext.js';
import { pageContext } from '../interaction/pageContext.js';
import type { PendingStage } from '../interaction/pendingSignIns.js';
import { activeSession, signedInFrom } from '../interaction/sso.js';
import { showStage } from '../interaction/stagePages.js';
import type { TokenVersion } from '../issuers.js';
import { resolveTenantSegment } from '../tenants.js';
import { errorFields, respondToClient } from './authorizationResponse.js';
import { completeAuthorization } from './completeAuthorization.js';
import { authorizeParameters } from './parameters.js';
import { trustClient, validateAuthorizationRequest } from './validateRequest.js';
import type { AuthorizationRequest } from './authorizationRequest.js';

/**
 * `GET|POST /{tenant}/oauth2[/v2.0]/authorize` (RFC 6749 §4.1.1). The client and its redirect URI
 * are checked first and their errors shown on a page; every later error goes back to the client.
 */
export function authorizeEndpoint(services: AuthorityServices, endpoint: TokenVersion) {
  return async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const ctx = pageContext(services, request, reply);
    const tenant = await resolveTenantSegment(services.directory, request.params.tenant);
    const params = authorizeParameters(request);
    const client = await trustClient(services, tenant, params);
    let authz: AuthorizationRequest;
    try {
      authz = await validateAuthorizationRequest(services, tenant, params, endpoint, client);
    } catch (error) {
      if (!(error instanceof AadstsError) || error.status >= 500) throw error;
      return respondToClient(ctx, client.target, errorFields(ctx, error), client.application.displayName);
    }
    return beginSignIn(ctx, authz);
  };
}

/**
 * Decides what the person sees: nothing (a live session answers at once), an account picker
 * (prompt=select_account), the consent page (prompt=consent), or the sign-in form (no session,
 * or prompt=login). prompt=none never shows a page: without a session it is login_required.
 */
async function beginSignIn(ctx: PageContext, authz: AuthorizationRequest): Promise<FastifyReply> {
  const browser = browserOf(ctx.request, ctx.reply);
  const session =
    authz.prompt === 'login'
      ? undefined
      : await activeSession(ctx, browser.cookies, authz.tenantId, authz.loginHint);
  if (authz.prompt === 'none' && !session) {
    const target = { redirectUri: authz.redirectUri, responseMode: authz.responseMode, state: authz.state };
    return respondToClient(ctx, target, errorFields(ctx, aadsts.loginRequired()), authz.clientName);
  }
  const signedIn = session && signedInFrom(session.session);
  const stage: PendingStage | undefined = !signedIn
    ? 'credentials'
    : authz.prompt === 'select_account'
      ? 'account'
      : authz.prompt === 'consent'
        ? 'consent'
        : undefined;
  if (signedIn && stage === undefined) return completeAuthorization(ctx, authz, signedIn);
  const { id, pending } = await ctx.services.signIns.pending.create({
    browserHash: browser.hash,
    request: { kind: 'authorize', authorization: authz },
    stage: stage ?? 'credentials',
    signedIn: signedIn ?? null,
    now: ctx.now,
  });
  return showStage(ctx, browser, id, pending);
}
