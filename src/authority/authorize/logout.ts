import { decodeJwt } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorityServices } from '../context.js';
import { aadsts } from '../errors.js';
import { clearCookie, parseCookies, sessionCookieName, sessionCookies } from '../interaction/cookies.js';
import { pageContext, show } from '../interaction/pageContext.js';
import { messagePage } from '../pages/messagePage.js';
import { sendRedirect } from '../pages/respond.js';
import { resolveTenantSegment } from '../tenants.js';
import { authorizeParameters } from './parameters.js';
import { isRegisteredRedirectUri } from './redirectUri.js';

/** The app a logout request names: `client_id`, or the audience of its `id_token_hint`. */
function clientIdOf(params: ReadonlyMap<string, string>): string | undefined {
  const clientId = params.get('client_id');
  if (clientId) return clientId;
  const hint = params.get('id_token_hint');
  if (!hint) return undefined;
  try {
    // Only chooses whose registered URIs the redirect must match, so an unverified hint can at
    // worst pick another app's registered URI, never an arbitrary one.
    const aud = decodeJwt(hint).aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET|POST /{tenant}/oauth2[/v2.0]/logout` (OpenID Connect RP-Initiated Logout): ends the
 * browser's session with the tenant (every tenant on /common and /organizations), revokes the
 * refresh tokens those sessions issued, clears the cookies, then returns to the app's
 * post_logout_redirect_uri — only if the app registered it — or shows "signed out".
 */
export function logoutEndpoint(services: AuthorityServices) {
  return async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const ctx = pageContext(services, request, reply);
    const tenant = await resolveTenantSegment(services.directory, request.params.tenant);
    const params = authorizeParameters(request);
    const cookies = parseCookies(request.headers.cookie);
    const ended = sessionCookies(cookies).filter(
      (cookie) => tenant.kind === 'meta' || cookie.tenantId === tenant.tenant.id,
    );
    for (const cookie of ended) {
      const session = await services.signIns.sessions.find(cookie.token, cookie.tenantId, ctx.now);
      if (session) await services.signIns.sessions.end(session.id, ctx.now);
      reply.header('set-cookie', clearCookie(sessionCookieName(cookie.tenantId)));
    }

    const redirect = params.get('post_logout_redirect_uri');
    if (redirect) {
      const clientId = clientIdOf(params);
      const application = clientId ? await services.directory.applications.findByAppId(clientId) : undefined;
      if (!application) throw aadsts.missingParameter('client_id');
      if (!isRegisteredRedirectUri(application, redirect, (url) => services.origins.isOwn(url))) {
        throw aadsts.redirectUriMismatch(redirect, application.appId);
      }
      const url = new URL(redirect);
      const state = params.get('state');
      if (state) url.searchParams.append('state', state);
      return sendRedirect(reply, url.href);
    }
    return show(ctx, (nonce) =>
      messagePage(
        {
          title: 'Signed out',
          heading: 'You signed out of your account',
          text: 'It’s a good idea to close all browser windows.',
          kind: 'ok',
        },
        nonce,
      ),
    );
  };
}
