import type { IncomingMessage } from 'node:http';
import { rewriteHostStyleUrl } from '../appconfig/http/hostStyle.js';
import { GRAPH_PREFIX } from './resourceListeners.js';

/** Which path-style prefix a local port stands for (a resource's own origin), if any. */
export interface ResourceRouting {
  prefixOf(localPort: number | undefined): string | undefined;
}

/**
 * Fastify's `rewriteUrl`: a request addressed to a resource's own origin — its port, or a store's
 * host name — is routed as the path-style request it stands for. The URL is only prefixed, never
 * decoded or re-encoded: HMAC signatures cover the URL as sent, which `request.originalUrl` keeps,
 * and a slice tells origin-addressed requests by `originalUrl` not starting with its prefix.
 */
export function resourceRewriter(routing: ResourceRouting): (request: IncomingMessage) => string {
  return (request) => {
    const prefix = routing.prefixOf(request.socket.localPort);
    if (prefix === undefined) return rewriteHostStyleUrl(request);
    const url = request.url ?? '/';
    // Graph's own origin: its paths already start with its version segment.
    if (prefix === GRAPH_PREFIX && (url === GRAPH_PREFIX || /^\/v1\.0[/?]/.test(url))) return url;
    return `${prefix}${url.startsWith('/') ? url : `/${url}`}`;
  };
}
