import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublicOrigins } from '../server/origins.js';
import type { Tessera } from '../tessera.js';
import { isGuid } from '../errors.js';
import { checkApiVersion } from './arm/apiVersions.js';
import { accessChecks } from './arm/authorization.js';
import { parseJson } from './arm/body.js';
import type { ArmContext, ArmReply, Caller } from './arm/context.js';
import type { ArmError } from './arm/errors.js';
import { armErrors, serializeArmError, toArmError } from './arm/errors.js';
import { canonicalPath, parseArmPath, pathSegments } from './arm/path.js';
import { setRequestIds } from './arm/requestIds.js';
import { ArmAuthenticator } from './authentication.js';
import { operationFor } from './resources/router.js';

export interface ManagementServices {
  tessera: Tessera;
  origins: PublicOrigins;
}

/** ARM's request size limit. */
const BODY_LIMIT = 4 * 1024 * 1024;
const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];
/** The prefixes ARM serves; the authority's `/{tenant}/…` routes are not among them. */
const ROUTES = ['/subscriptions', '/subscriptions/*', '/providers/*', '/tenants'];

function toWireError(error: FastifyError | Error, request: FastifyRequest): ArmError {
  const known = toArmError(error);
  if (known) return known;
  const fastify = error as FastifyError;
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return armErrors.requestTooLarge(BODY_LIMIT);
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return armErrors.unsupportedMediaType(String(request.headers['content-type'] ?? ''));
  }
  if (fastify.statusCode !== undefined && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return armErrors.invalidRequestContent('The request body is not valid JSON.');
  }
  request.log.error({ err: error }, 'management request failed');
  return armErrors.internal();
}

/**
 * The ARM-shaped management API: authentication (ARM's 401 challenges), api-versions, RBAC on
 * every operation (403), and the resource types in ./resources. Paths are parsed here, not by the
 * router, because ARM scopes nest `/providers/` segments to any depth.
 */
export async function managementPlugin(
  app: FastifyInstance,
  opts: { services: ManagementServices },
): Promise<void> {
  const { tessera, origins } = opts.services;
  const authenticator = new ArmAuthenticator(tessera.keys, origins);
  const callers = new WeakMap<FastifyRequest, Caller>();
  const originOf = (request: FastifyRequest) => origins.fromHost(request.headers.host);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'text/json'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_request, text, done) => {
      if (typeof text !== 'string' || text.trim() === '') return done(null, undefined);
      try {
        done(null, parseJson(text));
      } catch {
        done(armErrors.invalidRequestContent('The request body is not valid JSON.'), undefined);
      }
    },
  );
  // Bodiless POSTs (listKeys) often carry some other content type; a body in one is refused.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, text, done) => {
    if (typeof text === 'string' && text.trim() === '') return done(null, undefined);
    done(armErrors.unsupportedMediaType(String(request.headers['content-type'] ?? '')), undefined);
  });

  // Authentication runs before the body is read: an anonymous caller learns nothing else.
  app.addHook('onRequest', async (request, reply) => {
    setRequestIds(request, reply);
    const [root, subscriptionId] = pathSegments(canonicalPath(request.url)) ?? [];
    const namesSubscription = root?.toLowerCase() === 'subscriptions' && subscriptionId !== undefined;
    const subscription =
      namesSubscription && isGuid(subscriptionId)
        ? await tessera.subscriptions.find(subscriptionId)
        : undefined;
    const { claims, principal } = await authenticator.authenticate({
      authorization: request.headers.authorization,
      origin: originOf(request),
      subscriptionTenantId: subscription?.tenantId,
      defaultTenantId: async () => (await tessera.defaultTenant()).id,
    });
    if (namesSubscription && !isGuid(subscriptionId)) throw armErrors.invalidSubscriptionId(subscriptionId);
    if (namesSubscription && !subscription) throw armErrors.subscriptionNotFound(subscriptionId);
    callers.set(request, { claims, principal, tenantId: principal.tenantId.toLowerCase() });
  });

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const wire = toWireError(error, request);
    return reply.status(wire.status).headers(wire.headers).send(serializeArmError(wire));
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callers.get(request);
    if (!caller) throw armErrors.internal();
    const path = canonicalPath(request.url);
    const target = parseArmPath(path);
    if (!target) throw armErrors.notFound(path);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const rawVersion = query['api-version'];
    const operation = operationFor(target, request.method, typeof rawVersion === 'string' ? rawVersion : '');
    checkApiVersion(query, operation.api);
    const context: ArmContext = {
      tessera,
      caller,
      request: { method: request.method, path, query, body: request.body, origin: originOf(request) },
      ...accessChecks(tessera.access, caller),
    };
    if (operation.action !== null && !operation.checksOwnAccess)
      await context.authorize(operation.action, operation.scope);
    const result: ArmReply = await operation.run(context);
    reply.status(result.status).headers(result.headers ?? {});
    return result.body === undefined ? reply.send() : reply.send(result.body);
  };
  for (const url of ROUTES) app.route({ method: METHODS, url, handler });
}
