import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomRequestId } from '../../server/requestIds.js';

// Echoed ids go into response headers: only plain tokens, never arbitrary client text.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' && SAFE_ID.test(value) ? value : undefined;
};

/**
 * ARM's tracing headers: `x-ms-request-id` names this request; `x-ms-correlation-request-id`
 * ties the calls of one client operation together (the client's own id when it sent one).
 */
export function setRequestIds(request: FastifyRequest, reply: FastifyReply): void {
  const clientRequestId = header(request, 'x-ms-client-request-id');
  const correlation = header(request, 'x-ms-correlation-request-id') ?? clientRequestId ?? randomRequestId();
  reply.header('x-ms-request-id', request.id).header('x-ms-correlation-request-id', correlation);
  if (clientRequestId) reply.header('x-ms-client-request-id', clientRequestId);
}
