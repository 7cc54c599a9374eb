import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Readable } from 'node:stream';
import { BodyTooLargeError, readBody } from '../../net/bodyReader.js';
import type { PublicOrigins } from '../../server/origins.js';
import type { Tessera } from '../../tessera.js';
import { BearerAuthenticator } from '../authentication/bearer.js';
import type { Authenticator } from '../authentication/chain.js';
import { HmacAuthenticator, checkContent } from '../authentication/hmac.js';
import { authorize } from '../authorization.js';
import { ConfigurationData } from '../configurationData.js';
import { AppConfigError, appConfigErrors, serializeAppConfigError } from '../errors.js';
import { DataPlaneStores } from '../stores.js';
import { resolveApiVersion } from './apiVersions.js';
import { parseLargeBody } from './jsonBody.js';
import type { ApiVersion } from './apiVersions.js';
import { preflightHeaders } from './cors.js';
import { PATH_PREFIX } from './hostStyle.js';
import type { Operation, OperationFor } from './operation.js';
import { requestAuthentication } from './requestAuthentication.js';
import { deleteKeyValue, getKeyValue, keyValuesOperation, putKeyValue } from './routes/keyValues.js';
import { listKeys, listLabels } from './routes/keysAndLabels.js';
import { deleteLock, putLock } from './routes/locks.js';
import { listRevisions } from './routes/revisions.js';
import {
  createSnapshot,
  getOperation,
  getSnapshot,
  listSnapshots,
  updateSnapshotStatus,
} from './routes/snapshots.js';

export interface AppConfigServices {
  tessera: Tessera;
  origins: PublicOrigins;
}

/** Snapshot definitions are the largest bodies; a key-value has its own 10 KB rule (413). */
const BODY_LIMIT = 256 * 1024;

const routes: ReadonlyArray<{ method: HTTPMethods; url: string; operation: OperationFor }> = [
  { method: 'GET', url: '/kv', operation: keyValuesOperation },
  { method: 'GET', url: '/kv/*', operation: () => getKeyValue },
  { method: 'PUT', url: '/kv/*', operation: () => putKeyValue },
  { method: 'DELETE', url: '/kv/*', operation: () => deleteKeyValue },
  { method: 'PUT', url: '/locks/*', operation: () => putLock },
  { method: 'DELETE', url: '/locks/*', operation: () => deleteLock },
  { method: 'GET', url: '/keys', operation: () => listKeys },
  { method: 'GET', url: '/labels', operation: () => listLabels },
  { method: 'GET', url: '/revisions', operation: () => listRevisions },
  { method: 'GET', url: '/snapshots', operation: () => listSnapshots },
  { method: 'GET', url: '/snapshots/*', operation: () => getSnapshot },
  { method: 'PUT', url: '/snapshots/*', operation: () => createSnapshot },
  { method: 'PATCH', url: '/snapshots/*', operation: () => updateSnapshotStatus },
  { method: 'GET', url: '/operations', operation: () => getOperation },
];

// HEAD comes with every GET route (Fastify's exposeHeadRoutes).
const METHODS: HTTPMethods[] = ['GET', 'PUT', 'DELETE', 'PATCH', 'POST'];

/** Maps anything thrown to the one error type; the unexpected is logged and answered as a bare 500. */
function toAppConfigError(error: FastifyError | Error, request: FastifyRequest): AppConfigError {
  if (error instanceof AppConfigError) return error;
  const fastify = error as FastifyError;
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return appConfigErrors.bodyTooLarge(BODY_LIMIT);
  if (fastify.statusCode !== undefined && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return appConfigErrors.invalidArgument('body', 'body: The request could not be read');
  }
  request.log.error({ err: error }, 'app configuration request failed');
  return appConfigErrors.internal();
}

/**
 * App Configuration's data plane for every store: path-style under `/appconfig/{store}` and,
 * through the server's URL rewrite, host-style (`{store}.azconfig.localhost`). Each request is
 * authenticated (HMAC, then bearer), then its operation checks the api-version and the caller's
 * data actions before it runs. Every response carries the store's Sync-Token (and CORS headers
 * when a browser asks).
 */
