import type { FastifyReply, FastifyRequest } from 'fastify';
import { completeAuthorization } from '../authorize/completeAuthorization.js';
import { errorFields, respondToClient } from '../authorize/authorizationResponse.js';
import { formFields } from '../authorize/parameters.js';
import type { AuthorityServices } from '../context.js';
import { answerDevice } from '../deviceCode/answerDevice.js';
import { aadsts } from '../errors.js';
import { knownBrowser } from './browser.js';
import type { Browser } from './browser.js';
import type { PageContext } from './pageContext.js';
import { pageContext } from './pageContext.js';
import { passwordStep } from './passwordStep.js';
import type { PendingSignIn } from './pendingSignIns.js';
import { showStage } from './stagePages.js';

/**
 * `POST /{tenant}/login`: every step of a pending sign-in posts here with its id (`flow`), its
 * CSRF token and an `action`. Nothing is looked at before the browser proves it is the one the
 * page was served to; a forged or stale form signs nobody in.
 */
export function loginEndpoint(services: AuthorityServices) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(services, request, reply);
    const fields = formFields(request);
    const browser = knownBrowser(request);
    if (!browser) throw aadsts.signInFormForged();
    const id = fields.get('flow') ?? '';
    const pending = await services.signIns.pending.find(id);
    if (!pending || pending.completedAt !== null || pending.expiresAt <= ctx.now) {
      throw aadsts.signInFlowExpired();
    }
    const csrfValid = await services.signIns.csrf.verify(browser, pending.idHash, fields.get('csrf'));
    if (pending.browserHash !== browser.hash || !csrfValid) throw aadsts.signInFormForged();
    return step(ctx, browser, id, pending, fields);
  };
}

async function step(
  ctx: PageContext,
  browser: Browser,
  id: string,
  pending: PendingSignIn,
  fields: ReadonlyMap<string, string>,
): Promise<FastifyReply> {
  const action = fields.get('action');
  const { request, signedIn } = pending;
  if (pending.stage === 'credentials' && action === 'password') {
    return passwordStep(ctx, browser, id, pending, fields);
  }
  if (pending.stage === 'account' && action === 'other') {
    await ctx.services.signIns.pending.advance(pending, 'credentials', null);
    return showStage(ctx, browser, id, { ...pending, stage: 'credentials', signedIn: null });
  }
  if (
    signedIn &&
    request.kind === 'authorize' &&
    (pending.stage === 'account' || pending.stage === 'consent')
  ) {
    const authz = request.authorization;
    if (action === 'continue') return completeAuthorization(ctx, authz, signedIn, pending);
    if (action === 'cancel' && (await ctx.services.signIns.pending.complete(pending, ctx.now))) {
      const target = { redirectUri: authz.redirectUri, responseMode: authz.responseMode, state: authz.state };
      return respondToClient(ctx, target, errorFields(ctx, aadsts.userDeclinedConsent()), authz.clientName);
    }
  }
  if (signedIn && request.kind === 'device' && pending.stage === 'confirm') {
    if (action === 'continue' || action === 'cancel') {
      return answerDevice(ctx, pending, request.device, signedIn, action === 'continue');
    }
  }
  throw aadsts.signInFlowExpired();
}
