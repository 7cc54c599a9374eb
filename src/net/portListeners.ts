import type { Server } from 'node:net';

/** What a set of listeners is made of: the ports wanted now, and how to serve one. */
export interface PortListenerSource<T> {
  /** The ports wanted now, each with what it serves (read from the store: may throw while closing). */
  wanted(): Promise<ReadonlyMap<number, T>>;
  /** A server (not yet listening) for `port`. */
  create(port: number, item: T): Server;
  /** Whether a port now serves something else and must be reopened. */
  changed?(before: T, now: T): boolean;
  /** How a port is named in the warning when another program holds it. */
  describe(port: number, item: T): string;
}

export interface PortListenerOptions<T> {
  source: PortListenerSource<T>;
  host: string;
  logger: { warn(details: object, message: string): void; debug(details: object, message: string): void };
  pollMs?: number;
}

interface Open<T> {
  server: Server;
  item: T;
}

/**
 * Listeners kept in step with a table of ports: reconciled when asked (a change made through this
 * process, so it answers before the request that made it returns) and on a poll (changes made by
 * another process, the CLI). Reconciling is serialised, so a port is never opened twice; a port
 * another program holds is warned about once and retried by every poll.
 */
export class PortListeners<T> {
  private readonly open = new Map<number, Open<T>>();
  private readonly unavailable = new Set<number>();
  private syncing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: PortListenerOptions<T>) {}

  /** What an open port serves: synchronous, for per-request routing. */
  itemAt(port: number | undefined): T | undefined {
    return port === undefined ? undefined : this.open.get(port)?.item;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

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
    await Promise.all([...this.open.keys()].map((port) => this.stop(port)));
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    let wanted: ReadonlyMap<number, T>;
    try {
      wanted = await this.options.source.wanted();
    } catch (error) {
      // The database is closing or busy: the next poll retries.
      this.options.logger.debug({ err: error }, 'listener ports could not be read');
      return;
    }
    const { changed } = this.options.source;
    for (const [port, open] of this.open) {
      const now = wanted.get(port);
      if (now === undefined || changed?.(open.item, now)) await this.stop(port);
    }
    for (const [port, item] of wanted) {
      if (!this.open.has(port) && !this.closed) await this.listen(port, item);
    }
  }

  private async listen(port: number, item: T): Promise<void> {
    const server = this.options.source.create(port, item);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.options.host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if (!this.unavailable.has(port)) {
        this.unavailable.add(port);
        this.options.logger.warn(
          { err: error, port },
          `${this.options.source.describe(port, item)} (port ${port}) could not be opened; retrying`,
        );
      }
      return;
    }
    this.unavailable.delete(port);
    this.open.set(port, { server, item });
  }

  private async stop(port: number): Promise<void> {
    const open = this.open.get(port);
    this.open.delete(port);
    if (!open) return;
    const server = open.server as Server & { closeIdleConnections?(): void; closeAllConnections?(): void };
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections?.();
      // Requests in flight have had their chance when the resource or the server goes.
      setTimeout(() => server.closeAllConnections?.(), 1000).unref();
    });
  }
}
