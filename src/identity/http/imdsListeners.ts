import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { IdentityHosts } from '../persistence/identityHosts.js';

export type ImdsHandler = (request: IncomingMessage, response: ServerResponse, port: number) => void;

const POLL_MS = 1000;
/** IMDS is plain HTTP on a link-local address in Azure; here each host's is a loopback port. */
const IMDS_BIND = '127.0.0.1';

/**
 * One plain-HTTP listener per identity host, on the port recorded with the host. Hosts created
 * or deleted by another process (the CLI) are picked up by a poll of the in-memory host list,
 * which costs nothing while the directory is unchanged.
 */
export class ImdsListeners {
  private readonly servers = new Map<number, Server>();
  /** Ports another program held at the last attempt: warned about once, retried by every poll. */
  private readonly unavailable = new Set<number>();
  private syncing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly options: { hosts: IdentityHosts; handler: ImdsHandler; logger: FastifyBaseLogger },
  ) {}

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), POLL_MS);
    this.timer.unref();
  }

  /** Serialised, so a poll never opens a port twice. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(
      () => this.reconcile(),
      () => this.reconcile(),
    );
    return this.syncing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing.catch(() => undefined);
    await Promise.all([...this.servers.keys()].map((port) => this.stop(port)));
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    let ports: Set<number>;
    try {
      ports = new Set((await this.options.hosts.all()).map((host) => host.imdsPort));
    } catch (error) {
      // The database is closing or busy: the next poll retries.
      this.options.logger.debug({ err: error }, 'identity hosts could not be read');
      return;
    }
    for (const port of this.servers.keys()) if (!ports.has(port)) await this.stop(port);
    for (const port of ports) if (!this.servers.has(port) && !this.closed) await this.open(port);
  }

  private async open(port: number): Promise<void> {
    const server = createServer({ keepAliveTimeout: 5000 }, (request, response) =>
      this.options.handler(request, response, port),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: IMDS_BIND, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if (!this.unavailable.has(port)) {
        this.unavailable.add(port);
        this.options.logger.warn(
          { err: error, port },
          `the IMDS port ${port} of an identity host could not be opened; retrying`,
        );
      }
      return;
    }
    this.unavailable.delete(port);
    this.servers.set(port, server);
  }

  private async stop(port: number): Promise<void> {
    const server = this.servers.get(port);
    this.servers.delete(port);
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Requests in flight have had their chance when the host or the server goes.
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });
  }
}
