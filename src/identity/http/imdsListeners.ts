import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { PortListeners } from '../../net/portListeners.js';
import type { IdentityHosts } from '../persistence/identityHosts.js';

export type ImdsHandler = (request: IncomingMessage, response: ServerResponse, port: number) => void;

/** IMDS is plain HTTP on a link-local address in Azure; here each host's is a loopback port. */
const IMDS_BIND = '127.0.0.1';

/**
 * One plain-HTTP listener per identity host, on the port recorded with the host. Hosts created
 * or deleted by another process (the CLI) are picked up by a poll of the in-memory host list,
 * which costs nothing while the directory is unchanged.
 */
export class ImdsListeners {
  private readonly listeners: PortListeners<number>;

  constructor(options: { hosts: IdentityHosts; handler: ImdsHandler; logger: FastifyBaseLogger }) {
    this.listeners = new PortListeners<number>({
      host: IMDS_BIND,
      logger: options.logger,
      source: {
        wanted: async () =>
          new Map((await options.hosts.all()).map((host) => [host.imdsPort, host.imdsPort])),
        create: (port) =>
          createServer({ keepAliveTimeout: 5000 }, (request, response) =>
            options.handler(request, response, port),
          ),
        describe: () => 'the IMDS port of an identity host',
      },
    });
  }

  start(): Promise<void> {
    return this.listeners.start();
  }

  sync(): Promise<void> {
    return this.listeners.sync();
  }

  close(): Promise<void> {
    return this.listeners.close();
  }
}
