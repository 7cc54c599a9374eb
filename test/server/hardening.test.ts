import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { RunningServer } from '../../src/server/start.js';
import { startServer } from '../../src/server/start.js';
import { requestWithHost } from '../support/authority.js';
import { testDataDir } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/** Every file and folder below `dir`, with its permission bits. */
function modesBelow(dir: string): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    found.push([path, statSync(path).mode & 0o777]);
    if (entry.isDirectory()) found.push(...modesBelow(path));
  }
  return found;
}

/** A TLS handshake with the given client limits: the protocol and cipher agreed, or the failure. */
function handshake(port: number, options: { maxVersion?: 'TLSv1.1' | 'TLSv1.2'; ciphers?: string }) {
  return new Promise<{ protocol: string | null; cipher: string } | { error: string }>((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? ''),
      minVersion: 'TLSv1',
      ...options,
    });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.once('error', (error) => resolve({ error: error.message }));
  });
}

describe('hardening: data at rest, headers, TLS', () => {
  let dataDir: string;
  let server: RunningServer;
  let t: TestServer;
  const logLines: string[] = [];

  before(async () => {
    dataDir = testDataDir();
    // A folder left readable by others, with a file an older release wrote world-readable.
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'notes.txt'), 'left by an older release', { mode: 0o644 });
    chmodSync(join(dataDir, 'notes.txt'), 0o644);
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startServer({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'warn' }, capture),
      hostnames: ['tessera.example.org'],
    });
    t = {
      server,
      dataDir,
      origin: server.origin,
      tenant: server.bootstrap!.tenant,
      restart: () => Promise.reject(new Error('not used')),
      stop: () => server.close(),
    };
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every file of the data folder its owner's alone, and warns about an open folder", () => {
    const modes = modesBelow(dataDir);
    for (const name of ['tessera.db', 'tessera.db-wal', 'tessera.db-shm', 'notes.txt']) {
      assert.ok(
        modes.some(([path]) => path === join(dataDir, name)),
        `${name} exists`,
      );
    }
    const open = modes.filter(([, mode]) => (mode & 0o077) !== 0);
    assert.deepEqual(open, [], 'no file or folder readable by group or others');
    assert.ok(
      logLines.some((line) => line.includes('can be read by other users than its owner')),
      logLines.join(''),
    );
  });

  it('sends nosniff everywhere, and HSTS only on a public host name', async () => {
    const local = await requestWithHost(
      t,
      '/common/v2.0/.well-known/openid-configuration',
      `localhost:${server.port}`,
    );
    assert.equal(local.status, 200);
    assert.equal(local.headers['x-content-type-options'], 'nosniff');
    assert.equal(local.headers['strict-transport-security'], undefined);
    const arm = await requestWithHost(t, '/subscriptions?api-version=2022-12-01', `localhost:${server.port}`);
    assert.equal(arm.status, 401);
    assert.equal(arm.headers['x-content-type-options'], 'nosniff');
    const published = await requestWithHost(
      t,
      '/common/v2.0/.well-known/openid-configuration',
      `tessera.example.org:${server.port}`,
    );
    assert.equal(published.headers['strict-transport-security'], 'max-age=31536000');
    assert.equal(published.headers['x-content-type-options'], 'nosniff');
  });

  it('speaks TLS 1.2 and 1.3 only, with AEAD suites on 1.2', async () => {
    const modern = await handshake(server.port, {});
    assert.ok('protocol' in modern, JSON.stringify(modern));
    assert.equal(modern.protocol, 'TLSv1.3');
    const tls12 = await handshake(server.port, { maxVersion: 'TLSv1.2' });
    assert.ok('cipher' in tls12, JSON.stringify(tls12));
    assert.match(tls12.cipher, /GCM|CHACHA20/);
    assert.ok('error' in (await handshake(server.port, { maxVersion: 'TLSv1.1' })));
    // CBC with RSA key exchange: neither AEAD nor forward secret.
    assert.ok('error' in (await handshake(server.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' })));
  });
});
