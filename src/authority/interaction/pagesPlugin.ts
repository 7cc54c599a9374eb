import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizeEndpoint } from '../authorize/authorizeEndpoint.js';
import { logoutEndpoint } from '../authorize/logout.js';
import type { AuthorityServices } from '../context.js';
import { enterCodePage, submitCode } from '../deviceCode/verificationPages.js';
import { aadsts, entraTimestamp } from '../errors.js';
import type { AadstsError } from '../errors.js';
import { errorPage } from '../pages/errorPage.js';
import { loginEndpoint } from './loginEndpoint.js';
import { pageContext, show } from './pageContext.js';

/**
 * The authority's browser-facing routes. Registered as their own encapsulated plugin so that
 * their errors render as an HTML page (Entra's "Sorry, but we're having trouble signing you in")
 * instead of the token endpoints' JSON. `toAadsts` is the authority's one error mapping.
 */
export async function pagesPlugin(
  app: FastifyInstance,
  opts: { services: AuthorityServices; toAadsts: (error: Error, request: FastifyRequest) => AadstsError },
): Promise<void> {
  const { services } = opts;

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = opts.toAadsts(error, request);
    const shown = mapped.status >= 500 ? aadsts.serverError() : mapped;
    const ctx = pageContext(services, request, reply);
    const timestamp = entraTimestamp(new Date(ctx.now * 1000));
    return show(
      ctx,
      (nonce) =>
        errorPage(
          { error: shown, requestId: request.id, correlationId: ctx.correlationId, timestamp },
          nonce,
        ),
      { status: shown.status },
    );
  });

  for (const [url, version] of [
    ['/:tenant/oauth2/v2.0/authorize', 2],
    ['/:tenant/oauth2/authorize', 1],
  ] as const) {
    app.route({ method: ['GET', 'POST'], url, handler: authorizeEndpoint(services, version) });
  }
  for (const url of ['/:tenant/oauth2/v2.0/logout', '/:tenant/oauth2/logout']) {
    app.route({ method: ['GET', 'POST'], url, handler: logoutEndpoint(services) });
  }
  app.post('/:tenant/login', loginEndpoint(services));
  app.get('/devicelogin', enterCodePage(services));
  app.post('/devicelogin', submitCode(services));
}
