import type { FastifyReply, FastifyRequest } from 'fastify';

/** Longer client request ids are not echoed (the service's limit). */
const MAX_CLIENT_REQUEST_ID = 2096;

/** The service's request id headers, on every answer. */
export function setRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('request-id', request.id);
  reply.header('x-ms-request-id', request.id);
  const client = request.headers['client-request-id'];
  if (typeof client === 'string' && client.length <= MAX_CLIENT_REQUEST_ID)
    reply.header('client-request-id', client);
}
