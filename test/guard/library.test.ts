import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { bearerGuard } from '../../src/guard/index.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

describe('tessera/guard mounted in another Fastify server', () => {
  let t: TestServer;
  let api: FastifyInstance;
  let apiUrl: string;
  let credential: ClientSecretCredential;
  let appId: string;
  let secret: string;
  const jwksFetches: string[] = [];

  before(async () => {
    t = await startTestServer();
    const { directory } = t.server.tessera;
    await directory.registerApplication(t.tenant, {
      displayName: 'orders',
      identifierUris: ['api://orders'],
    });
    const client = await directory.registerApplication(t.tenant, { displayName: 'orders-client' });
    appId = client.application.appId;
    secret = (await directory.credentials.addPassword(client.application)).secretText;
    credential = new ClientSecretCredential(t.tenant.id, appId, secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });

    api = Fastify({
      https: {
        key: readFileSync(join(t.dataDir, 'tls', 'server-key.pem')),
        cert: readFileSync(join(t.dataDir, 'tls', 'server.pem')),
      },
    });
    await api.register(
      bearerGuard({
        authority: t.origin,
        tenantId: t.tenant.id,
        audiences: ['api://orders'],
        fetch: async (input, init) => {
          jwksFetches.push(String(input));
          return fetch(input, init);
        },
      }),
    );
    api.get('/orders', async (request) => ({ caller: request.bearer?.principal }));
    await api.listen({ host: '127.0.0.1', port: 0 });
    const address = api.server.address();
    apiUrl = `https://localhost:${typeof address === 'object' && address ? address.port : 0}/orders`;
  });
  after(async () => {
    await api.close();
    await t.stop();
  });

  const call = (token?: string) =>
    fetch(apiUrl, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lets a valid token through with the caller, fetching the remote JWKS once', async () => {
    const { token } = await credential.getToken('api://orders/.default');
    for (let i = 0; i < 3; i++) {
      const response = await call(token);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { caller: { tenantId: string; appId: string; kind: string } };
      assert.equal(body.caller.tenantId, t.tenant.id);
      assert.equal(body.caller.appId, appId);
      assert.equal(body.caller.kind, 'app');
    }
    assert.deepEqual(jwksFetches, [`${t.origin}/${t.tenant.id}/discovery/v2.0/keys`]);
  });

  it('challenges a request without a token and one for another audience', async () => {
    const missing = await call();
    assert.equal(missing.status, 401);
    assert.equal(
      missing.headers.get('www-authenticate'),
      `Bearer authorization_uri="${t.origin}/${t.tenant.id}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
    );
    assert.deepEqual(await missing.json(), {
      error: {
        code: 'AuthenticationFailed',
        message: "Authentication failed. The 'Authorization' header is missing.",
      },
    });
    const { token } = await credential.getToken('https://management.azure.com/.default');
    const wrongAudience = await call(token);
    assert.equal(wrongAudience.status, 401);
    assert.equal(
      ((await wrongAudience.json()) as { error: { code: string } }).error.code,
      'InvalidAuthenticationToken',
    );
  });

  it('refetches the JWKS when a token names a key it has not seen (after rotation)', async () => {
    const before = jwksFetches.length;
    const { kid } = await t.server.tessera.keys.rotate();
    // A new credential has an empty token cache, so this token is signed by the new key.
    const fresh = new ClientSecretCredential(t.tenant.id, appId, secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
    const { token } = await fresh.getToken('api://orders/.default');
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string;
    };
    assert.equal(header.kid, kid);
    assert.equal((await call(token)).status, 200);
    assert.equal(jwksFetches.length, before + 1);
  });

  it('refuses plain HTTP', async () => {
    const plain = Fastify();
    await plain.register(
      bearerGuard({ authority: t.origin, tenantId: t.tenant.id, audiences: ['api://orders'] }),
    );
    plain.get('/orders', async () => ({ ok: true }));
    const response = await plain.inject({ method: 'GET', url: '/orders' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'HttpsRequired');
    await plain.close();
  });
});
