import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientCertificateCredential } from '@azure/identity';
import { decodeProtectedHeader, errors as joseErrors } from 'jose';
import {
  grantRole,
  postForm,
  registerCertificateClient,
  registerSecretClient,
  registerV2Api,
  tokenUrl,
  verifyAccessToken,
} from '../support/authority.js';
import type { ApiApp, CertificateClient, SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/** ARM as @azure/identity names it: `<ARM>/.default`, so the v1 `aud` has no trailing slash. */
const ARM = 'https://management.azure.com';

/** Signing keys and directory data survive restarts; rotation keeps old tokens verifiable. */
describe('signing keys and persistence', () => {
  let t: TestServer;
  let client: SecretClient;
  let certClient: CertificateClient;
  let api: ApiApp;

  before(async () => {
    t = await startTestServer();
    client = await registerSecretClient(t);
    certClient = await registerCertificateClient(t);
    api = await registerV2Api(t);
    await grantRole(t, client, api);
  });
  after(async () => t.stop());

  const armToken = async (): Promise<string> => {
    const response = await postForm(tokenUrl(t), {
      client_id: client.application.appId,
      client_secret: client.secret,
      scope: `${ARM}/.default`,
      grant_type: 'client_credentials',
    });
    const body = (await response.json()) as { access_token: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.access_token;
  };
  const verifyArm = (token: string) =>
    verifyAccessToken(t, token, { version: 1, tenantId: t.tenant.id, audience: ARM });
  const kidOf = (token: string): string => {
    const { kid } = decodeProtectedHeader(token);
    assert.ok(kid);
    return kid;
  };
  const jwksUrls = () => [
    `${t.origin}/${t.tenant.id}/discovery/v2.0/keys`,
    `${t.origin}/${t.tenant.id}/discovery/keys`,
    `${t.origin}/common/discovery/keys`,
    `${t.origin}/common/discovery/v2.0/keys`,
    `${t.origin}/${t.tenant.domain}/discovery/keys`,
  ];
  const publishedKids = async (url: string): Promise<string[]> => {
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    const { keys } = (await response.json()) as {
      keys: Array<{
        kid: string;
        kty: string;
        use: string;
        x5t: string;
        n: string;
        e: string;
        x5c: string[];
      }>;
    };
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.equal(key.use, 'sig');
      assert.ok(key.n && key.e && key.x5c.length === 1 && key.x5t);
    }
    return keys.map((k) => k.kid).sort();
  };
  /** Every JWKS URL publishes the same kids; returns them. */
  const kidsEverywhere = async (): Promise<string[]> => {
    const [first, ...rest] = await Promise.all(jwksUrls().map(publishedKids));
    assert.ok(first);
    for (const other of rest) assert.deepEqual(other, first);
    return first;
  };

  describe('restart', () => {
    it('keeps tenants, apps, secrets, certificates, role assignments and signing keys', async () => {
      const before = await armToken();
      const kidsBefore = await kidsEverywhere();
      await verifyArm(before);

      await t.restart();
      assert.equal(t.server.bootstrap, undefined, 'a restart does not bootstrap again');

      const { directory } = t.server.tessera;
      assert.deepEqual(await directory.tenants.find(t.tenant.id), t.tenant);
      assert.ok(await directory.applications.findByAppId(client.application.appId));
      assert.deepEqual(await kidsEverywhere(), kidsBefore, 'no new key after a restart');
      await verifyArm(before);

      const after = await armToken();
      assert.equal(kidOf(after), kidOf(before), 'signed by the same key');
      const { payload } = await verifyArm(after);
      assert.equal(payload.oid, client.servicePrincipal.objectId);

      const response = await postForm(tokenUrl(t), {
        client_id: client.application.appId,
        client_secret: client.secret,
        scope: `api://${api.application.appId}/.default`,
        grant_type: 'client_credentials',
      });
      const body = (await response.json()) as { access_token: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      const v2 = await verifyAccessToken(t, body.access_token, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assert.deepEqual(v2.payload.roles, [api.role.value]);

      const cert = await new ClientCertificateCredential(
        t.tenant.id,
        certClient.application.appId,
        { certificate: `${certClient.certificate.privateKeyPem}\n${certClient.certificate.certPem}` },
        { authorityHost: t.origin, disableInstanceDiscovery: true },
      ).getToken(`${ARM}/.default`);
      const certToken = await verifyArm(cert.token);
      assert.equal(certToken.payload.appidacr, '2');
    });
  });

  describe('rotation', () => {
    it('signs new tokens with the new key and keeps publishing the old one', async () => {
      const old = await armToken();
      const oldKid = kidOf(old);

      const rotated = await t.server.tessera.keys.rotate();
      assert.notEqual(rotated.kid, oldKid);
      assert.deepEqual(rotated.retired, [oldKid]);

      const fresh = await armToken();
      assert.equal(kidOf(fresh), rotated.kid);
      assert.deepEqual(await kidsEverywhere(), [oldKid, rotated.kid].sort());
      await verifyArm(old);
      await verifyArm(fresh);

      // The rotation is in the database: a restarted server signs with the new key.
      await t.restart();
      assert.equal(kidOf(await armToken()), rotated.kid);
      await verifyArm(old);
    });

    it('stops publishing a key retired more than 95 minutes ago', async () => {
      const old = await armToken();
      const oldKid = kidOf(old);
      const { kid: newKid } = await t.server.tessera.keys.rotate();
      const { db } = t.server.tessera;
      const retireAgo = (minutes: number) =>
        db
          .updateTable('signing_keys')
          .set({ retired_at: Math.floor(Date.now() / 1000) - minutes * 60 })
          .where('kid', '=', oldKid)
          .execute();

      await retireAgo(94);
      assert.ok((await kidsEverywhere()).includes(oldKid), 'still published at 94 minutes');
      await verifyArm(old);

      await retireAgo(96);
      const kids = await kidsEverywhere();
      assert.ok(!kids.includes(oldKid), 'gone at 96 minutes');
      assert.ok(kids.includes(newKid));
      await assert.rejects(verifyArm(old), joseErrors.JWKSNoMatchingKey);
      await verifyArm(await armToken());
    });
  });
});
