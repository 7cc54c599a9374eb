import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { BodyTooLargeError, readBody } from '../net/bodyReader.js';
import type { PublicOrigins } from '../server/origins.js';
import type { Tessera } from '../tessera.js';
import { isGuid } from '../errors.js';
import { checkApiVersion } from './arm/apiVersions.js';
import { accessChecks, authorizeWithAttributes, preAuthorize } from './arm/authorization.js';
import { armJsonBody, isBlank } from './arm/body.js';
import type { ArmContext, ArmOperation, ArmReply, Caller } from './arm/context.js';
import type { ArmError } from './arm/errors.js';
import { armErrors, serializeArmError, toArmError } from './arm/errors.js';
import { armTargetOf, canonicalPath, pathSegments } from './arm/path.js';
import { JSON_CONTENT_TYPE, JsonText } from './arm/jsonText.js';
import { setRequestIds } from './arm/requestIds.js';
import { RequestSlot } from './arm/requestSlot.js';
import { ArmAuthenticator } from './authentication.js';
import { operationFor } from './resources/router.js';
import type { Subscription } from './subscriptions.js';

export interface ManagementServices {
  tessera: Tessera;
  origins: PublicOrigins;
}

/** What the onRequest hook resolved and authorized; the handler only adds the parsed body. */
interface AuthorizedRequest {
  caller: Caller;
  path: string;
  query: Record<string, unknown>;
  origin: string;
  operation: ArmOperation;
  checks: Pick<ArmContext, 'authorize' | 'permits'>;
  subscription: Subscription | undefined;
  /** Granted only if conditions on the body's attributes hold: checked again before `run`. */
  pending: boolean;
}

/** The subscription id a path names (`/subscriptions/{id}/…`), as sent; undefined when it names none. */
function subscriptionIdOf(segments: readonly string[] | undefined): string | undefined {
  if (!segments || segments.length < 2 || segments[0]?.toLowerCase() !== 'subscriptions') return undefined;
  return segments[1];
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
  const authorized = new RequestSlot<AuthorizedRequest>('arm.authorized');
  const originOf = (request: FastifyRequest) => origins.fromHost(request.headers.host);
  // Only a refused request asks (its challenge names a tenant): made once, not per request.
  const defaultTenantId = async () => (await tessera.defaultTenant()).id;

  app.removeAllContentTypeParsers();
  // Each operation reads at most its own limit (ARM's 4 MiB unless it declares less): a larger
  // Content-Length is refused unread, a chunked body cut off there.
  const readArmBody = async (request: FastifyRequest, payload: Readable) => {
    const limit = authorized.get(request)?.operation.bodyLimit ?? BODY_LIMIT;
    try {
      return await readBody(payload, request.headers['content-length'], limit);
    } catch (error) {
      throw error instanceof BodyTooLargeError ? armErrors.requestTooLarge(error.limit) : error;
    }
  };
  app.addContentTypeParser(
    ['application/json', 'text/json'],
    async (request: FastifyRequest, payload: Readable) => armJsonBody(await readArmBody(request, payload)),
  );
  // Bodiless POSTs (listKeys) often carry some other content type; a body in one is refused.
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
    if (isBlank(await readArmBody(request, payload))) return undefined;
    throw armErrors.unsupportedMediaType(String(request.headers['content-type'] ?? ''));
  });

  // Everything that decides whether the caller may do this runs before the body is read: the token
  // (401 before anything else is revealed), the subscription, the path's operation, its api-version
  // and the RBAC check (403). A caller without the action costs a path parse and an index lookup,
  // whatever it sends after its headers.
  app.addHook('onRequest', async (request, reply) => {
    setRequestIds(request, reply);
    const path = canonicalPath(request.url);
    const segments = pathSegments(path);
    const subscriptionId = subscriptionIdOf(segments);
    const wellFormed = subscriptionId !== undefined && isGuid(subscriptionId);
    const subscription = wellFormed ? await tessera.subscriptions.find(subscriptionId) : undefined;
    const origin = originOf(request);
    const { claims, principal } = await authenticator.authenticate({
      authorization: request.headers.authorization,
      origin,
      subscriptionTenantId: subscription?.tenantId,
      defaultTenantId,
    });
    if (subscriptionId !== undefined && !wellFormed) throw armErrors.invalidSubscriptionId(subscriptionId);
    if (subscriptionId !== undefined && !subscription) throw armErrors.subscriptionNotFound(subscriptionId);
    const caller: Caller = { claims, principal, tenantId: principal.tenantId.toLowerCase() };
    const target = segments && armTargetOf(segments);
    if (!target) throw armErrors.notFound(path);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const rawVersion = query['api-version'];
    const operation = operationFor(target, request.method, typeof rawVersion === 'string' ? rawVersion : '');
    checkApiVersion(query, operation.api);
    const checks = accessChecks(tessera.access, caller);
    const pending = await preAuthorize(tessera.access, caller, operation);
    authorized.set(request, { caller, path, query, origin, operation, checks, subscription, pending });
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
    const { caller, path, query, origin, operation, checks, subscription, pending } = resolved;
    const context: ArmContext = {
      tessera,
      caller,
      request: { method: request.method, path, query, body: request.body, origin },
      subscription,
      ...checks,
    };
    if (pending) await authorizeWithAttributes(tessera.access, context, operation);
    const result: ArmReply = await operation.run(context);
    reply.status(result.status);
    if (result.headers) reply.headers(result.headers);
    if (result.body === undefined) return reply.send();
    if (result.body instanceof JsonText) return reply.type(JSON_CONTENT_TYPE).send(result.body.text);
    return reply.send(result.body);
  };
  for (const url of ROUTES) app.route({ method: METHODS, url, handler });
}
