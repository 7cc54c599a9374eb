import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

describe('client credentials with @azure/identity', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('issues a v1 token for ARM that verifies against the JWKS named in discovery', async () => {
    const { directory } = t.server.tessera;
    const { application, servicePrincipal } = await directory.registerApplication(t.tenant, {
      displayName: 'ci',
    });
    const { secretText } = await directory.credentials.addPassword(application);
    const credential = new ClientSecretCredential(t.tenant.id, application.appId, secretText, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken('https://management.azure.com/.default');
    const discovery = (await (
      await fetch(`${t.origin}/${t.tenant.id}/.well-known/openid-configuration`)
    ).json()) as {
      jwks_uri: string;
      issuer: string;
    };
    const { payload, protectedHeader } = await jwtVerify(
      token.token,
      createRemoteJWKSet(new URL(discovery.jwks_uri)),
      {
        issuer: `${t.origin}/${t.tenant.id}/`,
        audience: 'https://management.azure.com',
        algorithms: ['RS256'],
      },
    );
    assert.equal(discovery.issuer, `${t.origin}/${t.tenant.id}/`);
    assert.equal(protectedHeader.x5t, protectedHeader.kid);
    assert.equal(payload.tid, t.tenant.id);
    assert.equal(payload.appid, application.appId);
    assert.equal(payload.appidacr, '1');
    assert.equal(payload.oid, servicePrincipal.objectId);
    assert.equal(payload.idtyp, 'app');
    assert.equal(payload.ver, '1.0');
    const life = (payload.exp ?? 0) - (payload.iat ?? 0);
    assert.ok(life >= 3600 && life <= 5400, `lifetime ${life}`);
  });
});
