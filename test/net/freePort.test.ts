import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/net/freePort.js';

const listen = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      resolve(() => new Promise((done) => server.close(() => done()))),
    );
  });

describe('freeLoopbackPort', () => {
  it('hands out a port a listener can then bind', async () => {
    const port = await freeLoopbackPort();
    assert.ok(port > 0 && port < 65536);
    const close = await listen(port);
    await close();
  });

  it('chooses below the ephemeral range, where no outgoing connection can take the port meanwhile', async () => {
    // Tessera's platform is Linux: the kernel's range for outgoing connections is always here.
    const [low = 0, high = 0] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freeLoopbackPort()));
    if (low - 10000 > 1000) {
      for (const port of ports)
        assert.ok(port >= 10000 && port < low, `${port} is outside 10000..${low - 1}`);
      // Random, not counted up from a base: concurrent allocators rarely meet.
      assert.ok(new Set(ports).size > 15, ports.join(' '));
    } else {
      // No room below the range: the kernel's own choice, from inside it.
      for (const port of ports) assert.ok(port >= low && port <= high, `${port} is outside ${low}..${high}`);
    }
  });
});
