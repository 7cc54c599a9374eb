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

  it('chooses below the ephemeral range, where no outgoing connection can take the port meanwhile', async (t) => {
    let low: number;
    try {
      low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    } catch {
      return t.skip('no /proc/sys/net/ipv4/ip_local_port_range here');
    }
    if (low < 11000) return t.skip(`the ephemeral range starts at ${low}: no room below it`);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freeLoopbackPort()));
    for (const port of ports) assert.ok(port >= 10000 && port < low, `${port} is outside 10000..${low - 1}`);
    // Random, not counted up from a base: concurrent allocators rarely meet.
    assert.ok(new Set(ports).size > 15, ports.join(' '));
  });
});
