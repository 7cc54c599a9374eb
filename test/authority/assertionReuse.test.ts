import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientCertificateCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  JWT_BEARER,
  assertAppOnlyClaims,
  clientAssertion,
  grantRole,
  postForm,
  recordingNetworkClient,
  registerCertificateClient,
  registerV2Api,
  tokenUrl,
  verifyAccessToken,
} from '../support/authority.js';
import type { ApiApp, CertificateClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/**
 * msal-node signs one client assertion and presents it until it expires (10 minutes), for
 * every resource: the authority must not treat the second presentation as a replay.
 */
describe('a client assertion is accepted again until it expires', () => {
  let t: TestServer;
  let client: CertificateClient;
  let api: ApiApp;

  before(async () => {
    t = await startTestServer();
    client = await registerCertificateClient(t);
    api = await registerV2Api(t);
    await grantRole(t, client, api);
  });
  after(async () => t.stop());

  it('msal-node: two resources with skipCache, one assertion, two tokens', async () => {
    const network = recordingNetworkClient();
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: client.application.appId,
        authority: `${t.origin}/${t.tenant.id}`,
        knownAuthorities: [new URL(t.origin).host],
        clientCertificate: {
          thumbprintSha256: client.certificate.thumbprintSha256Hex,
          privateKey: client.certificate.privateKeyPem,
        },
      },
      system: { networkClient: network.client },
    });
    const arm = await cca.acquireTokenByClientCredential({
      scopes: ['https://management.azure.com/.default'],
      skipCache: true,
    });
    const orders = await cca.acquireTokenByClientCredential({
      scopes: [`api://${api.application.appId}/.default`],
      skipCache: true,
    });
    assert.ok(arm && orders);
    const assertions = network.posts.map((p) => p.get('client_assertion'));
    assert.equal(assertions.length, 2);
    assert.ok(assertions[0]);
    assert.equal(assertions[1], assertions[0], 'msal-node reused its assertion');

    await verifyAccessToken(t, arm.accessToken, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    const { payload } = await verifyAccessToken(t, orders.accessToken, {
      version: 2,
      tenantId: t.tenant.id,
      audience: api.application.appId,
    });
    assertAppOnlyClaims(payload, {
      version: 2,
      tenantId: t.tenant.id,
      appId: client.application.appId,
      acr: '2',
      servicePrincipal: client.servicePrincipal,
      roles: [api.role.value],
    });
  });

  it('@azure/identity: one credential, two resources', async () => {
    const credential = new ClientCertificateCredential(
      t.tenant.id,
      client.application.appId,
      { certificate: `${client.certificate.privateKeyPem}\n${client.certificate.certPem}` },
      { authorityHost: t.origin, disableInstanceDiscovery: true },
    );
    const arm = await credential.getToken('https://management.azure.com/.default');
    const orders = await credential.getToken(`${api.application.appId}/.default`);
    await verifyAccessToken(t, arm.token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    await verifyAccessToken(t, orders.token, {
      version: 2,
      tenantId: t.tenant.id,
      audience: api.application.appId,
    });
  });

  it('raw: the same assertion posted twice gets two tokens', async () => {
    const assertion = await clientAssertion(client.certificate, {
      aud: tokenUrl(t),
      iss: client.application.appId,
    });
    for (const scope of [
      'https://management.azure.com/.default',
      `api://${api.application.appId}/.default`,
    ]) {
      const response = await postForm(tokenUrl(t), {
        client_id: client.application.appId,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
        scope,
        grant_type: 'client_credentials',
      });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(typeof body.access_token, 'string');
      assert.equal(body.error, undefined);
    }
  });

  it('raw: an RS256 assertion identified by x5t is accepted as well', async () => {
    const assertion = await clientAssertion(
      client.certificate,
      { aud: tokenUrl(t), iss: client.application.appId },
      { alg: 'RS256' },
    );
    const response = await postForm(tokenUrl(t), {
      client_id: client.application.appId,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope: 'https://management.azure.com/.default',
      grant_type: 'client_credentials',
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { access_token } = (await response.json()) as { access_token: string };
    const { payload } = await verifyAccessToken(t, access_token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(payload.appidacr, '2');
  });
});
