import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublicOrigins } from '../server/origins.js';
import type { Tessera } from '../tessera.js';
import { isGuid } from '../errors.js';
import { checkApiVersion } from './arm/apiVersions.js';
import { accessChecks } from './arm/authorization.js';
import { parseJson } from './arm/body.js';
import type { ArmContext, ArmOperation, ArmReply, Caller } from './arm/context.js';
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

/** What the onRequest hook resolved and authorized; the handler only adds the parsed body. */
interface AuthorizedRequest {
  caller: Caller;
  path: string;
  query: Record<string, unknown>;
  operation: ArmOperation;
  checks: Pick<ArmContext, 'authorize' | 'permits'>;
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
  const authorized = new WeakMap<FastifyRequest, AuthorizedRequest>();
  const originOf = (request: FastifyRequest) => origins.fromHost(request.headers.host);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'text/json'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_request, text, done) => {
      if (typeof text !== 'string' || text.trim() === '') return done(null, undefined);
      try {
        done(null, parseJson(text));
      } catch (error) {
        done(
          toArmError(error) ?? armErrors.invalidRequestContent('The request body is not valid JSON.'),
          undefined,
        );
      }
    },
  );
  // Bodiless POSTs (listKeys) often carry some other content type; a body in one is refused.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, text, done) => {
    if (typeof text === 'string' && text.trim() === '') return done(null, undefined);
    done(armErrors.unsupportedMediaType(String(request.headers['content-type'] ?? '')), undefined);
  });

  // Everything that decides whether the caller may do this runs before the body is read: the token
  // (401 before anything else is revealed), the subscription, the path's operation, its api-version
  // and the RBAC check (403). A caller without the action costs a path parse and an index lookup,
  // whatever it sends after its headers.
  app.addHook('onRequest', async (request, reply) => {
    setRequestIds(request, reply);
    const path = canonicalPath(request.url);
    const [root, subscriptionId] = pathSegments(path) ?? [];
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
    const caller: Caller = { claims, principal, tenantId: principal.tenantId.toLowerCase() };
    const target = parseArmPath(path);
    if (!target) throw armErrors.notFound(path);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const rawVersion = query['api-version'];
    const operation = operationFor(target, request.method, typeof rawVersion === 'string' ? rawVersion : '');
    checkApiVersion(query, operation.api);
    const checks = accessChecks(tessera.access, caller);
    if (operation.action !== null && !operation.checksOwnAccess)
      await checks.authorize(operation.action, operation.scope);
    authorized.set(request, { caller, path, query, operation, checks });
  });

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const wire = toWireError(error, request);
    // Refused before its body arrived (401, 403, 413 on Content-Length): close rather than read the
    // rest of the body only to discard it.
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.status(wire.status).headers(wire.headers).send(serializeArmError(wire));
  });

  // Only an authorized request gets here, with its body read (bounded in size and depth) and parsed.
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const resolved = authorized.get(request);
    if (!resolved) throw armErrors.internal();
    const { caller, path, query, operation, checks } = resolved;
    const context: ArmContext = {
      tessera,
      caller,
      request: { method: request.method, path, query, body: request.body, origin: originOf(request) },
      ...checks,
    };
    const result: ArmReply = await operation.run(context);
    reply.status(result.status).headers(result.headers ?? {});
    return result.body === undefined ? reply.send() : reply.send(result.body);
  };
  for (const url of ROUTES) app.route({ method: METHODS, url, handler });
}
