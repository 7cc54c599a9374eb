import { createServer } from 'node:https';
import type { ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PortResource, ResourcePorts } from '../management/resourcePorts.js';
import { PortListeners } from '../net/portListeners.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Graph's origin serves Graph alone: any other path is a segment Graph does not know. */
export const GRAPH_PREFIX = '/v1.0';

/** The path-style prefix a resource's own origin stands for (Graph's routes are at the root). */
export function pathPrefixOf(resource: Pick<PortResource, 'kind' | 'name'>): string {
  switch (resource.kind) {
    case 'configurationStore':
      return `/appconfig/${resource.name}`;
    case 'mediaService':
      return `/media/${resource.name}`;
    case 'graph':
      return GRAPH_PREFIX;
  }
}

/**
 * One HTTPS listener per resource port, all feeding the one Fastify application: a request that
 * arrives on a store's port is routed as the path-style request it stands for (see `prefixOf`,
 * used by the application's `rewriteUrl`), so one set of routes, hooks and authenticators serves
 * every form of address. Resources created by another process (the CLI) are picked up by a poll;
 * those created through this server, before the creating request returns.
 */
export class ResourceListeners {
  private readonly listeners: PortListeners<string>;
  private handler?: Handler;

  constructor(options: {
    ports: ResourcePorts;
    host: string;
    /** The HTTPS options of the main listener (certificate, versions, ciphers). */
    tls: ServerOptions;
    logger: Logger;
  }) {
    this.listeners = new PortListeners<string>({
      host: options.host,
      logger: options.logger,
      source: {
        wanted: async () => new Map((await options.ports.list()).map((r) => [r.port, pathPrefixOf(r)])),
        create: () =>
          createServer({ ...options.tls, keepAliveTimeout: 72_000 }, (request, response) =>
            this.handler?.(request, response),
          ),
        changed: (before, now) => before !== now,
        describe: (_port, prefix) => `the origin of ${prefix}`,
      },
    });
  }

  /** The application's request handler, known once Fastify is built; listening waits for it. */
  attach(handler: Handler): void {
    this.handler = handler;
  }

  /** Synchronous: every request asks, through the application's rewriteUrl. */
  prefixOf(localPort: number | undefined): string | undefined {
    return this.listeners.itemAt(localPort);
  }

  start(): Promise<void> {
    return this.handler ? this.listeners.start() : Promise.resolve();
  }

  sync(): Promise<void> {
    return this.handler ? this.listeners.sync() : Promise.resolve();
  }

  close(): Promise<void> {
    return this.listeners.close();
  }
}
