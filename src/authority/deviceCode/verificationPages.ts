import type { FastifyReply, FastifyRequest } from 'fastify';
import { formFields } from '../authorize/parameters.js';
import type { AuthorityServices } from '../context.js';
import { aadsts } from '../errors.js';
import { browserOf, knownBrowser } from '../interaction/browser.js';
import type { Browser } from '../interaction/browser.js';
import type { PageContext } from '../interaction/pageContext.js';
import { pageContext, show } from '../interaction/pageContext.js';
import { activeSession, signedInFrom } from '../interaction/sso.js';
import { showStage } from '../interaction/stagePages.js';
import { deviceCodePage } from '../pages/deviceCodePage.js';
import type { PageError } from '../pages/components.js';
import { CODE_TRY_WINDOW_SECONDS, CodeEntryThrottle } from './codeEntryThrottle.js';

/** The code-entry form's CSRF purpose: it acts on no pending sign-in yet. */
const ENTER_CODE = 'devicelogin';

async function showEnterCode(ctx: PageContext, browser: Browser, code = '', error?: PageError, status = 200) {
  const csrf = await ctx.services.signIns.csrf.token(browser, ENTER_CODE);
  return show(ctx, (nonce) => deviceCodePage({ csrf, code, ...(error && { error }) }, nonce), { status });
}

/** `GET /devicelogin`: the verification URI of RFC 8628 §3.3. */
export function enterCodePage(services: AuthorityServices) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(services, request, reply);
    return showEnterCode(ctx, browserOf(request, reply));
  };
}

/**
 * `POST /devicelogin`: the typed code finds its device code (and tenant), then the person signs
 * in — or, with a live session, goes straight to the confirmation question. Wrong codes are
 * limited per browser and per IP (codeEntryThrottle.ts); past the limit the page says so with
 * 429 and looks nothing up.
 */
export function submitCode(services: AuthorityServices) {
  const throttle = new CodeEntryThrottle();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(services, request, reply);
    const fields = formFields(request);
    const browser = knownBrowser(request);
    if (!browser || !(await services.signIns.csrf.verify(browser, ENTER_CODE, fields.get('csrf')))) {
      throw aadsts.signInFormForged();
    }
    const typed = (fields.get('otc') ?? '').slice(0, 32);
    if (!throttle.take(browser.hash, request.ip, ctx.now)) {
      const error = {
        message: `Too many codes that didn’t work were entered. Wait a minute (up to ${CODE_TRY_WINDOW_SECONDS} seconds), then try again.`,
      };
      return showEnterCode(ctx, browser, typed, error, 429);
    }
    const found = await services.signIns.deviceCodes.findPendingByUserCode(typed, ctx.now);
    if (found) throttle.giveBack(browser.hash, request.ip);
    else {
      return showEnterCode(ctx, browser, typed, {
        message: 'That code didn’t work. Check the code and try again.',
        code: aadsts.badVerificationCode().code,
      });
    }
    const application = await services.directory.applications.findByAppId(found.clientId);
    const session = await activeSession(ctx, browser.cookies, found.tenantId, null);
    const signedIn = session ? signedInFrom(session.session) : null;
    const { id, pending } = await services.signIns.pending.create({
      browserHash: browser.hash,
      request: {
        kind: 'device',
        device: {
          deviceCodeHash: found.hash,
          clientId: found.clientId,
          clientName: application?.displayName ?? found.clientId,
          tenantId: found.tenantId,
          tenantSegment: found.tenantSegment,
          scope: found.scope,
          expiresAt: found.expiresAt,
        },
      },
      stage: signedIn ? 'confirm' : 'credentials',
      signedIn,
      now: ctx.now,
    });
    return showStage(ctx, browser, id, pending);
  };
}
