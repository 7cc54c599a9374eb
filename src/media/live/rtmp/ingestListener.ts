import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import type { AddressCheck } from '../ipAllowList.js';

/**
 * A channel's ingest port: a TCP listener that checks each peer against the channel's IP allow
 * list before reading a byte from it. A refused peer is reset at once; an allowed one is handed
 * to the RTMP session the channel builds.
 */
export interface IngestListenerOptions {
  host: string;
  /** The port to take when it is free (the one the channel had before); else any free port. */
  preferredPort: number | undefined;
  allowed: AddressCheck;
  onEncoder(socket: Socket): void;
  onRefused(address: string | undefined): void;
}

/** Connections one channel's port holds at once (an encoder, a reconnecting one, a stray). */
const MAX_CONNECTIONS = 8;

export class IngestListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: IngestListenerOptions) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = MAX_CONNECTIONS;
  }

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    const { preferredPort } = this.options;
    if (preferredPort) {
      try {
        return await this.listen(preferredPort);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      }
    }
    // Port 0: the kernel's choice, taken in the same call, so no other process can race for it.
    return this.listen(0);
  }

  private listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.once('error', failed);
      this.server.listen({ host: this.options.host, port, exclusive: true }, () => {
        this.server.off('error', failed);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress;
    if (!this.options.allowed(address)) {
      socket.resetAndDestroy();
      this.options.onRefused(address);
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.options.onEncoder(socket);
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
