import type { FastifyReply, FastifyRequest } from 'fastify';

// Echoed ids go into response headers: only plain tokens, never arbitrary client text.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The service names each request in `x-ms-request-id` and, in `x-ms-correlation-request-id`, the
 * client's own request id when it sent one (the SDKs do), else the same id again.
 */
export function setRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  const client = request.headers['x-ms-client-request-id'];
  const clientId = typeof client === 'string' && SAFE_ID.test(client) ? client : undefined;
  reply.header('x-ms-request-id', request.id).header('x-ms-correlation-request-id', clientId ?? request.id);
  if (clientId !== undefined) reply.header('x-ms-client-request-id', clientId);
}
