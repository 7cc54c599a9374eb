import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { authorizeEndpoint } from '../authorize/authorizeEndpoint.js';
import { logoutEndpoint } from '../authorize/logout.js';
import type { AuthorityServices } from '../context.js';
import { enterCodePage, submitCode } from '../deviceCode/verificationPages.js';
import { aadsts, entraTimestamp } from '../errors.js';
import { readFormBody } from '../formBody.js';
import type { AadstsError } from '../errors.js';
import { errorPage } from '../pages/errorPage.js';
import { loginEndpoint } from './loginEndpoint.js';
import { pageContext, show } from './pageContext.js';

/**
 * An authorization or logout request posted as a form may be as long as its GET form can be:
 * Node's 16 KiB limit on the request line and headers.
 */
const REQUEST_FORM_LIMIT = 16 * 1024;

/**
 * Tessera's own page forms: a few ids, a CSRF token, a user name and a password of at most 256
 * characters, each percent-encoded; 8 KiB holds them several times over.
 */
const PAGE_FORM_LIMIT = 8 * 1024;

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

  // Forms are read up to the limit their route declares (`bodyLimit`), refused beyond in a page.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: Readable) =>
    readFormBody(request, payload, request.routeOptions.bodyLimit),
  );

  for (const [url, version] of [
    ['/:tenant/oauth2/v2.0/authorize', 2],
    ['/:tenant/oauth2/authorize', 1],
  ] as const) {
    app.route({
      method: ['GET', 'POST'],
      url,
      bodyLimit: REQUEST_FORM_LIMIT,
      handler: authorizeEndpoint(services, version),
    });
  }
  for (const url of ['/:tenant/oauth2/v2.0/logout', '/:tenant/oauth2/logout']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      bodyLimit: REQUEST_FORM_LIMIT,
      handler: logoutEndpoint(services),
    });
  }
  app.post('/:tenant/login', { bodyLimit: PAGE_FORM_LIMIT }, loginEndpoint(services));
  app.get('/devicelogin', enterCodePage(services));
  app.post('/devicelogin', { bodyLimit: PAGE_FORM_LIMIT }, submitCode(services));
}
