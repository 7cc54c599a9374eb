import assert from 'node:assert/strict';
import { X509Certificate, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KEK_ENV, KEK_FILE, KeyEncryption } from '../../src/store/keyEncryption.js';
import { Tessera } from '../../src/tessera.js';
import { certificateNames, ensureTlsMaterial } from '../../src/tls/certificateAuthority.js';
import { ensureSharedTlsMaterial } from '../../src/tls/sharedTls.js';
import type { SharedTlsName, SharedTlsStore, TlsPair } from '../../src/tls/sharedTls.js';
import { TlsMaterialStore } from '../../src/tls/tlsMaterialStore.js';
import { runCli } from '../cli/support.js';
import { testStoreLocation } from '../support/database.js';
import { testDataDir } from '../support/server.js';
import { multinodeSkip } from './support.js';

/** The database's side, in memory, counting writes. */
class MemoryTlsStore implements SharedTlsStore {
  readonly rows = new Map<SharedTlsName, TlsPair>();
  writes = 0;
  read(name: SharedTlsName) {
    return Promise.resolve(this.rows.get(name));
  }
  write(name: SharedTlsName, pair: TlsPair) {
    this.writes += 1;
    this.rows.set(name, pair);
    return Promise.resolve();
  }
}

describe('TLS material shared through the store', () => {
  const folders: string[] = [];
  const folder = (seeded = true) => {
    const dir = seeded ? testDataDir() : mkdtempSync(join(tmpdir(), 'tessera-tls-'));
    folders.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('the first node stores its CA and certificate; the next serves them without issuing', async () => {
    const store = new MemoryTlsStore();
    const first = await ensureSharedTlsMaterial(folder(), store);
    assert.equal(store.writes, 2);
    assert.equal(store.rows.get('ca')?.certPem, first.caCertPem);
    const secondDir = folder();
    const second = await ensureSharedTlsMaterial(secondDir, store);
    assert.equal(store.writes, 2, 'nothing issued');
    // The folder keeps a copy of what the node serves, as on SQLite.
    assert.equal(readFileSync(join(secondDir, 'tls', 'server.pem'), 'utf8'), first.serverCertPem);
    assert.equal(second.serverCertPem, first.serverCertPem);
    assert.equal(second.serverKeyPem, first.serverKeyPem);
  });

  it('a node with a hostname the stored certificate lacks issues one for every name and stores it', async () => {
    const store = new MemoryTlsStore();
    await ensureSharedTlsMaterial(folder(), store, { extraHostnames: ['node-a.example.test'] });
    const widened = await ensureSharedTlsMaterial(folder(), store, {
      extraHostnames: ['Public.Example.Test'],
    });
    const names = certificateNames(widened.serverCertPem).dnsNames;
    for (const name of ['localhost', 'node-a.example.test', 'public.example.test'])
      assert.ok(names.includes(name), name);
    assert.equal(store.rows.get('server')?.certPem, widened.serverCertPem);
    // A node without extra names serves the widened certificate as it is.
    const plain = await ensureSharedTlsMaterial(folder(), store);
    assert.equal(plain.serverCertPem, widened.serverCertPem);
    assert.ok(new X509Certificate(widened.serverCertPem).checkIssued(new X509Certificate(widened.caCertPem)));
  });

  it('gives a folder without a CA the shared one, and refuses a folder with another', async () => {
    const store = new MemoryTlsStore();
    const shared = await ensureSharedTlsMaterial(folder(), store);
    const empty = folder(false);
    const adopted = await ensureSharedTlsMaterial(empty, store);
    assert.equal(readFileSync(adopted.caCertPath, 'utf8'), shared.caCertPem);
    const other = folder(false);
    await ensureTlsMaterial(other);
    await assert.rejects(
      ensureSharedTlsMaterial(other, store),
      /the data folder's CA .* is not the CA the nodes on this database share; move .* away/,
    );
  });

  it(
    'on PostgreSQL keeps private keys sealed, and opens them only under the same key-encryption key',
    {
      skip: multinodeSkip(),
    },
    async () => {
      const location = await testStoreLocation('postgres');
      const tessera = await Tessera.open({ ...location, poolSize: 2 });
      try {
        const store = new TlsMaterialStore(tessera.db, tessera.sealing);
        const material = await ensureSharedTlsMaterial(folder(), store);
        assert.equal((await store.read('server'))?.keyPem, material.serverKeyPem);
        const row = await tessera.db
          .withTables<{ shared_tls: { name: string; private_key_pem: string } }>()
          .selectFrom('shared_tls')
          .select('private_key_pem')
          .where('name', '=', 'server')
          .executeTakeFirstOrThrow();
        assert.ok(KeyEncryption.isSealed(row.private_key_pem));
        const stranger = KeyEncryption.forDataFolder(folder(), {
          [KEK_ENV]: randomBytes(32).toString('base64'),
        });
        await assert.rejects(
          new TlsMaterialStore(tessera.db, stranger).read('server'),
          /Every process on one database/,
        );
      } finally {
        await tessera.close();
        await location.dispose();
      }
    },
  );

  it(
    '`tessera ca --database` puts the shared CA in a new folder and prints its path',
    { skip: multinodeSkip() },
    async () => {
      const location = await testStoreLocation('postgres');
      const tessera = await Tessera.open({ ...location, poolSize: 2 });
      try {
        const material = await ensureSharedTlsMaterial(
          folder(),
          new TlsMaterialStore(tessera.db, tessera.sealing),
        );
        const client = folder(false);
        copyFileSync(join(location.dataDir, KEK_FILE), join(client, KEK_FILE));
        const url = location.databaseUrl ?? '';
        const printed = await runCli(['ca', '--data', client, '--database', url]);
        assert.equal(printed.code, 0, printed.stderr);
        assert.equal(printed.stdout, `${join(client, 'tls', 'ca.pem')}\n`);
        assert.equal(readFileSync(printed.stdout.trim(), 'utf8'), material.caCertPem);
        // A folder with a CA of its own is not silently switched to the shared one.
        const own = folder(false);
        await ensureTlsMaterial(own);
        copyFileSync(join(location.dataDir, KEK_FILE), join(own, KEK_FILE));
        const refused = await runCli(['ca', '--data', own, '--database', url]);
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /is not the CA the nodes on this database share/);
      } finally {
        await tessera.close();
        await location.dispose();
      }
    },
  );
});
