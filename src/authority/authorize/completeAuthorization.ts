import type { FastifyReply } from 'fastify';
import { findClient } from '../clientAuthentication.js';
import { AadstsError, aadsts } from '../errors.js';
import type { PageContext } from '../interaction/pageContext.js';
import type { PendingSignIn, SignedIn } from '../interaction/pendingSignIns.js';
import { grantUserScopes, parseUserScopes } from '../userScopes.js';
import { errorFields, respondToClient } from './authorizationResponse.js';
import type { AuthorizationRequest } from './authorizationRequest.js';

const clientInfo = (userId: string, tenantId: string): string =>
  Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');

/**
 * The end of an authorization request: the person is known (password or SSO), so issue the code
 * and send it to the client. `pending` is completed first — once — so a form posted twice
 * cannot mint two codes. An SSO sign-in is logged here; a password one was logged as typed.
 */
export async function completeAuthorization(
  ctx: PageContext,
  authz: AuthorizationRequest,
  signedIn: SignedIn,
  pending?: PendingSignIn,
): Promise<FastifyReply> {
  if (pending && !(await ctx.services.signIns.pending.complete(pending, ctx.now))) {
    throw aadsts.signInFlowExpired();
  }
  const target = { redirectUri: authz.redirectUri, responseMode: authz.responseMode, state: authz.state };
  let fields: Record<string, string>;
  try {
    fields = await issueCode(ctx, authz, signedIn);
  } catch (error) {
    if (!(error instanceof AadstsError) || error.status >= 500) throw error;
    fields = errorFields(ctx, error);
  }
  return respondToClient(ctx, target, fields, authz.clientName);
}

async function issueCode(
  ctx: PageContext,
  authz: AuthorizationRequest,
  signedIn: SignedIn,
): Promise<Record<string, string>> {
  const { directory, signIns } = ctx.services;
  const [tenant, user] = await Promise.all([
    directory.tenants.find(signedIn.tenantId),
    directory.users.findById(signedIn.tenantId, signedIn.userId),
  ]);
  if (!tenant || !user) throw aadsts.loginRequired();
  // On /organizations the person's tenant is known only now: the app must be usable there, and
  // the resource and permissions are checked for the first time.
  const { application } = await findClient(ctx.services, tenant, authz.clientId);
  const granted = await grantUserScopes(ctx.services, tenant, application, parseUserScopes(authz.scope));
  if (signedIn.via === 'session') {
    await signIns.log.record({
      tenantId: tenant.id,
      userId: user.objectId,
      userPrincipalName: user.userPrincipalName,
      userDisplayName: user.displayName,
      app: { appId: application.appId, displayName: application.displayName },
      resource: {
        appId: granted.resource.application.appId,
        displayName: granted.resource.application.displayName,
      },
      ipAddress: ctx.request.ip,
      correlationId: ctx.correlationId,
      flow: 'authorization_code',
      interactive: true,
      errorCode: 0,
      failureReason: null,
    });
  }
  const code = await signIns.authorizationCodes.issue({
    tenantId: tenant.id,
    clientId: application.appId,
    redirectUri: authz.redirectUri,
    codeChallenge: authz.codeChallenge,
    scope: authz.scope,
    nonce: authz.nonce,
    userId: user.objectId,
    sessionId: signedIn.sessionId,
    authTime: signedIn.authTime,
    amr: signedIn.amr,
    now: ctx.now,
  });
  return { code, ...(authz.clientInfo && { client_info: clientInfo(user.objectId, tenant.id) }) };
}
