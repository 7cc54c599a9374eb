import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { STAMP_FRESHNESS_MS } from '../../src/appconfig/persistence/dataStamp.js';
import { startServer } from '../../src/server/start.js';
import type { RunningServer } from '../../src/server/start.js';
import { harnessEngine } from '../support/database.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API_VERSION,
  connectionString,
  createStore,
  parseConnectionString,
  signedRequest,
} from './support.js';
import type { HmacKey, RawResponse, StoreFixture } from './support.js';

const skip =
  harnessEngine() === 'postgres'
    ? false
    : 'two nodes share one PostgreSQL database: runs in the PostgreSQL pass (TESSERA_TEST_STORE=postgres)';

const syncSequence = (response: RawResponse): number =>
  Number(/;sn=(\d+)$/.exec(String(response.headers['sync-token']))?.[1] ?? NaN);

/**
 * Reads until `done` holds: what one node wrote shows on the other within the stamp's freshness
 * window (or at once, when PostgreSQL's notification arrives first). The bound is generous, for a
 * loaded machine; nothing here measures time.
 */
async function eventually(read: () => Promise<RawResponse>, done: (r: RawResponse) => boolean, what: string) {
  let last: RawResponse | undefined;
  for (let attempt = 0; attempt < 100; attempt++) {
    last = await read();
    if (done(last)) return last;
    await sleep(STAMP_FRESHNESS_MS / 4);
  }
  assert.fail(`${what}: still ${last?.status} ${last?.text}`);
}

