import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { BlobProperties, BlobStore } from '../blobStore.js';
import { BlobStoreError } from '../blobStore.js';
import { BlobError, blobErrors, fromStoreError, serializeBlobError } from '../errors.js';
import type { ContainerGrants } from './authenticate.js';
import { authenticateRequests } from './authenticate.js';
import type { BlobLimits } from './blobOperations.js';
import { DEFAULT_BLOB_LIMITS, handlers } from './blobOperations.js';
import { announcesBody } from './body.js';
import type { BlobRequestState } from './requestState.js';

export type { ContainerGrants } from './authenticate.js';
export type { BlobLimits } from './blobOperations.js';
export { DEFAULT_BLOB_LIMITS } from './blobOperations.js';

export interface BlobPluginOptions {
  grants: ContainerGrants;
  store: BlobStore;
  limits?: Partial<BlobLimits>;
  /** Called after a blob is committed (Put Blob, Put Block List); a throw is logged, not answered. */
  onCommitted?: (account: string, container: string, props: BlobProperties) => void;
  /** Epoch ms, for the SAS validity window. */
  now?: () => number;
}

// Every method reaches the operation resolver, which answers 405 for those the service has not.
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH', 'OPTIONS'];

function toBlobError(error: FastifyError | Error, request: FastifyRequest, state: BlobRequestState | null) {
  if (error instanceof BlobError) return error;
  if (error instanceof BlobStoreError) return fromStoreError(error, state?.bodyLimit);
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new BlobError(400, 'InvalidInput', 'One of the request inputs is not valid.');
  }
  request.log.error({ err: error }, 'blob request failed');
  return blobErrors.internal();
}

/**
 * The Blob service endpoint SAS locators point at, registered with the prefix
 * `/media/:account/blob`: `/:container` (List Blobs) and `/:container/<blob name>` (Put Blob, Put
 * Block, Put Block List, Get Blob, Get Blob Properties and Metadata, Get Block List, Set Blob
 * Properties and Metadata, Delete Blob). Requests are authenticated by their SAS in an onRequest
 * hook, before any body byte is read; bodies are then streamed by the handlers (this scope's only
 * content-type parser consumes nothing), so an upload's memory does not grow with its size.
 */
export async function blobPlugin(app: FastifyInstance, opts: BlobPluginOptions): Promise<void> {
  const limits: BlobLimits = { ...DEFAULT_BLOB_LIMITS, ...opts.limits };
  const { store, onCommitted } = opts;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  app.decorateRequest('blobRequest', null);
  app.addHook('onRequest', authenticateRequests(opts.grants, opts.now ?? Date.now));

  app.setErrorHandler(function sendError(error: FastifyError | Error, request, reply: FastifyReply) {
    const state = request.blobRequest;
    const requestId = state?.requestId ?? randomUUID();
    const wire = serializeBlobError(toBlobError(error, request, state), requestId);
    reply.status(wire.status).headers(wire.headers).header('x-ms-request-id', requestId);
    // A refused upload is not read to its end: the connection goes, and the unread bytes with it.
    if (announcesBody(request.headers) && !request.raw.readableEnded && request.raw.httpVersionMajor < 2) {
      reply.header('connection', 'close');
    }
    return request.method === 'HEAD' ? reply.send() : reply.send(wire.body);
  });

  const committed = (request: FastifyRequest, state: BlobRequestState) => (props: BlobProperties) => {
    if (!onCommitted) return;
    try {
      onCommitted(state.account, state.container, props);
    } catch (error) {
      request.log.error({ err: error }, 'onCommitted failed');
    }
  };

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const state = request.blobRequest;
    if (!state?.operation) throw blobErrors.internal();
    return handlers[state.operation.kind]({
      request,
      reply,
      state,
      store,
      limits,
      committed: committed(request, state),
    });
  }

  app.route({ method: METHODS, url: '/:container', handler: handle, exposeHeadRoute: false });
  app.route({ method: METHODS, url: '/:container/*', handler: handle, exposeHeadRoute: false });
}
