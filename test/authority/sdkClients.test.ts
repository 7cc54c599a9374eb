import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeProtectedHeader } from 'jose';
import {
  assertAppOnlyClaims,
  grantRole,
  recordingNetworkClient,
  registerCertificateClient,
  registerSecretClient,
  registerV2Api,
  verifyAccessToken,
} from '../support/authority.js';
import type { ApiApp, CertificateClient, SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const ARM_AS_AZ_SENDS_IT = 'https://management.core.windows.net//.default';
const ARM_V1_AUDIENCE = 'https://management.core.windows.net/';

/** Unmodified @azure/identity and @azure/msal-node clients against the authority. */
describe('SDK clients get verifiable app-only tokens', () => {
  let t: TestServer;
  let secretClient: SecretClient;
  let certClient: CertificateClient;
  let api: ApiApp;

  before(async () => {
    t = await startTestServer();
    secretClient = await registerSecretClient(t, { displayName: 'secret-client' });
    certClient = await registerCertificateClient(t, 'cert-client');
    api = await registerV2Api(t);
    await grantRole(t, secretClient, api);
    await grantRole(t, certClient, api);
  });
  after(async () => t.stop());

  const identityOptions = () => ({ authorityHost: t.origin, disableInstanceDiscovery: true });
  const msalAuthority = () => ({
    authority: `${t.origin}/${t.tenant.id}`,
    knownAuthorities: [new URL(t.origin).host],
  });
  const keyAndCertPem = () => `${certClient.certificate.privateKeyPem}\n${certClient.certificate.certPem}`;

  describe('@azure/identity ClientSecretCredential', () => {
    const credential = () =>
      new ClientSecretCredential(
        t.tenant.id,
        secretClient.application.appId,
        secretClient.secret,
        identityOptions(),
      );

    it('gets a v2 token with roles for a custom API named by its api:// identifier URI', async () => {
      const token = await credential().getToken(`api://${api.application.appId}/.default`);
      const { payload, protectedHeader } = await verifyAccessToken(t, token.token, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assert.equal(protectedHeader.x5t, undefined, 'v2 tokens carry no x5t');
      assertAppOnlyClaims(payload, {
        version: 2,
        tenantId: t.tenant.id,
        appId: secretClient.application.appId,
        acr: '1',
        servicePrincipal: secretClient.servicePrincipal,
        roles: [api.role.value],
      });
    });

    it('gets the same v2 shape when the API is named by its appId', async () => {
      const token = await credential().getToken(`${api.application.appId}/.default`);
      const { payload } = await verifyAccessToken(t, token.token, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assertAppOnlyClaims(payload, {
        version: 2,
        tenantId: t.tenant.id,
        appId: secretClient.application.appId,
        acr: '1',
        servicePrincipal: secretClient.servicePrincipal,
        roles: [api.role.value],
      });
    });

    it('gets a v1 ARM token for the double-slash scope az sends', async () => {
      const token = await credential().getToken(ARM_AS_AZ_SENDS_IT);
      const { payload, protectedHeader } = await verifyAccessToken(t, token.token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: ARM_V1_AUDIENCE,
      });
      assert.equal(protectedHeader.x5t, protectedHeader.kid);
      assertAppOnlyClaims(payload, {
        version: 1,
        tenantId: t.tenant.id,
        appId: secretClient.application.appId,
        acr: '1',
        servicePrincipal: secretClient.servicePrincipal,
      });
    });
  });

  describe('@azure/identity ClientCertificateCredential', () => {
    it('gets a token with a PEM holding the key and the certificate', async () => {
      const credential = new ClientCertificateCredential(
        t.tenant.id,
        certClient.application.appId,
        { certificate: keyAndCertPem() },
        identityOptions(),
      );
      const token = await credential.getToken(`api://${api.application.appId}/.default`);
      const { payload } = await verifyAccessToken(t, token.token, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assertAppOnlyClaims(payload, {
        version: 2,
        tenantId: t.tenant.id,
        appId: certClient.application.appId,
        acr: '2',
        servicePrincipal: certClient.servicePrincipal,
        roles: [api.role.value],
      });
    });

    it('gets a token when it sends the certificate chain (x5c)', async () => {
      const credential = new ClientCertificateCredential(
        t.tenant.id,
        certClient.application.appId,
        { certificate: keyAndCertPem() },
        { ...identityOptions(), sendCertificateChain: true },
      );
      const token = await credential.getToken(ARM_AS_AZ_SENDS_IT);
      const { payload } = await verifyAccessToken(t, token.token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: ARM_V1_AUDIENCE,
      });
      assertAppOnlyClaims(payload, {
        version: 1,
        tenantId: t.tenant.id,
        appId: certClient.application.appId,
        acr: '2',
        servicePrincipal: certClient.servicePrincipal,
      });
    });
  });

  it('registers an appId given in upper case so that tokens can be requested with either case', async () => {
    const appId = randomUUID().toUpperCase();
    const { directory } = t.server.tessera;
    const { application, servicePrincipal } = await directory.registerApplication(t.tenant, {
      displayName: 'upper',
      appId,
    });
    assert.equal(application.appId, appId.toLowerCase());
    const { secretText } = await directory.credentials.addPassword(application);
    for (const clientId of [appId, appId.toLowerCase()]) {
      const token = await new ClientSecretCredential(
        t.tenant.id,
        clientId,
        secretText,
        identityOptions(),
      ).getToken(ARM_AS_AZ_SENDS_IT);
      const { payload } = await verifyAccessToken(t, token.token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: ARM_V1_AUDIENCE,
      });
      assert.equal(payload.oid, servicePrincipal.objectId);
    }
  });

  describe('@azure/msal-node ConfidentialClientApplication', () => {
    it('gets a token with a client secret', async () => {
      const cca = new ConfidentialClientApplication({
        auth: {
          clientId: secretClient.application.appId,
          clientSecret: secretClient.secret,
          ...msalAuthority(),
        },
      });
      const result = await cca.acquireTokenByClientCredential({
        scopes: [`api://${api.application.appId}/.default`],
      });
      assert.ok(result);
      assert.equal(result.tokenType, 'Bearer');
      assert.ok(result.expiresOn && result.expiresOn.getTime() > Date.now() + 3000_000);
      const { payload } = await verifyAccessToken(t, result.accessToken, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assertAppOnlyClaims(payload, {
        version: 2,
        tenantId: t.tenant.id,
        appId: secretClient.application.appId,
        acr: '1',
        servicePrincipal: secretClient.servicePrincipal,
        roles: [api.role.value],
      });
    });

    it('accepts the client id spelled in upper case, with a certificate and with a secret', async () => {
      const { certificate } = certClient;
      const byCertificate = new ConfidentialClientApplication({
        auth: {
          clientId: certClient.application.appId.toUpperCase(),
          clientCertificate: {
            thumbprintSha256: certificate.thumbprintSha256Hex,
            privateKey: certificate.privateKeyPem,
          },
          ...msalAuthority(),
        },
      });
      const bySecret = new ConfidentialClientApplication({
        auth: {
          clientId: secretClient.application.appId.toUpperCase(),
          clientSecret: secretClient.secret,
          ...msalAuthority(),
        },
      });
      for (const [cca, client] of [
        [byCertificate, certClient],
        [bySecret, secretClient],
      ] as const) {
        const result = await cca.acquireTokenByClientCredential({ scopes: [ARM_AS_AZ_SENDS_IT] });
        assert.ok(result);
        const { payload } = await verifyAccessToken(t, result.accessToken, {
          version: 1,
          tenantId: t.tenant.id,
          audience: ARM_V1_AUDIENCE,
        });
        assert.equal(payload.appid, client.application.appId, 'the claim has the registered spelling');
      }
    });

    for (const variant of [
      { name: 'SHA-256 thumbprint (PS256 + x5t#S256)', alg: 'PS256', header: 'x5t#S256' },
      { name: 'SHA-1 thumbprint (RS256 + x5t)', alg: 'RS256', header: 'x5t' },
    ] as const) {
      it(`gets a token with a certificate identified by its ${variant.name}`, async () => {
        const { certificate } = certClient;
        const network = recordingNetworkClient();
        const cca = new ConfidentialClientApplication({
          auth: {
            clientId: certClient.application.appId,
            clientCertificate:
              variant.alg === 'PS256'
                ? { thumbprintSha256: certificate.thumbprintSha256Hex, privateKey: certificate.privateKeyPem }
                : { thumbprint: certificate.thumbprintSha1Hex, privateKey: certificate.privateKeyPem },
            ...msalAuthority(),
          },
          system: { networkClient: network.client },
        });
        const result = await cca.acquireTokenByClientCredential({ scopes: [ARM_AS_AZ_SENDS_IT] });
        assert.ok(result);
        const assertion = network.posts.at(-1)?.get('client_assertion');
        assert.ok(assertion, 'msal-node posted a client assertion');
        const header = decodeProtectedHeader(assertion);
        assert.equal(header.alg, variant.alg);
        assert.ok(header[variant.header], `assertion header has ${variant.header}`);
        const { payload } = await verifyAccessToken(t, result.accessToken, {
          version: 1,
          tenantId: t.tenant.id,
          audience: ARM_V1_AUDIENCE,
        });
        assertAppOnlyClaims(payload, {
          version: 1,
          tenantId: t.tenant.id,
          appId: certClient.application.appId,
          acr: '2',
          servicePrincipal: certClient.servicePrincipal,
        });
      });
    }
  });
});
