import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { STAMP_FRESHNESS_MS } from '../../src/appconfig/persistence/dataStamp.js';
import { runCli } from '../cli/support.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { collect, connectionString, createStore, parseConnectionString, signedRequest } from './support.js';
import type { StoreFixture } from './support.js';

interface AzKeyValue {
  contentType: string | null;
  etag: string;
  key: string;
  label: string | null;
  lastModified: string;
  locked: boolean;
  tags: Record<string, string>;
  value: string;
}

/**
 * The CLI works on the data folder directly (here, beside a running server), as az on the service.
 * The server sees writes made by another process within STAMP_FRESHNESS_MS: reads through it wait
 * that long after a CLI write of a key-value it may have read before.
 */
const afterCliWrite = () => sleep(STAMP_FRESHNESS_MS + 50);

describe('tessera appconfig kv', () => {
  let t: TestServer;
  let store: StoreFixture;
  let client: AppConfigurationClient;

  // The server's store: its data folder, and its database when that is PostgreSQL.
  const storeOptions = () => ['--data', t.dataDir, ...(t.databaseUrl ? ['--database', t.databaseUrl] : [])];
  const cli = async (...args: string[]) => {
    const result = await runCli(['appconfig', 'kv', ...args, '--name', store.name, ...storeOptions()]);
    return result;
  };
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `tessera appconfig kv ${args.join(' ')}: ${result.stderr}`);
    return (result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout)) as T;
  };

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'cli-store');
    client = new AppConfigurationClient(await connectionString(store));
  });
  after(async () => t.stop());

  it('sets a key-value the SDK then reads, printing it as az does', async () => {
    const set = await json<AzKeyValue>(
      'set',
      '--key',
      'color',
      '--value',
      'red',
      '--label',
      'prod',
      '--content-type',
      'text/plain',
      '--tags',
      'team=web',
      'tier=1',
      '--yes',
    );
    assert.deepEqual(Object.keys(set), [
      'contentType',
      'etag',
      'key',
      'label',
      'lastModified',
      'locked',
      'tags',
      'value',
    ]);
    assert.equal(set.key, 'color');
    assert.equal(set.label, 'prod');
    assert.equal(set.value, 'red');
    assert.equal(set.contentType, 'text/plain');
    assert.deepEqual(set.tags, { team: 'web', tier: '1' });
    assert.equal(set.locked, false);
    assert.match(set.lastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const read = await client.getConfigurationSetting({ key: 'color', label: 'prod' });
    assert.equal(read.value, 'red');
    assert.equal(read.etag, set.etag);

    // A new value keeps the tags and content type, as az.
    const updated = await json<AzKeyValue>('set', '--key', 'color', '--value', 'blue', '--label', 'prod');
    assert.deepEqual(updated.tags, { team: 'web', tier: '1' });
    await afterCliWrite();
    assert.equal((await client.getConfigurationSetting({ key: 'color', label: 'prod' })).value, 'blue');
    const revisions = await collect(client.listRevisions({ keyFilter: 'color' }));
    assert.deepEqual(
      revisions.map((r) => r.value),
      ['blue', 'red'],
      'the CLI records revisions like the API',
    );

    // The server's Sync-Token counts the CLI's writes too.
    const key = parseConnectionString(await connectionString(store));
    const path = `/appconfig/${store.name}/kv/color?api-version=2026-04-01&label=prod`;
    const sequence = async () =>
      Number(/sn=(\d+)$/.exec(String((await signedRequest(t, key, { path })).headers['sync-token']))?.[1]);
    const before = await sequence();
    await json('set', '--key', 'color', '--value', 'green', '--label', 'prod');
    await afterCliWrite();
    assert.equal(await sequence(), before + 1);
  });

  it('shows, lists, locks, unlocks and deletes', async () => {
    await client.setConfigurationSetting({ key: 'from-sdk', value: 'v' });
    assert.equal((await json<AzKeyValue>('show', '--key', 'from-sdk')).value, 'v');
    const listed = await json<AzKeyValue[]>('list', '--key', 'from-*');
    assert.deepEqual(
      listed.map((kv) => kv.key),
      ['from-sdk'],
    );
    assert.equal((await json<AzKeyValue>('lock', '--key', 'from-sdk', '--yes')).locked, true);
    // Writes always go to the database: the lock holds at once.
    await assert.rejects(client.setConfigurationSetting({ key: 'from-sdk', value: 'w' }), {
      statusCode: 409,
    });
    const refused = await cli('set', '--key', 'from-sdk', '--value', 'w');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ERROR: .*read-only/);
    assert.equal((await json<AzKeyValue>('unlock', '--key', 'from-sdk')).locked, false);
    const deleted = await json<AzKeyValue[]>('delete', '--key', 'from-sdk', '--yes');
    assert.deepEqual(
      deleted.map((kv) => kv.value),
      ['v'],
    );
    await afterCliWrite();
    await assert.rejects(client.getConfigurationSetting({ key: 'from-sdk' }), { statusCode: 404 });
    const missing = await cli('show', '--key', 'from-sdk');
    assert.equal(missing.code, 1);
  });

  it('imports a nested JSON file with a separator and exports it back', async () => {
    const document = {
      Logging: { LogLevel: { Default: 'Warning', App: 'Debug' } },
      Hosts: ['a.example', 'b.example'],
      Name: 'shop',
    };
    const source = join(t.dataDir, 'settings.json');
    writeFileSync(source, JSON.stringify(document));
    await json(
      'import',
      '--source',
      'file',
      '--path',
      source,
      '--format',
      'json',
      '--separator',
      ':',
      '--label',
      'dev',
      '--yes',
    );

    const imported = await collect(client.listConfigurationSettings({ labelFilter: 'dev' }));
    assert.deepEqual(
      imported.map((s) => [s.key, s.value]),
      [
        ['Hosts:0', 'a.example'],
        ['Hosts:1', 'b.example'],
        ['Logging:LogLevel:App', 'Debug'],
        ['Logging:LogLevel:Default', 'Warning'],
        ['Name', 'shop'],
      ],
    );

    const destination = join(t.dataDir, 'exported.json');
    await json(
      'export',
      '--destination',
      'file',
      '--path',
      destination,
      '--format',
      'json',
      '--separator',
      ':',
      '--label',
      'dev',
      '--yes',
    );
    assert.deepEqual(JSON.parse(readFileSync(destination, 'utf8')), document);

    // Without a separator, nested objects are one key-value each (their JSON text).
    const flat = join(t.dataDir, 'flat.json');
    writeFileSync(flat, JSON.stringify({ Nested: { a: 1 }, Count: 3 }));
    await json('import', '--source', 'file', '--path', flat, '--format', 'json', '--label', 'flat', '--yes');
    assert.equal((await client.getConfigurationSetting({ key: 'Nested', label: 'flat' })).value, '{"a":1}');
    assert.equal((await client.getConfigurationSetting({ key: 'Count', label: 'flat' })).value, '3');
  });

  it('an import that hits a locked key-value writes nothing', async () => {
    await json('set', '--key', 'Frozen', '--value', 'old', '--label', 'lockme');
    await json('lock', '--key', 'Frozen', '--label', 'lockme');
    const file = join(t.dataDir, 'partial.json');
    writeFileSync(file, JSON.stringify({ Another: 'x', Frozen: 'new' }));
    const result = await cli(
      'import',
      '--source',
      'file',
      '--path',
      file,
      '--format',
      'json',
      '--label',
      'lockme',
      '--yes',
    );
    assert.equal(result.code, 1);
    await assert.rejects(client.getConfigurationSetting({ key: 'Another', label: 'lockme' }), {
      statusCode: 404,
    });
  });

  it('names a missing store', async () => {
    const result = await runCli(['appconfig', 'kv', 'list', '--name', 'no-such-store', ...storeOptions()]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no-such-store/);
  });
});
