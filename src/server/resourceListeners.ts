import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PortResource, ResourcePorts } from '../management/resourcePorts.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface Listener {
  server: Server;
  prefix: string;
}

const POLL_MS = 1000;

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

/** Graph's origin serves Graph alone: any other path is a segment Graph does not know. */
export const GRAPH_PREFIX = '/v1.0';

/**
 * One HTTPS listener per resource port, all feeding the one Fastify application: a request that
 * arrives on a store's port is routed as the path-style request it stands for (see `prefixOf`,
 * used by the application's `rewriteUrl`), so one set of routes, hooks and authenticators serves
 * every form of address. Resources created by another process (the CLI) are picked up by a poll;
 * those created through this server, before the creating request returns.
 */
export class ResourceListeners {
  private readonly listeners = new Map<number, Listener>();
  /** Ports another program held at the last attempt: warned about once, retried by every poll. */
  private readonly unavailable = new Set<number>();
  private handler?: Handler;
  private syncing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly options: {
      ports: ResourcePorts;
      host: string;
      tls: { key: string; cert: string };
      logger: Logger;
    },
  ) {}

  /** The application's request handler, known once Fastify is built. */
  attach(handler: Handler): void {
    this.handler = handler;
  }

  /** Synchronous: every request asks, through the application's rewriteUrl. */
  prefixOf(localPort: number | undefined): string | undefined {
    return localPort === undefined ? undefined : this.listeners.get(localPort)?.prefix;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), POLL_MS);
    this.timer.unref();
  }

  /** Serialised: a poll and a creation hook never open the same port twice. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(
      () => this.reconcile(),
      () => this.reconcile(),
    );
    return this.syncing;
  }

  private async reconcile(): Promise<void> {
    if (this.closed || !this.handler) return;
    let wanted: PortResource[];
    try {
      wanted = await this.options.ports.list();
    } catch (error) {
      // The database is closing or busy: the next poll retries.
      this.options.logger.debug({ err: error }, 'resource ports could not be read');
      return;
    }
    const byPort = new Map(wanted.map((r) => [r.port, r]));
    for (const [port, listener] of this.listeners) {
      const resource = byPort.get(port);
      if (!resource || pathPrefixOf(resource) !== listener.prefix) await this.stop(port, listener);
    }
    for (const resource of wanted) {
      if (!this.listeners.has(resource.port)) await this.open(resource, this.handler);
    }
  }

  private async open(resource: PortResource, handler: Handler): Promise<void> {
    const server = createServer({ ...this.options.tls, keepAliveTimeout: 72_000 }, handler);
    const listener = { server, prefix: pathPrefixOf(resource) };
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.options.host, port: resource.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // Another program holds the port: the resource stays reachable path-style and host-style.
      if (!this.unavailable.has(resource.port)) {
        this.unavailable.add(resource.port);
        this.options.logger.warn(
          { err: error, port: resource.port, resource: resource.name },
          `the origin of ${resource.name} (port ${resource.port}) could not be opened; retrying`,
        );
      }
      return;
    }
    this.unavailable.delete(resource.port);
    this.listeners.set(resource.port, listener);
  }

  private async stop(port: number, listener: Listener): Promise<void> {
    this.listeners.delete(port);
    await closeServer(listener.server);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing.catch(() => undefined);
    await Promise.all([...this.listeners.entries()].map(([port, listener]) => this.stop(port, listener)));
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests in flight have had their chance when the application itself is closing.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
