import { headersOnly } from '../support/headersOnly.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/net/jsonDepth.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API_VERSION,
  DATA_OWNER,
  DATA_READER,
  createStore,
  principalOnStore,
  rawRequest,
  sdkToken,
} from './support.js';
import type { StoreFixture } from './support.js';

/** A key-value body whose `tags` hold a value `depth` levels deep in all (the body itself is one). */
const bodyWithDepth = (depth: number) =>
  `{"value":"v","tags":{"t":"x"},"extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('App Configuration bounds JSON nesting before parsing', { timeout: 60_000 }, () => {
  let t: TestServer;
  let store: StoreFixture;
  let ownerToken: string;
  let readerToken: string;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'depth-store');
    ownerToken = await sdkToken((await principalOnStore(store, DATA_OWNER, 'owner')).credential);
    readerToken = await sdkToken((await principalOnStore(store, DATA_READER, 'reader')).credential);
  });
  after(async () => t.stop());

  const put = (token: string, key: string, body: string) =>
    rawRequest(t, {
      method: 'PUT',
      path: `/appconfig/${store.name}/kv/${key}?api-version=${API_VERSION}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} with invalid-argument`, async () => {
    const response = await put(ownerToken, 'deep', bodyWithDepth(MAX_JSON_DEPTH + 1));
    assert.equal(response.status, 400, response.text);
    const problem = JSON.parse(response.text) as { name: string; detail: string };
    assert.equal(problem.name, 'body');
    assert.equal(problem.detail, `body: The request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    // Brackets inside strings are not nesting; the limit itself is accepted.
    assert.equal((await put(ownerToken, 'str', JSON.stringify({ value: '['.repeat(200) }))).status, 200);
    assert.equal((await put(ownerToken, 'deep', bodyWithDepth(MAX_JSON_DEPTH))).status, 200);
  });

  it('refuses a caller without the data action before its body is read', async () => {
    // Announced and never sent: only a decision made on method, path and token can answer.
    const response = await headersOnly(`${store.endpoint}/kv/never-sent?api-version=2023-11-01`, 'PUT', {
      authorization: `Bearer ${readerToken}`,
      contentLength: 200_000,
      contentType: 'application/vnd.microsoft.appconfig.kv+json',
    });
    assert.equal(response.status, 403, response.text);
  });

  it('refuses a caller without the data action before its body is parsed', async () => {
    // A deep body from a reader: the write is forbidden, whatever the body holds.
    const response = await put(readerToken, 'deep', bodyWithDepth(100_000));
    assert.equal(response.status, 403, response.text);
  });
});
