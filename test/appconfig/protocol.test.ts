import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API_VERSION,
  DATA_OWNER,
  collect,
  connectionString,
  createStore,
  parseConnectionString,
  principalOnStore,
  rawRequest,
  sdkToken,
  signedRequest,
} from './support.js';
import type { RawResponse, StoreFixture } from './support.js';

const SYNC_TOKEN = /^[A-Za-z0-9_-]{8}=[A-Za-z0-9+/=]+;sn=\d+$/;
const sequenceOf = (response: RawResponse) =>
  Number(/sn=(\d+)$/.exec(String(response.headers['sync-token']))?.[1]);

describe('protocol: headers, time travel, CORS, host names', () => {
  let t: TestServer;
  let store: StoreFixture;
  let token: string;
  let client: AppConfigurationClient;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'protocol-store');
    const owner = await principalOnStore(store, DATA_OWNER, 'owner');
    token = await sdkToken(owner.credential);
    client = new AppConfigurationClient(store.endpoint, owner.credential);
  });
  after(async () => t.stop());

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    rawRequest(t, {
      method,
      path: `/appconfig/${store.name}${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body,
    });

  it('puts a Sync-Token on every response, its sequence moving with each write', async () => {
    const before = await call('GET', `/kv?api-version=${API_VERSION}`);
    assert.match(String(before.headers['sync-token']), SYNC_TOKEN);
    const put = await call('PUT', `/kv/sync?api-version=${API_VERSION}`, {}, '{"value":"1"}');
    assert.ok(sequenceOf(put) > sequenceOf(before));
    for (const response of [
      await call('GET', `/kv/missing?api-version=${API_VERSION}`),
      await call('GET', '/kv'),
      await call('GET', `/kv/sync?api-version=${API_VERSION}`, { 'if-none-match': String(put.headers.etag) }),
      await rawRequest(t, { path: `/appconfig/${store.name}/kv?api-version=${API_VERSION}` }),
    ]) {
      assert.match(String(response.headers['sync-token']), SYNC_TOKEN, `status ${response.status}`);
    }
    // The SDK sends tokens back; they are accepted.
    const echoed = await call('GET', `/kv/sync?api-version=${API_VERSION}`, { 'sync-token': 'abc=def' });
    assert.equal(echoed.status, 200);
  });

  it('answers with the service headers and content types', async () => {
    const put = await call(
      'PUT',
      `/kv/headers?api-version=${API_VERSION}&label=l`,
      {},
      '{"value":"v","content_type":"text/plain"}',
    );
    assert.equal(put.headers['content-type'], 'application/vnd.microsoft.appconfig.kv+json; charset=utf-8');
    const body = JSON.parse(put.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), [
      'etag',
      'key',
      'label',
      'content_type',
      'value',
      'description',
      'tags',
      'locked',
      'last_modified',
    ]);
    assert.equal(put.headers.etag, `"${String(body.etag)}"`);
    assert.match(String(body.last_modified), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.equal(put.headers['last-modified'], new Date(String(body.last_modified)).toUTCString());
    assert.match(String(put.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    assert.ok(put.headers['x-ms-correlation-request-id']);
    const old = await call('GET', '/kv/headers?api-version=1.0&label=l');
    assert.ok(!('description' in (JSON.parse(old.text) as object)), 'description arrived with 2026-04-01');
    const list = await call('GET', `/kv?api-version=${API_VERSION}`);
    assert.equal(
      list.headers['content-type'],
      'application/vnd.microsoft.appconfig.kvset+json; charset=utf-8',
    );
  });

  it('pages with @nextLink and a Link header, on HEAD too', async () => {
    for (let i = 0; i < 105; i++)
      await call(
        'PUT',
        `/kv/page:${String(i).padStart(3, '0')}?api-version=${API_VERSION}`,
        {},
        '{"value":"v"}',
      );
    const first = await call('GET', `/kv?api-version=${API_VERSION}&key=page:*`);
    const page = JSON.parse(first.text) as { items: unknown[]; '@nextLink': string };
    assert.equal(page.items.length, 100);
    assert.match(page['@nextLink'], /^\/kv\?api-version=2026-04-01&key=page:\*&after=[A-Za-z0-9_-]+$/);
    assert.equal(first.headers.link, `<${page['@nextLink']}>; rel="next"`);
    const second = await call('GET', page['@nextLink']);
    assert.equal((JSON.parse(second.text) as { items: unknown[] }).items.length, 5);
    assert.equal(second.headers.link, undefined);
    const head = await call('HEAD', `/kv?api-version=${API_VERSION}&key=page:*`);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.link, first.headers.link);
    const notModified = await call('GET', `/kv?api-version=${API_VERSION}&key=page:*`, {
      'if-none-match': String(first.headers.etag),
    });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.link, first.headers.link, 'SDK 1.13 reads the next link of a 304 page');
  });

  it('lists keys (distinct, in order) and labels', async () => {
    await call('PUT', `/kv/page:000?api-version=${API_VERSION}&label=other`, {}, '{"value":"v"}');
    const keys = await call('GET', `/keys?api-version=${API_VERSION}&name=page:00*`);
    assert.equal(
      keys.headers['content-type'],
      'application/vnd.microsoft.appconfig.keyset+json; charset=utf-8',
    );
    assert.deepEqual(JSON.parse(keys.text), {
      items: Array.from({ length: 10 }, (_, i) => ({ name: `page:00${i}` })),
    });
    const all = await call('GET', `/keys?api-version=${API_VERSION}`);
    const firstPage = JSON.parse(all.text) as { items: Array<{ name: string }>; '@nextLink'?: string };
    assert.equal(firstPage.items.length, 100);
    assert.ok(firstPage['@nextLink']);
  });

  it('travels in time with Accept-Datetime and says so in Memento-Datetime', async () => {
    await client.setConfigurationSetting({ key: 'travel', value: 'v1' });
    await client.setConfigurationSetting({ key: 'gone', value: 'was here' });
    await sleep(1100);
    const then = new Date();
    await sleep(1100);
    await client.setConfigurationSetting({ key: 'travel', value: 'v2' });
    await client.deleteConfigurationSetting({ key: 'gone' });

    const past = await client.getConfigurationSetting({ key: 'travel' }, { acceptDateTime: then });
    assert.equal(past.value, 'v1');
    assert.equal((await client.getConfigurationSetting({ key: 'travel' })).value, 'v2');
    const listed = await collect(
      client.listConfigurationSettings({ keyFilter: 'travel,gone', acceptDateTime: then }),
    );
    assert.deepEqual(
      listed.map((s) => [s.key, s.value]),
      [
        ['gone', 'was here'],
        ['travel', 'v1'],
      ],
    );
    const raw = await call('GET', `/kv/travel?api-version=${API_VERSION}`, {
      'accept-datetime': then.toUTCString(),
    });
    assert.equal((JSON.parse(raw.text) as { value: string }).value, 'v1');
    assert.equal(raw.headers['memento-datetime'], then.toUTCString());
    const revisions = await collect(client.listRevisions({ keyFilter: 'travel', acceptDateTime: then }));
    assert.deepEqual(
      revisions.map((r) => r.value),
      ['v1'],
    );
    const bad = await call('GET', `/kv/travel?api-version=${API_VERSION}`, {
      'accept-datetime': 'yesterday-ish',
    });
    assert.equal(bad.status, 400);
  });

  it('answers CORS preflights without credentials, and exposes its headers', async () => {
    const preflight = await rawRequest(t, {
      method: 'OPTIONS',
      path: `/appconfig/${store.name}/kv/anything?api-version=${API_VERSION}`,
      headers: {
        origin: 'https://portal.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-methods']), /PUT/);
    assert.equal(preflight.headers['access-control-allow-headers'], 'authorization,content-type');
    const get = await call('GET', `/kv?api-version=${API_VERSION}`, { origin: 'https://portal.example' });
    assert.equal(get.headers['access-control-allow-origin'], '*');
    for (const exposed of ['Sync-Token', 'ETag', 'Link', 'WWW-Authenticate', 'Memento-Datetime']) {
      assert.ok(String(get.headers['access-control-expose-headers']).includes(exposed), exposed);
    }
  });

  it('host-style store names work with HMAC and return an Operation-Location on that host', async () => {
    const key = parseConnectionString(await connectionString(store));
    const host = `${store.name}.azconfig.localhost:${t.server.port}`;
    const put = await signedRequest(t, key, {
      method: 'PUT',
      host,
      path: `/kv/host-style?api-version=${API_VERSION}`,
      body: '{"value":"via host"}',
    });
    assert.equal(put.status, 200, put.text);
    assert.equal((await client.getConfigurationSetting({ key: 'host-style' })).value, 'via host');
    const snapshot = await signedRequest(t, key, {
      method: 'PUT',
      host,
      path: `/snapshots/host-snap?api-version=${API_VERSION}`,
      body: JSON.stringify({ filters: [{ key: 'host-*' }] }),
    });
    assert.equal(snapshot.status, 201, snapshot.text);
    assert.equal(
      snapshot.headers['operation-location'],
      `https://${host}/operations?snapshot=host-snap&api-version=${API_VERSION}`,
    );
    const operation = await signedRequest(t, key, {
      host,
      path: `/operations?snapshot=host-snap&api-version=${API_VERSION}`,
    });
    assert.equal(JSON.parse(operation.text).status, 'Succeeded');
  });
});
