import type { IncomingMessage } from 'node:http';

/** Path-style stores live under this prefix on Tessera's own origin: no DNS set-up needed. */
export const PATH_PREFIX = '/appconfig';

/**
 * Host names that address a store by themselves, `{store}.azconfig.localhost` (resolves to the
 * loopback on most systems) or `{store}.azconfig.io` (for clients pointed at Tessera through
 * hosts files), with any port. Store names are 5-50 letters, digits and hyphens.
 */
const STORE_HOST = /^([A-Za-z0-9-]{5,50})\.azconfig\.(?:localhost|io)(?::\d{1,5})?$/i;

/** The store a Host header names, with the case the client used. */
export function storeOfHost(host: string | undefined): string | undefined {
  return host === undefined ? undefined : STORE_HOST.exec(host)?.[1];
}

/**
 * Fastify's `rewriteUrl`: a request to a store's own host name is routed as the path-style request
 * it stands for, so one set of routes serves both. The URL is only prefixed, never decoded or
 * re-encoded (HMAC signatures cover the URL as sent, which `request.originalUrl` keeps).
 */
export function rewriteHostStyleUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const store = storeOfHost(request.headers.host);
  return store === undefined ? url : `${PATH_PREFIX}/${store}${url.startsWith('/') ? url : `/${url}`}`;
}
