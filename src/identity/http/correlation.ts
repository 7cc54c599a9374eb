import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** msal-node sends `x-ms-client-request-id` to the identity endpoints; errors echo it, as Entra's do. */
export function correlationIdOf(headers: IncomingHttpHeaders): string {
  const sent = headers['x-ms-client-request-id'] ?? headers['client-request-id'];
  return typeof sent === 'string' && GUID.test(sent) ? sent.toLowerCase() : randomUUID();
}
