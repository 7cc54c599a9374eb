import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { INLINE_PARSE_LIMIT, PIECE_SIZE } from '../../src/net/jsonBody.js';
import { headersOnly } from '../support/headersOnly.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { endlessChunkedBody } from '../net/chunkedBody.js';
import {
  API_VERSION,
  DATA_OWNER,
  connectionString,
  createStore,
  parseConnectionString,
  principalOnStore,
  rawRequest,
  sdkToken,
  signedRequest,
} from './support.js';
import type { StoreFixture } from './support.js';

const KEY_VALUE_BODY_LIMIT = 64 * 1024;
const PLANE_LIMIT = 256 * 1024;

/** problem+json 413 naming the limit. */
function expectTooLarge(
  response: { status: number; text: string; headers: Headers | Record<string, unknown> },
  limit: number,
) {
  assert.equal(response.status, 413, response.text);
  const contentType =
    response.headers instanceof Headers
      ? response.headers.get('content-type')
      : response.headers['content-type'];
  assert.match(String(contentType), /^application\/problem\+json/);
  const problem = JSON.parse(response.text) as { type: string; title: string; detail: string };
  assert.equal(problem.title, 'Request entity too large');
  assert.equal(problem.detail, `The request body exceeds the limit of ${limit} bytes.`);
}

/** A snapshot definition made large by its tags (about 90 bytes each). */
const snapshotBody = (tagCount: number) => ({
  filters: [{ key: 'app/*' }],
  retention_period: 3600,
  tags: Object.fromEntries(Array.from({ length: tagCount }, (_, i) => [`tag-${i}`, `value ${i} `.repeat(8)])),
});

describe('App Configuration bounds each operation’s body', { timeout: 120_000 }, () => {
  let t: TestServer;
  let store: StoreFixture;
  let token: string;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'limits-store');
    token = await sdkToken((await principalOnStore(store, DATA_OWNER, 'owner')).credential);
  });
  after(async () => t.stop());

  const path = (resource: string) => `/appconfig/${store.name}${resource}?api-version=${API_VERSION}`;
  const put = (resource: string, body: string) =>
    rawRequest(t, {
      method: 'PUT',
      path: path(resource),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  it('refuses a key-value body over its own limit: announced (unread), sent, or chunked', async () => {
    const announced = await headersOnly(`${store.endpoint}/kv/announced?api-version=${API_VERSION}`, 'PUT', {
      authorization: `Bearer ${token}`,
      contentLength: KEY_VALUE_BODY_LIMIT + 1,
    });
    expectTooLarge(announced, KEY_VALUE_BODY_LIMIT);
    assert.equal(announced.headers.get('connection'), 'close');

    const sent = await put(
      '/kv/sent',
      JSON.stringify({ value: 'v', padding: 'x'.repeat(KEY_VALUE_BODY_LIMIT) }),
    );
    expectTooLarge(sent, KEY_VALUE_BODY_LIMIT);

    const chunked = await endlessChunkedBody(
      `${store.endpoint}/kv/chunked?api-version=${API_VERSION}`,
      'PUT',
      {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
    );
    expectTooLarge(chunked, KEY_VALUE_BODY_LIMIT);
    assert.equal(chunked.headers.get('connection'), 'close');
    // Nothing was written.
    const read = await rawRequest(t, {
      path: path('/kv/sent'),
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(read.status, 404);
  });

  it('refuses other operations over the plane’s limit, reading nothing', async () => {
    const response = await headersOnly(
      `${store.endpoint}/snapshots/announced?api-version=${API_VERSION}`,
      'PUT',
      {
        authorization: `Bearer ${token}`,
        contentLength: PLANE_LIMIT + 1,
      },
    );
    expectTooLarge(response, PLANE_LIMIT);
  });

  it('parses a large allowed body in pieces, for bearer and HMAC callers alike', async () => {
    const bearerBody = JSON.stringify(snapshotBody(1500));
    assert.ok(bearerBody.length > INLINE_PARSE_LIMIT && bearerBody.length < PLANE_LIMIT);
    const original = JSON.parse;
    let wholeParses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === 'string' && text.length > 4 * PIECE_SIZE) wholeParses++;
      return original(text, reviver);
    }) as typeof JSON.parse;
    let created;
    try {
      created = await put('/snapshots/big-bearer', bearerBody);
    } finally {
      JSON.parse = original;
    }
    assert.equal(created.status, 201, created.text);
    assert.deepEqual((JSON.parse(created.text) as { tags: unknown }).tags, snapshotBody(1500).tags);
    assert.equal(wholeParses, 0, 'the whole body was parsed on the event loop');

    // HMAC hashes the bytes as sent: the body stays those bytes while its value is parsed aside.
    const key = parseConnectionString(await connectionString(store));
    const hmacBody = JSON.stringify(snapshotBody(1400));
    const signed = await signedRequest(t, key, {
      method: 'PUT',
      path: `/appconfig/${store.name}/snapshots/big-hmac?api-version=${API_VERSION}`,
      body: hmacBody,
    });
    assert.equal(signed.status, 201, signed.text);
    assert.deepEqual((JSON.parse(signed.text) as { tags: unknown }).tags, snapshotBody(1400).tags);

    // A large body that is not JSON is the usual invalid-argument 400.
    const broken = await put('/snapshots/broken', bearerBody.slice(0, -1));
    assert.equal(broken.status, 400, broken.text);
    assert.equal((JSON.parse(broken.text) as { name: string }).name, 'body');
  });
});
