import { createServer } from 'node:net';

/**
 * A loopback port the kernel has just handed out and nothing listens on now. Taking the kernel's
 * choice, rather than counting up from a base, keeps concurrent allocators (parallel servers, the
 * CLI beside a server) from picking the same one; callers record it so it stays the same.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free loopback port'))));
    });
  });
}
