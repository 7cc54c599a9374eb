import type { Operation } from './operations.js';

/** What the authentication hook learned about a request, for its handler and the error handler. */
export interface BlobRequestState {
  /** x-ms-request-id, also in error messages. */
  requestId: string;
  /** The service version the answer follows: x-ms-version, else the signature's. */
  version: string;
  account: string;
  container: string;
  /** Undefined for container operations. */
  blobName?: string;
  operation?: Operation;
  /** The request's Content-Type, taken off before Fastify's parser could refuse an unusual one. */
  contentType?: string;
  /** The body limit of the running operation: a 413 names it. */
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    blobRequest: BlobRequestState | null;
  }
}
