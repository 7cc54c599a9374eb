import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { AuthorityServices } from './context.js';
import { tokenCors } from './crossOrigin.js';
import { deviceAuthorizationEndpoint } from './deviceCode/deviceAuthorizationEndpoint.js';
import {
  openIdConfigurationAdfs,
  openIdConfigurationV1,
  openIdConfigurationV2,
  instanceDiscovery,
} from './discovery.js';
import { AadstsError, aadsts, serializeAadstsError } from './errors.js';
import { TOKEN_BODY_LIMIT, readFormBody } from './formBody.js';
import { pagesPlugin } from './interaction/pagesPlugin.js';
import { jwks } from './jwks.js';
import { isAdfsSegment, resolveTenantSegment } from './tenants.js';
import { tokenEndpoint } from './tokenEndpoint.js';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

/**
 * Discovery documents and keys are public: a single-page application on any origin reads them
 * (MSAL.js fetches them before it signs anyone in), as it does from Entra.
 */
const PUBLIC_DOCUMENTS = new Set([
  '/:tenant/v2.0/.well-known/openid-configuration',
  '/:tenant/.well-known/openid-configuration',
  '/:tenant/discovery/v2.0/keys',
  '/:tenant/discovery/keys',
  '/:tenant/discovery/instance',
]);
const TOKEN_ROUTES = new Set(['/:tenant/oauth2/v2.0/token', '/:tenant/oauth2/token']);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** MSAL sends `client-request-id` as a header or query parameter; Entra echoes it as the correlation id. */
function correlationId(request: FastifyRequest): string {
  const header = request.headers['client-request-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.['client-request-id'];
  const candidate = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  return candidate && GUID.test(candidate) ? candidate.toLowerCase() : randomUUID();
}

/** Maps anything thrown inside the authority to its wire error; internals never reach the body. */
export function toAadstsError(error: FastifyError | Error, request: FastifyRequest): AadstsError {
  if (error instanceof AadstsError) return error;
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return aadsts.bodyTooLarge(TOKEN_BODY_LIMIT);
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return aadsts.malformedBody();
  request.log.error({ err: error }, 'authority request failed');
  return aadsts.serverError();
}

export async function authorityPlugin(
  app: FastifyInstance,
  opts: { services: AuthorityServices },
): Promise<void> {
  const { services } = opts;
  const originOf = (request: FastifyRequest) => services.origins.fromHost(request.headers.host);

  // The token endpoints parse their own bodies (strict form decoding, Entra's errors).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: Readable) =>
    readFormBody(request, payload, TOKEN_BODY_LIMIT),
  );

  app.addHook('onRequest', async (request, reply) => {
    const correlation = correlationId(request);
    (request as FastifyRequest & { correlationId?: string }).correlationId = correlation;
    reply.header('client-request-id', correlation).header('x-ms-request-id', request.id);
    const route = request.routeOptions.url ?? '';
    if (PUBLIC_DOCUMENTS.has(route)) reply.header('access-control-allow-origin', '*');
    // Before the body is read, so a malformed body's refusal is readable by the page too.
    if (request.method === 'POST' && TOKEN_ROUTES.has(route)) tokenCors(request, reply, services.origins);
  });

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const err = toAadstsError(error, request);
    const correlation =
      (request as FastifyRequest & { correlationId?: string }).correlationId ?? randomUUID();
    return reply
      .status(err.status)
      .header('cache-control', 'no-store')
      .send(serializeAadstsError(err, { traceId: request.id, correlationId: correlation, now: new Date() }));
  });

  app.get('/:tenant/v2.0/.well-known/openid-configuration', async (request: TenantRequest) =>
    openIdConfigurationV2(
      originOf(request),
      await resolveTenantSegment(services.directory, request.params.tenant),
    ),
  );
  app.get('/:tenant/.well-known/openid-configuration', async (request: TenantRequest) => {
    const tenant = await resolveTenantSegment(services.directory, request.params.tenant);
    // An ADFS-form authority (az, MSAL Python) asks here, without `/v2.0`, then speaks v2.
    return isAdfsSegment(tenant)
      ? openIdConfigurationAdfs(originOf(request), tenant.tenant)
      : openIdConfigurationV1(originOf(request), tenant);
  });

  const keysRoute = (version: 1 | 2) => async (request: TenantRequest) => {
    const tenant = await resolveTenantSegment(services.directory, request.params.tenant);
    return jwks(await services.keys.published(), originOf(request), tenant, version);
  };
  app.get('/:tenant/discovery/v2.0/keys', keysRoute(2));
  app.get('/:tenant/discovery/keys', keysRoute(1));

  app.get(
    '/:tenant/discovery/instance',
    async (request: FastifyRequest<{ Querystring: { authorization_endpoint?: unknown } }>) => {
      const origin = originOf(request);
      const asked = request.query.authorization_endpoint;
      if (typeof asked !== 'string' || asked === '') return instanceDiscovery(origin);
      // Entra knows only its own instances: an authorization endpoint elsewhere is 50049.
      const url = URL.canParse(asked) ? new URL(asked) : undefined;
      if (!url || !services.origins.isOwn(url)) throw aadsts.unknownInstance();
      // The parser leaves the path percent-encoded, so the segment is safe to put in a URL.
      const tenant = url.pathname.split('/')[1];
      return instanceDiscovery(origin, tenant || undefined);
    },
  );

  const postOnly = async (request: FastifyRequest) => {
    throw aadsts.postOnly(request.method);
  };
  for (const url of ['/:tenant/oauth2/v2.0/token', '/:tenant/oauth2/token']) {
    app.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH'], url, handler: postOnly });
  }
  app.post('/:tenant/oauth2/v2.0/token', tokenEndpoint(services, 2));
  app.post('/:tenant/oauth2/token', tokenEndpoint(services, 1));

  for (const url of ['/:tenant/oauth2/v2.0/devicecode', '/:tenant/oauth2/devicecode']) {
    app.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH'], url, handler: postOnly });
  }
  app.post('/:tenant/oauth2/v2.0/devicecode', deviceAuthorizationEndpoint(services, 2));
  app.post('/:tenant/oauth2/devicecode', deviceAuthorizationEndpoint(services, 1));

  // Sign-in pages, device verification, logout: HTML, with their own error page.
  await app.register(pagesPlugin, { services, toAadsts: toAadstsError });
}
