import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/** Below this, ports are the well-known and registered services'. */
const LOWEST = 10000;
const ATTEMPTS = 20;
/** At or above LOWEST, the ports Chromium and Firefox refuse to fetch from (ERR_UNSAFE_PORT). */
const BROWSER_REFUSED = new Set([10080]);

/**
 * The kernel's range for the local ports of outgoing connections (Linux), or undefined where it
 * cannot be read.
 */
function ephemeralRange(): { low: number; high: number } | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low && high ? { low, high } : undefined;
  } catch {
    return undefined;
  }
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound > 0 ? bound : undefined));
    });
  });
}

/**
 * A loopback port nothing listens on now, for a listener that another process (the server's next
 * poll) binds later. It comes from below the kernel's ephemeral range where there is room: a port
 * from inside it could be taken meanwhile as the local port of any outgoing connection (a
 * database pool's, held for hours). The choice is random, so concurrent allocators (parallel
 * servers, the CLI beside a server) rarely meet, and callers record it so it stays the same.
 */
export async function freeLoopbackPort(): Promise<number> {
  const range = ephemeralRange();
  if (range && range.low - LOWEST > 1000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const candidate = randomInt(LOWEST, range.low);
      if (BROWSER_REFUSED.has(candidate)) continue;
      const port = await tryListen(candidate);
      if (port !== undefined) return port;
    }
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}