describe('App Configuration on two nodes over one PostgreSQL database', { skip }, () => {
  let a: TestServer;
  let serverB: RunningServer | undefined;
  let b: TestServer;
  let store: StoreFixture;
  let key: HmacKey;

  before(async () => {
    a = await startTestServer();
    store = await createStore(a, 'two-nodes');
    key = parseConnectionString(await connectionString(store));
    // The second node: the same database and data folder (key-encryption key, TLS), its own port.
    serverB = await startServer({
      dataDir: a.dataDir,
      databaseUrl: a.databaseUrl,
      poolSize: 4,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    b = { ...a, server: serverB, origin: serverB.origin };
  });
  after(async () => {
    await serverB?.close();
    await a?.stop();
  });

  const kvPath = (name: string) =>
    `/appconfig/${store.name}/kv/${encodeURIComponent(name)}?api-version=${API_VERSION}`;
  const put = (node: TestServer, name: string, value: string, ifMatch?: string) =>
    signedRequest(node, key, {
      method: 'PUT',
      path: kvPath(name),
      body: JSON.stringify({ value }),
      extraHeaders: ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` },
    });
  const get = (node: TestServer, name: string) => signedRequest(node, key, { path: kvPath(name) });
  const valueOf = (response: RawResponse) => (JSON.parse(response.text) as { value: string }).value;
  const etagOf = (response: RawResponse) => (JSON.parse(response.text) as { etag: string }).etag;

  it('shows a write made on one node on the other within the freshness window', async () => {
    const first = await put(a, 'shared', 'from A');
    assert.equal(first.status, 200, first.text);
    // B has read the key before: its cached copy must give way.
    await get(b, 'shared');
    await eventually(
      () => get(b, 'shared'),
      (r) => r.status === 200 && valueOf(r) === 'from A',
      'B reads A',
    );
    const second = await put(b, 'shared', 'from B');
    assert.equal(second.status, 200, second.text);
    await eventually(
      () => get(a, 'shared'),
      (r) => r.status === 200 && valueOf(r) === 'from B',
      'A reads B',
    );
    const deleted = await signedRequest(a, key, { method: 'DELETE', path: kvPath('shared') });
    assert.equal(deleted.status, 200, deleted.text);
    await eventually(
      () => get(b, 'shared'),
      (r) => r.status === 404,
      'B sees the deletion',
    );
  });

  it('applies a store change made through one node’s management API on the other', async () => {
    const [, subscriptionId, resourceGroup] =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(store.id) ?? [];
    assert.ok(subscriptionId && resourceGroup);
    const update = (disableLocalAuth: boolean) =>
      a.server.tessera.configurationStores.createOrUpdate({
        subscriptionId,
        resourceGroup,
        name: store.name,
        location: 'westus',
        sku: 'standard',
        disableLocalAuth,
      });
    assert.equal((await get(b, 'anything')).status, 404);
    await update(true);
    try {
      await eventually(
        () => get(b, 'anything'),
        (r) => r.status === 401,
        'B refuses access keys',
      );
    } finally {
      await update(false);
    }
    await eventually(
      () => get(b, 'anything'),
      (r) => r.status === 404,
      'B accepts access keys again',
    );
  });

  it('lets exactly one of concurrent If-Match writes through both nodes win per ETag', async () => {
    const initial = await put(a, 'contended', 'v0');
    assert.equal(initial.status, 200, initial.text);
    let etag = etagOf(initial);
    for (let round = 1; round <= 4; round++) {
      const attempts = [a, b, a, b, a, b].map((node, i) => put(node, 'contended', `v${round}.${i}`, etag));
      const answers = await Promise.all(attempts);
      const won = answers.filter((r) => r.status === 200);
      assert.equal(won.length, 1, `round ${round}: ${answers.map((r) => r.status).join(', ')}`);
      assert.ok(answers.every((r) => r.status === 200 || r.status === 412));
      const winner = won[0];
      assert.ok(winner);
      etag = etagOf(winner);
      for (const node of [a, b]) {
        await eventually(
          () => get(node, 'contended'),
          (r) => r.status === 200 && etagOf(r) === etag,
          'winner',
        );
      }
    }
  });

  it('numbers writes through both nodes in the order of their revisions', async () => {
    // One after the other, alternating nodes: each Sync-Token is above the one before.
    const sequential: RawResponse[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await put(i % 2 === 0 ? a : b, 'ordered', `s${i}`);
      assert.equal(response.status, 200, response.text);
      sequential.push(response);
    }
    const tokens = sequential.map(syncSequence);
    for (let i = 1; i < tokens.length; i++) {
      assert.ok((tokens[i] ?? 0) > (tokens[i - 1] ?? 0), `Sync-Tokens ${tokens.join(', ')}`);
    }
    const revisions = await signedRequest(b, key, {
      path: `/appconfig/${store.name}/revisions?key=ordered&api-version=${API_VERSION}`,
    });
    assert.equal(revisions.status, 200, revisions.text);
    const listed = (JSON.parse(revisions.text) as { items: Array<{ etag: string }> }).items.map(
      (r) => r.etag,
    );
    assert.deepEqual(listed, sequential.map(etagOf).reverse());

    // At once, through both nodes: every write kept, and both nodes end at the same Sync-Token.
    const parallel = await Promise.all(
      Array.from({ length: 12 }, (_, i) => put(i % 2 === 0 ? a : b, 'parallel', `p${i}`)),
    );
    assert.ok(parallel.every((r) => r.status === 200));
    const highest = Math.max(...parallel.map(syncSequence));
    const kept = await signedRequest(a, key, {
      path: `/appconfig/${store.name}/revisions?key=parallel&api-version=${API_VERSION}`,
    });
    const keptItems = (JSON.parse(kept.text) as { items: Array<{ etag: string; value: string }> }).items;
    assert.deepEqual(keptItems.map((r) => r.etag).sort(), parallel.map(etagOf).sort());
    for (const node of [a, b]) {
      const settled = await eventually(
        () => get(node, 'parallel'),
        (r) => syncSequence(r) === highest,
        'the latest Sync-Token',
      );
      assert.equal(valueOf(settled), keptItems[0]?.value, 'the current value is the newest revision');
    }
  });
});
