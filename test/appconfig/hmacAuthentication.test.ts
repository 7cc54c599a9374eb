import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, principalWithRole } from '../management/support.js';
import {
  API_VERSION,
  connectionString,
  createStore,
  listKeys,
  parseConnectionString,
  signedRequest,
} from './support.js';
import type { HmacKey, RawResponse, StoreFixture } from './support.js';

const hmacChallenge = (description: string) =>
  `HMAC-SHA256 error="invalid_token", error_description="${description}", Bearer`;

function expectHmacFailure(response: RawResponse, description: string): void {
  assert.equal(response.status, 401, response.text);
  assert.equal(response.headers['www-authenticate'], hmacChallenge(description));
  assert.equal(response.text, '');
}

describe('HMAC-SHA256 access keys', () => {
  let t: TestServer;
  let store: StoreFixture;
  let key: HmacKey;
  let path: string;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'hmac-store');
    key = parseConnectionString(await connectionString(store));
    path = `/appconfig/${store.name}/kv?api-version=${API_VERSION}`;
  });
  after(async () => t.stop());

  it('accepts a request signed as documented', async () => {
    const response = await signedRequest(t, key, { path });
    assert.equal(response.status, 200, response.text);
    const put = await signedRequest(t, key, {
      method: 'PUT',
      path: `/appconfig/${store.name}/kv/signed?api-version=${API_VERSION}`,
      body: JSON.stringify({ value: 'yes' }),
    });
    assert.equal(put.status, 200, put.text);
    // `,` separates the parameters too (old clients); Date may stand in for x-ms-date.
    const comma = await signedRequest(t, key, {
      path,
      authorization: (p) =>
        `HMAC-SHA256 Credential=${p.credential},SignedHeaders=${p.signedHeaders},Signature=${p.signature}`,
    });
    assert.equal(comma.status, 200, comma.text);
    const dated = await signedRequest(t, key, {
      path,
      signedHeaders: 'date;host;x-ms-content-sha256',
      extraHeaders: { date: new Date().toUTCString() },
    });
    assert.equal(dated.status, 200, dated.text);
  });

  it('answers each failure with its documented description', async () => {
    expectHmacFailure(
      await signedRequest(t, key, {
        path,
        authorization: (p) => `HMAC-SHA256 Credential=${p.credential}&Signature=${p.signature}`,
      }),
      'SignedHeaders is required',
    );
    expectHmacFailure(
      await signedRequest(t, key, {
        path,
        authorization: (p) => `HMAC-SHA256 SignedHeaders=${p.signedHeaders}&Signature=${p.signature}`,
      }),
      'Credential is required',
    );
    expectHmacFailure(
      await signedRequest(t, key, {
        path,
        authorization: (p) => `HMAC-SHA256 Credential=${p.credential}&SignedHeaders=${p.signedHeaders}`,
      }),
      'Signature is required',
    );
    expectHmacFailure(
      await signedRequest(t, key, { path, signedHeaders: 'host;x-ms-content-sha256' }),
      'x-ms-date is required as a signed header',
    );
    expectHmacFailure(
      await signedRequest(t, key, { path, signedHeaders: 'x-ms-date;host;x-ms-content-sha256;x-custom' }),
      "Signed request header 'x-custom' is not provided",
    );
    expectHmacFailure(
      await signedRequest(t, key, { path, date: new Date(Date.now() - 16 * 60 * 1000) }),
      'The access token has expired',
    );
    expectHmacFailure(
      await signedRequest(t, key, { path, extraHeaders: { 'x-ms-date': 'not a date' } }),
      'Invalid access token date',
    );
    expectHmacFailure(
      await signedRequest(t, { id: 'Nope-l0-s0:unknown', secret: key.secret }, { path }),
      'Invalid Credential',
    );
    expectHmacFailure(
      await signedRequest(t, { id: key.id, secret: Buffer.alloc(32, 1).toString('base64') }, { path }),
      'Invalid Signature',
    );
    // Signed for another path than the one requested.
    expectHmacFailure(
      await signedRequest(t, key, {
        path,
        authorization: (p) =>
          `HMAC-SHA256 Credential=${p.credential}&SignedHeaders=${p.signedHeaders}&Signature=${Buffer.alloc(32).toString('base64')}`,
      }),
      'Invalid Signature',
    );
  });

  it('checks the body against the signed content hash', async () => {
    const response = await signedRequest(t, key, {
      method: 'PUT',
      path: `/appconfig/${store.name}/kv/tampered?api-version=${API_VERSION}`,
      body: JSON.stringify({ value: 'signed' }),
      extraHeaders: { 'x-ms-content-sha256': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      signedHeaders: 'x-ms-date;host;x-ms-content-sha256',
    });
    expectHmacFailure(response, 'Invalid request content hash');
    const check = await signedRequest(t, key, {
      path: `/appconfig/${store.name}/kv/tampered?api-version=${API_VERSION}`,
    });
    assert.equal(check.status, 404, 'nothing was written');
  });

  it("refuses another store's key", async () => {
    const other = await createStore(t, 'other-hmac-store');
    const otherKey = parseConnectionString(await connectionString(other));
    expectHmacFailure(await signedRequest(t, otherKey, { path }), 'Invalid Credential');
  });

  it('a read-only key reads but may not write (403)', async () => {
    const readOnly = new AppConfigurationClient(await connectionString(store, true));
    const readWrite = new AppConfigurationClient(await connectionString(store));
    await readWrite.setConfigurationSetting({ key: 'ro:test', value: 'v' });
    assert.equal((await readOnly.getConfigurationSetting({ key: 'ro:test' })).value, 'v');
    await assert.rejects(readOnly.setConfigurationSetting({ key: 'ro:test', value: 'w' }), {
      statusCode: 403,
    });
    await assert.rejects(readOnly.deleteConfigurationSetting({ key: 'ro:test' }), { statusCode: 403 });
    await assert.rejects(readOnly.setReadOnly({ key: 'ro:test' }, true), { statusCode: 403 });
    const raw = await signedRequest(t, parseConnectionString(await connectionString(store, true)), {
      method: 'PUT',
      path: `/appconfig/${store.name}/kv/ro:raw?api-version=${API_VERSION}`,
      body: '{"value":"x"}',
    });
    assert.equal(raw.status, 403);
    assert.equal(raw.text, '', 'the service answers 403 with no body');
  });

  it('a store with local authentication disabled refuses access keys', async () => {
    const locked = await createStore(t, 'no-keys-store');
    const lockedKey = parseConnectionString(await connectionString(locked));
    const owner = await principalWithRole(t, { displayName: 'disabler', role: 'Owner', scope: locked.id });
    const updated = await arm(t, 'PUT', `${locked.id}?${API.configurationStores}`, {
      token: owner.token,
      body: { location: 'westus', sku: { name: 'standard' }, properties: { disableLocalAuth: true } },
    });
    assert.equal(updated.status, 200, updated.text);
    // The data plane sees the change within its freshness window.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expectHmacFailure(
      await signedRequest(t, lockedKey, { path: `/appconfig/${locked.name}/kv?api-version=${API_VERSION}` }),
      'Authentication scheme disabled',
    );
  });

  it('a regenerated key stops working at once', async () => {
    const [primary] = await listKeys(store);
    if (!primary) throw new Error('no keys');
    const owner = await principalWithRole(t, { displayName: 'rotator', role: 'Owner', scope: store.id });
    const regenerated = await arm(t, 'POST', `${store.id}/regenerateKey?${API.configurationStores}`, {
      token: owner.token,
      body: { id: primary.id },
    });
    assert.equal(regenerated.status, 200, regenerated.text);
    expectHmacFailure(
      await signedRequest(t, parseConnectionString(primary.connectionString), { path }),
      'Invalid Credential',
    );
  });
});