async function dataPlane(app: FastifyInstance, opts: { services: AppConfigServices }): Promise<void> {
  const { tessera, origins } = opts.services;
  const data = new ConfigurationData(tessera.db);
  const stores = new DataPlaneStores(tessera);
  const chain: Authenticator[] = [
    new HmacAuthenticator(tessera.configurationStores.keys),
    new BearerAuthenticator(tessera.keys, origins),
  ];
  // Per-request state rides on the request (a decoration keeps its shape stable for V8).
  app.decorateRequest('appConfig', null);

  // Bodies are kept as bytes: HMAC hashes exactly what was sent, and each operation parses its own.
  // Each operation reads at most its own limit (BODY_LIMIT unless it declares less): a larger
  // Content-Length is refused unread, a chunked body cut off there.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
    const limit = prepared.get(request)?.operation.bodyLimit ?? BODY_LIMIT;
    let bytes: Buffer;
    try {
      bytes = await readBody(payload, request.headers['content-length'], limit);
    } catch (error) {
      throw error instanceof BodyTooLargeError ? appConfigErrors.bodyTooLarge(error.limit) : error;
    }
    await parseLargeBody(bytes);
    return bytes;
  });

  app.addHook('onRequest', requestAuthentication({ data, stores, chain }));

  app.setErrorHandler(function sendError(error: FastifyError, request, reply: FastifyReply) {
    const wire = serializeAppConfigError(toAppConfigError(error, request));
    reply.status(wire.status).headers(wire.headers);
    return wire.body === undefined ? reply.send() : reply.send(wire.body);
  });

  // The operation is resolved and authorized before the body is read (preParsing), so a caller
  // without the data action costs no body bytes; the handler then checks what needs the body.
  const prepared = new WeakMap<FastifyRequest, { operation: Operation; apiVersion: ApiVersion }>();
  const authorizeBeforeBody = (operationFor: OperationFor) =>
    async function authorizeOperation(request: FastifyRequest) {
      const context = request.appConfig?.context;
      if (!context) throw appConfigErrors.internal();
      const operation = operationFor(context);
      const apiVersion = resolveApiVersion(context.query.all('api-version'), request, operation.since);
      await authorize(tessera.access, context.caller, context.store, operation.actions);
      prepared.set(request, { operation, apiVersion });
    };

  async function runOperation(request: FastifyRequest, reply: FastifyReply) {
    const context = request.appConfig?.context;
    const ready = prepared.get(request);
    if (!context || !ready) throw appConfigErrors.internal();
    // The other half of HMAC: the body read must be the one whose hash was signed.
    if (context.caller.kind === 'accessKey') checkContent(context.caller, request.body as Buffer | undefined);
    const { operation, apiVersion } = ready;
    const { store, stamp, caller, query, resourcePath, storeSegment } = context;
    return operation.run({
      store,
      stamp,
      caller,
      query,
      resourcePath,
      storeSegment,
      request,
      reply,
      apiVersion,
      data,
      origins,
    });
  }

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      preParsing: authorizeBeforeBody(route.operation),
      handler: runOperation,
    });
  }
  // A known resource asked with another method: 405, as the service.
  for (const url of new Set(routes.map((r) => r.url))) {
    const taken = routes.filter((r) => r.url === url).map((r) => r.method);
    const others = METHODS.filter((m) => !taken.includes(m));
    app.route({
      method: others,
      url,
      handler: async () => {
        throw appConfigErrors.methodNotAllowed();
      },
    });
  }
  // Anything else below a store: 404 with no body.
  app.route({
    method: METHODS,
    url: '/*',
    handler: async () => {
      throw appConfigErrors.notFound();
    },
  });
  // CORS preflights need no credentials.
  app.options('/*', async (request, reply) => {
    const requested = request.headers['access-control-request-headers'];
    return reply
      .status(200)
      .headers(preflightHeaders(typeof requested === 'string' ? requested : undefined))
      .send();
  });
}

export async function appConfigPlugin(
  app: FastifyInstance,
  opts: { services: AppConfigServices },
): Promise<void> {
  await app.register(dataPlane, { prefix: `${PATH_PREFIX}/:store`, services: opts.services });
}
