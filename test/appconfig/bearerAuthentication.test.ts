import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { ClientSecretCredential } from '@azure/identity';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API_VERSION,
  DATA_OWNER,
  createStore,
  mintToken,
  principalOnStore,
  rawRequest,
  sdkToken,
} from './support.js';
import type { RawResponse, StoreFixture } from './support.js';
import { tamper } from '../support/tamper.js';

const INVALID =
  'HMAC-SHA256, Bearer error="invalid_token", error_description="Authorization token failed validation"';
const WRONG_ISSUER =
  'HMAC-SHA256, Bearer error="invalid_token", error_description="The access token is from the wrong issuer. ' +
  'It must match the AD tenant associated with the subscription, to which the configuration store belongs. ' +
  'If you just transferred your subscription and see this error message, please try back later."';

function expectChallenge(response: RawResponse, challenge: string): void {
  assert.equal(response.status, 401, response.text);
  assert.equal(response.headers['www-authenticate'], challenge);
  assert.doesNotMatch(String(response.headers['www-authenticate']), /claims=/);
  assert.equal(response.text, '');
}

describe('Entra ID bearer tokens', () => {
  let t: TestServer;
  let store: StoreFixture;
  let path: string;
  let ownerToken: string;
  let ownerObjectId: string;
  let ownerCredential: ClientSecretCredential;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'bearer-store');
    path = `/appconfig/${store.name}/kv?api-version=${API_VERSION}`;
    const owner = await principalOnStore(store, DATA_OWNER, 'owner');
    ownerCredential = owner.credential;
    ownerToken = await sdkToken(owner.credential);
    ownerObjectId = owner.servicePrincipal.objectId;
  });
  after(async () => t.stop());

  const get = (token: string | undefined, headers: Record<string, string> = {}) =>
    rawRequest(t, { path, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

  it('accepts a token for the SDK default audience (https://appconfig.azure.com)', async () => {
    const response = await get(ownerToken);
    assert.equal(response.status, 200, response.text);
  });

  it('challenges a request without credentials with both schemes', async () => {
    expectChallenge(await get(undefined), 'HMAC-SHA256, Bearer');
    expectChallenge(await get(undefined, { authorization: 'Basic dXNlcjpwYXNz' }), 'HMAC-SHA256, Bearer');
  });

  it('refuses invalid tokens: malformed, forged, expired, for another audience', async () => {
    expectChallenge(await get('not-a-token'), INVALID);
    expectChallenge(await get(tamper(ownerToken)), INVALID);
    const now = Math.floor(Date.now() / 1000);
    expectChallenge(
      await get(await mintToken(t, { oid: ownerObjectId, exp: now - 600, nbf: now - 4000 })),
      INVALID,
    );
    expectChallenge(
      await get(await mintToken(t, { oid: ownerObjectId, aud: 'https://management.azure.com/' })),
      INVALID,
    );
    expectChallenge(
      await get(await mintToken(t, { oid: ownerObjectId, iss: 'https://login.microsoftonline.com/x/' })),
      INVALID,
    );
  });

  it('accepts the cloud audiences and *.<domain>', async () => {
    for (const aud of [
      'https://azconfig.io',
      'https://appconfig.azure.com/',
      'https://*.azconfig.io',
      '*.azconfig.localhost',
    ]) {
      const response = await get(await mintToken(t, { oid: ownerObjectId, aud }));
      assert.equal(response.status, 200, `${aud}: ${response.text}`);
    }
  });

  it("gives a token from another tenant the service's wrong-issuer message", async () => {
    const other = await t.server.tessera.directory.createTenant({ domain: 'elsewhere.onmicrosoft.com' });
    const client = await registerSecretClient(t, { displayName: 'stranger', tenant: other });
    const credential = new ClientSecretCredential(other.id, client.application.appId, client.secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
    expectChallenge(await get(await sdkToken(credential)), WRONG_ISSUER);
    const sdk = new AppConfigurationClient(store.endpoint, credential);
    await assert.rejects(sdk.getConfigurationSetting({ key: 'any' }), { statusCode: 401 });
  });

  it('host-style: a store audience must equal the Host header exactly', async () => {
    const host = `${store.name}.azconfig.localhost:${t.server.port}`;
    const hostPath = `/kv?api-version=${API_VERSION}`;
    const token = await mintToken(t, { oid: ownerObjectId, aud: `https://${host}` });
    const ok = await rawRequest(t, { path: hostPath, headers: { host, authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200, ok.text);
    const upper = `${store.name.toUpperCase()}.azconfig.localhost:${t.server.port}`;
    expectChallenge(
      await rawRequest(t, { path: hostPath, headers: { host: upper, authorization: `Bearer ${token}` } }),
      INVALID,
    );
    // The same store audience on the path-style endpoint is not the Host either.
    expectChallenge(await get(token), INVALID);
  });

  it('host-style: the authority issues a token for one store, and only its exact Host accepts it', async () => {
    const host = `${store.name}.azconfig.localhost:${t.server.port}`;
    // The authority resolves https://<store>.azconfig.localhost through the App Configuration
    // resource's wildcard identifier, and the token names that one store.
    const token = await sdkToken(ownerCredential, `https://${host}/.default`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
    };
    assert.equal(claims.aud, `https://${host}`);
    const hostPath = `/kv?api-version=${API_VERSION}`;
    const ok = await rawRequest(t, { path: hostPath, headers: { host, authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200, ok.text);
    // The same store under a Host that differs only in case is not the audience (exact match).
    const otherStore = `${store.name.toUpperCase()}.azconfig.localhost:${t.server.port}`;
    expectChallenge(
      await rawRequest(t, {
        path: hostPath,
        headers: { host: otherStore, authorization: `Bearer ${token}` },
      }),
      INVALID,
    );
    const cloud = await sdkToken(ownerCredential, `https://${store.name}.azconfig.io/.default`);
    const cloudClaims = JSON.parse(Buffer.from(cloud.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
    };
    assert.equal(cloudClaims.aud, `https://${store.name}.azconfig.io`);
  });
});
