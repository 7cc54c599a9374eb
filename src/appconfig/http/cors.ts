/** What the service lets browsers read, in its own words. */
const EXPOSED = [
  'DNT',
  'X-CustomHeader',
  'Keep-Alive',
  'User-Agent',
  'X-Requested-With',
  'If-Modified-Since',
  'Cache-Control',
  'Content-Type',
  'Authorization',
  'x-ms-client-request-id',
  'x-ms-useragent',
  'x-ms-content-sha256',
  'x-ms-date',
  'host',
  'Accept',
  'Accept-Datetime',
  'Date',
  'If-Match',
  'If-None-Match',
  'Sync-Token',
  'x-ms-return-client-request-id',
  'ETag',
  'Last-Modified',
  'Link',
  'Memento-Datetime',
  'retry-after-ms',
  'x-ms-retry-after',
  'x-ms-request-id',
  'x-ms-correlation-request-id',
  'WWW-Authenticate',
].join(', ');

/** On every response: any origin may call the data plane (requests carry their own credentials). */
export const corsHeaders: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': EXPOSED,
};

/** A preflight (OPTIONS) answer: no authentication, whatever the path. */
export function preflightHeaders(requestedHeaders: string | undefined): Record<string, string> {
  return {
    'access-control-allow-methods': 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT',
    'access-control-allow-headers': requestedHeaders ?? EXPOSED,
    'access-control-max-age': '3600',
  };
}
