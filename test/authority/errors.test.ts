import { recordChange } from '../../src/store/changes.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import {
  JWT_BEARER,
  assertNoLeak,
  clientAssertion,
  expectAadsts,
  postForm,
  registerCertificateClient,
  registerSecretClient,
  tokenUrl,
} from '../support/authority.js';
import type { CertificateClient, SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const ARM = 'https://management.azure.com/.default';

/** A valid-looking tenant domain of exactly `length` characters, in labels of at most 63. */
function longDomain(length: number): string {
  const suffix = '.onmicrosoft.com';
  const labels: string[] = [];
  let remaining = length - suffix.length;
  for (let i = 0; remaining > 64; i++, remaining -= 64) labels.push(String.fromCharCode(97 + i).repeat(63));
  labels.push('z'.repeat(remaining));
  const domain = `${labels.join('.')}${suffix}`;
  assert.equal(domain.length, length);
  assert.ok(domain.split('.').every((l) => l.length >= 1 && l.length <= 63));
  return domain;
}

/** Every failure in Entra's JSON error shape, with Entra's AADSTS code and HTTP status. */
describe('token endpoint errors', () => {
  let t: TestServer;
  let client: SecretClient;
  let certClient: CertificateClient;

  before(async () => {
    t = await startTestServer();
    client = await registerSecretClient(t);
    certClient = await registerCertificateClient(t);
  });
  after(async () => t.stop());

  /** Posts with a fresh client-request-id and returns it with the response. */
  const post = async (
    fields: Record<string, string> | string,
    options: {
      tenant?: string;
      version?: 1 | 2;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const correlationId = randomUUID();
    const response = await postForm(
      tokenUrl(t, options.tenant ?? t.tenant.id, options.version ?? 2),
      fields,
      {
        ...(options.contentType ? { contentType: options.contentType } : {}),
        headers: { 'client-request-id': correlationId, ...options.headers },
      },
    );
    return { response, correlationId };
  };
  const secretForm = (overrides: Record<string, string> = {}) => ({
    client_id: client.application.appId,
    client_secret: client.secret,
    scope: ARM,
    grant_type: 'client_credentials',
    ...overrides,
  });
  const assertionForm = (assertion: string) => ({
    client_id: certClient.application.appId,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
    scope: ARM,
    grant_type: 'client_credentials',
  });

  describe('tenants', () => {
    for (const tenant of [randomUUID(), 'nosuch.onmicrosoft.com']) {
      it(`answers 90002 for the unknown tenant ${tenant} on the token endpoints`, async () => {
        for (const version of [1, 2] as const) {
          const { response, correlationId } = await post(secretForm({ resource: ARM }), { tenant, version });
          const body = await expectAadsts(response, 400, 'invalid_tenant', 90002, correlationId);
          assert.ok(body.error_description.includes(`Tenant '${tenant}' not found.`));
        }
      });

      it(`answers 90002 for the unknown tenant ${tenant} on discovery and keys`, async () => {
        for (const path of [
          'v2.0/.well-known/openid-configuration',
          '.well-known/openid-configuration',
          'discovery/v2.0/keys',
          'discovery/keys',
        ]) {
          const correlationId = randomUUID();
          const response = await fetch(`${t.origin}/${tenant}/${path}`, {
            headers: { 'client-request-id': correlationId },
          });
          await expectAadsts(response, 400, 'invalid_tenant', 90002, correlationId);
        }
      });
    }

    for (const length of [200, 253]) {
      it(`answers 90002 (not 414) for an unknown tenant domain of ${length} characters`, async () => {
        const tenant = longDomain(length);
        for (const version of [1, 2] as const) {
          const { response, correlationId } = await post(secretForm(), { tenant, version });
          const body = await expectAadsts(response, 400, 'invalid_tenant', 90002, correlationId);
          assert.ok(body.error_description.includes(`Tenant '${tenant}' not found.`));
        }
        for (const path of ['v2.0/.well-known/openid-configuration', 'discovery/keys']) {
          const correlationId = randomUUID();
          const response = await fetch(`${t.origin}/${tenant}/${path}`, {
            headers: { 'client-request-id': correlationId },
          });
          await expectAadsts(response, 400, 'invalid_tenant', 90002, correlationId);
        }
      });
    }

    it('answers 50059 for client credentials on /common and /organizations', async () => {
      for (const tenant of ['common', 'organizations']) {
        const { response, correlationId } = await post(secretForm(), { tenant });
        await expectAadsts(response, 400, 'invalid_request', 50059, correlationId);
      }
    });
  });

  describe('client authentication', () => {
    it('answers 700016 for an unknown application', async () => {
      for (const clientId of [randomUUID(), 'not-a-guid']) {
        const { response, correlationId } = await post(secretForm({ client_id: clientId }));
        const body = await expectAadsts(response, 400, 'unauthorized_client', 700016, correlationId);
        assert.ok(body.error_description.includes(`'${clientId}'`));
        assert.ok(body.error_description.includes(t.tenant.domain));
      }
    });

    it('answers 7000229 (401) for an app without a service principal in its home tenant', async () => {
      const { directory, db } = t.server.tessera;
      // Created without a principal, as the Graph API can...
      const bare = await directory.applications.create(t.tenant.id, { displayName: 'no-principal' });
      const { secretText: bareSecret } = await directory.credentials.addPassword(bare);
      // ...and registered with one that was deleted afterwards (multi-tenant or not).
      const deleted: SecretClient[] = [];
      for (const signInAudience of ['AzureADMyOrg', 'AzureADMultipleOrgs'] as const) {
        const c = await registerSecretClient(t, { displayName: 'principal-deleted', signInAudience });
        // Raw writes must record the change, as the product's own writes do, or caches keep the row.
        await recordChange(db, 'directory', (trx) =>
          trx.deleteFrom('service_principals').where('object_id', '=', c.servicePrincipal.objectId).execute(),
        );
        assert.equal(
          await directory.servicePrincipals.findByAppId(t.tenant.id, c.application.appId),
          undefined,
        );
        deleted.push(c);
      }
      for (const [appId, secret] of [
        [bare.appId, bareSecret],
        ...deleted.map((c) => [c.application.appId, c.secret] as const),
      ] as const) {
        for (const version of [2, 1] as const) {
          const form =
            version === 2
              ? secretForm({ client_id: appId, client_secret: secret })
              : {
                  client_id: appId,
                  client_secret: secret,
                  grant_type: 'client_credentials',
                  resource: 'https://management.azure.com/',
                };
          const { response, correlationId } = await post(form, { version });
          const body = await expectAadsts(response, 401, 'invalid_client', 7000229, correlationId);
          assert.ok(body.error_description.includes(appId), body.error_description);
        }
      }
    });

    it('answers 7000215 (401) for a wrong secret, and for another app’s secret', async () => {
      const other = await registerSecretClient(t, { displayName: 'other' });
      for (const secret of ['wrong', other.secret, `${client.secret} `]) {
        const { response, correlationId } = await post(secretForm({ client_secret: secret }));
        await expectAadsts(response, 401, 'invalid_client', 7000215, correlationId);
      }
    });

    it('answers 7000216 (401) when no credential is sent', async () => {
      for (const form of [
        secretForm({ client_secret: '' }),
        { client_id: client.application.appId, scope: ARM, grant_type: 'client_credentials' },
      ]) {
        const { response, correlationId } = await post(form);
        const body = await expectAadsts(response, 401, 'invalid_client', 7000216, correlationId);
        assert.ok(body.error_description.includes("'client_credentials'"));
      }
    });

    it('answers 7000222 (401) for an expired secret', async () => {
      const { directory } = t.server.tessera;
      const { application } = await directory.registerApplication(t.tenant, { displayName: 'expired' });
      // Entra refuses to create a secret that is already expired, and so does the directory:
      // the secret is created valid and its end date moved into the past.
      await assert.rejects(
        directory.credentials.addPassword(application, { endAt: Math.floor(Date.now() / 1000) - 60 }),
        /end date must be in the future/,
      );
      const { secretText, credential } = await directory.credentials.addPassword(application);
      await recordChange(t.server.tessera.db, 'directory', (trx) =>
        trx
          .updateTable('password_credentials')
          .set({ end_at: Math.floor(Date.now() / 1000) - 60 })
          .where('key_id', '=', credential.keyId)
          .execute(),
      );
      const { response, correlationId } = await post(
        secretForm({ client_id: application.appId, client_secret: secretText }),
      );
      const body = await expectAadsts(response, 401, 'invalid_client', 7000222, correlationId);
      assert.ok(body.error_description.includes(application.appId));
    });

    it('answers 700027 (401) for an assertion signed with an unregistered certificate', async () => {
      const stranger = await createSelfSignedCertificate('stranger');
      const assertion = await clientAssertion(stranger, {
        aud: tokenUrl(t),
        iss: certClient.application.appId,
      });
      const { response, correlationId } = await post(assertionForm(assertion));
      await expectAadsts(response, 401, 'invalid_client', 700027, correlationId);
    });

    it('answers 700027 (401) for a registered thumbprint with a signature by another key', async () => {
      const stranger = await createSelfSignedCertificate('stranger');
      for (const alg of ['PS256', 'RS256'] as const) {
        const assertion = await clientAssertion(
          certClient.certificate,
          { aud: tokenUrl(t), iss: certClient.application.appId },
          { alg, signingKeyPem: stranger.privateKeyPem },
        );
        const { response, correlationId } = await post(assertionForm(assertion));
        await expectAadsts(response, 401, 'invalid_client', 700027, correlationId);
      }
    });

    it('answers 700027 (401) for an assertion whose audience is not this tenant’s token endpoint', async () => {
      const other = await t.server.tessera.directory.createTenant({ domain: 'elsewhere' });
      const otherPort = new URL(t.origin);
      otherPort.port = String(Number(otherPort.port) === 65535 ? 1024 : Number(otherPort.port) + 1);
      for (const aud of [
        `https://login.microsoftonline.com/${t.tenant.id}/oauth2/v2.0/token`,
        // Another authority on this machine (another Tessera, another port) is not this one.
        `${otherPort.origin}/${t.tenant.id}/oauth2/v2.0/token`,
        `https://localhost:1/${t.tenant.id}/oauth2/v2.0/token`,
        // No port is 443, which is not the port this Tessera listens on.
        `https://localhost/${t.tenant.id}/oauth2/v2.0/token`,
        `http://${new URL(t.origin).host}/${t.tenant.id}/oauth2/v2.0/token`,
        tokenUrl(t, other.id),
        `${t.origin}/${t.tenant.id}/oauth2/v2.0/authorize`,
      ]) {
        const assertion = await clientAssertion(certClient.certificate, {
          aud,
          iss: certClient.application.appId,
        });
        const { response, correlationId } = await post(assertionForm(assertion));
        await expectAadsts(response, 401, 'invalid_client', 700027, correlationId);
      }
    });

    it('answers 700027 (401) for an assertion that is not a JWT', async () => {
      for (const assertion of ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) {
        const { response, correlationId } = await post(assertionForm(assertion));
        await expectAadsts(response, 401, 'invalid_client', 700027, correlationId);
      }
    });

    it('answers 700024 (401) for an expired assertion', async () => {
      const now = Math.floor(Date.now() / 1000);
      const assertion = await clientAssertion(certClient.certificate, {
        aud: tokenUrl(t),
        iss: certClient.application.appId,
        nbf: now - 3600,
        exp: now - 1200,
      });
      const { response, correlationId } = await post(assertionForm(assertion));
      await expectAadsts(response, 401, 'invalid_client', 700024, correlationId);
    });

    it('answers 700024 (401) for an assertion that is not valid yet', async () => {
      const now = Math.floor(Date.now() / 1000);
      const assertion = await clientAssertion(certClient.certificate, {
        aud: tokenUrl(t),
        iss: certClient.application.appId,
        nbf: now + 3600,
        exp: now + 4200,
      });
      const { response, correlationId } = await post(assertionForm(assertion));
      await expectAadsts(response, 401, 'invalid_client', 700024, correlationId);
    });

    it('answers 700027 (401) for an assertion signed with an expired registered certificate', async () => {
      const { directory } = t.server.tessera;
      const { application } = await directory.registerApplication(t.tenant, { displayName: 'old-cert' });
      const certificate = await createSelfSignedCertificate('old-cert');
      const now = Math.floor(Date.now() / 1000);
      await directory.credentials.addCertificate(application, {
        certificatePem: certificate.certPem,
        thumbprintSha1: certificate.thumbprintSha1Hex,
        thumbprintSha256: certificate.thumbprintSha256Hex,
        startAt: now - 7200,
        endAt: now - 60,
      });
      const assertion = await clientAssertion(certificate, { aud: tokenUrl(t), iss: application.appId });
      const { response, correlationId } = await post({
        ...assertionForm(assertion),
        client_id: application.appId,
      });
      const body = await expectAadsts(response, 401, 'invalid_client', 700027, correlationId);
      assert.match(body.error_description, /expired/);
    });

    it('answers 700021 (401) for an assertion issued by another client id', async () => {
      const assertion = await clientAssertion(certClient.certificate, {
        aud: tokenUrl(t),
        iss: randomUUID(),
      });
      const { response, correlationId } = await post(assertionForm(assertion));
      await expectAadsts(response, 401, 'invalid_client', 700021, correlationId);
    });
  });

  describe('grant and scope', () => {
    it('answers 70003 for an unsupported grant type', async () => {
      const { response, correlationId } = await post(secretForm({ grant_type: 'urn:example:magic' }));
      await expectAadsts(response, 400, 'unsupported_grant_type', 70003, correlationId);
    });

    it('answers 900144 when grant_type, scope or resource is missing', async () => {
      const without = (name: string) => {
        const form: Record<string, string> = secretForm();
        delete form[name];
        return form;
      };
      const noGrant = without('grant_type');
      const noScope = without('scope');
      for (const [form, version, name] of [
        [noGrant, 2, 'grant_type'],
        [noScope, 2, 'scope'],
        [noScope, 1, 'resource'],
      ] as const) {
        const { response, correlationId } = await post(form, { version });
        const body = await expectAadsts(response, 400, 'invalid_request', 900144, correlationId);
        assert.ok(body.error_description.includes(`'${name}'`), body.error_description);
      }
    });

    it('answers 901002 for a resource parameter on the v2 endpoint', async () => {
      const noScope: Record<string, string> = secretForm({ resource: 'https://management.azure.com/' });
      delete noScope.scope;
      for (const form of [
        noScope,
        secretForm({ resource: 'https://management.azure.com/' }),
        secretForm({ resource: '' }),
      ]) {
        const { response, correlationId } = await post(form);
        const body = await expectAadsts(response, 400, 'invalid_request', 901002, correlationId);
        assert.ok(body.error_description.includes("'resource'"), body.error_description);
      }
    });

    it('answers 500011 for a resource not in the tenant', async () => {
      for (const [fields, version] of [
        [{ scope: 'https://nothing.example.com/.default' }, 2],
        [{ scope: `${randomUUID()}/.default` }, 2],
        [{ resource: 'https://nothing.example.com' }, 1],
      ] as const) {
        const { response, correlationId } = await post(secretForm(fields), { version });
        const body = await expectAadsts(response, 400, 'invalid_resource', 500011, correlationId);
        assert.ok(body.error_description.includes(t.tenant.domain));
      }
    });

    it('answers 1002012 for a scope without /.default', async () => {
      for (const scope of [
        'https://management.azure.com/user_impersonation',
        'https://management.azure.com/',
      ]) {
        const { response, correlationId } = await post(secretForm({ scope }));
        await expectAadsts(response, 400, 'invalid_scope', 1002012, correlationId);
      }
    });

    it('answers 28000 for scopes naming two resources', async () => {
      const { response, correlationId } = await post(
        secretForm({ scope: `${ARM} https://graph.microsoft.com/.default` }),
      );
      await expectAadsts(response, 400, 'invalid_scope', 28000, correlationId);
    });
  });

  describe('request bodies', () => {
    it('answers 400 for a body with a bad percent escape', async () => {
      const body = `${new URLSearchParams(secretForm()).toString()}&client_secret=%E0%A4%A`;
      const { response, correlationId } = await post(body);
      await expectAadsts(response, 400, 'invalid_request', 90100, correlationId);
    });

    it('answers 413 for a body over 64 KiB', async () => {
      const body = `${new URLSearchParams(secretForm()).toString()}&padding=${'a'.repeat(65 * 1024)}`;
      const { response, correlationId } = await post(body);
      await expectAadsts(response, 413, 'invalid_request', 90100, correlationId);
    });

    it('accepts a body just under the limit (an assertion with a long x5c chain)', async () => {
      const form = new URLSearchParams(secretForm()).toString();
      const { response } = await post(`${form}&padding=${'a'.repeat(60 * 1024)}`);
      assert.equal(response.status, 200, await response.text());
    });

    it('reads a JSON body as an empty form: 900144 for grant_type', async () => {
      const { response, correlationId } = await post(JSON.stringify(secretForm()), {
        contentType: 'application/json',
      });
      const body = await expectAadsts(response, 400, 'invalid_request', 900144, correlationId);
      assert.ok(body.error_description.includes("'grant_type'"));
    });

    it('answers 400 for a parameter sent twice', async () => {
      for (const name of ['client_id', 'client_secret', 'grant_type', 'scope']) {
        const form = new URLSearchParams(secretForm());
        form.append(name, form.get(name) ?? '');
        const { response, correlationId } = await post(form.toString());
        const body = await expectAadsts(response, 400, 'invalid_request', 9000411, correlationId);
        assert.ok(body.error_description.includes(`'${name}'`));
      }
    });

    it('answers 4xx in Entra’s shape for malformed client authentication', async () => {
      const cases: Array<{
        fields: Record<string, string>;
        headers?: Record<string, string>;
        status: number;
        error: string;
        code: number;
      }> = [
        {
          fields: secretForm(),
          headers: { authorization: 'Basic !!!' },
          status: 400,
          error: 'invalid_request',
          code: 90100,
        },
        {
          fields: secretForm(),
          headers: { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
          status: 400,
          error: 'invalid_request',
          code: 90100,
        },
        {
          fields: secretForm(),
          headers: {
            authorization: `Basic ${Buffer.from(`${client.application.appId}:%E0%A4%A`).toString('base64')}`,
          },
          status: 400,
          error: 'invalid_request',
          code: 90100,
        },
        {
          fields: secretForm(),
          headers: { authorization: `Basic ${Buffer.from(`${randomUUID()}:x`).toString('base64')}` },
          status: 400,
          error: 'invalid_request',
          code: 900023,
        },
        {
          fields: { ...assertionForm('a.b.c'), client_assertion_type: 'urn:example:other' },
          status: 400,
          error: 'invalid_request',
          code: 50027,
        },
        {
          fields: { ...assertionForm(''), client_assertion: '' },
          status: 400,
          error: 'invalid_request',
          code: 900144,
        },
        {
          fields: { scope: ARM, grant_type: 'client_credentials' },
          status: 400,
          error: 'invalid_request',
          code: 900144,
        },
      ];
      for (const c of cases) {
        const { response, correlationId } = await post(c.fields, c.headers ? { headers: c.headers } : {});
        await expectAadsts(response, c.status, c.error, c.code, correlationId);
      }
    });
  });

  describe('methods', () => {
    it('answers 405 with 900561 for GET on the token endpoints', async () => {
      // Credentials in a query string are never looked at.
      const query = new URLSearchParams(secretForm()).toString();
      for (const version of [2, 1] as const) {
        for (const tenant of [t.tenant.id, 'common', 'nosuch.onmicrosoft.com']) {
          for (const url of [tokenUrl(t, tenant, version), `${tokenUrl(t, tenant, version)}?${query}`]) {
            const correlationId = randomUUID();
            const response = await fetch(url, { headers: { 'client-request-id': correlationId } });
            assert.equal(response.headers.get('cache-control'), 'no-store');
            const body = await expectAadsts(response, 405, 'invalid_request', 900561, correlationId);
            assert.match(body.error_description, /POST/);
          }
        }
      }
    });
  });

  describe('correlation', () => {
    it('echoes a client-request-id sent in the query string, as MSAL sends it', async () => {
      const correlationId = randomUUID();
      const response = await postForm(
        `${tokenUrl(t)}?client-request-id=${correlationId}`,
        secretForm({ client_secret: 'wrong' }),
      );
      await expectAadsts(response, 401, 'invalid_client', 7000215, correlationId);
      assert.equal(response.headers.get('client-request-id'), correlationId);
    });

    it('makes up a correlation id when none (or no GUID) is sent', async () => {
      const first = await expectAadsts(
        await postForm(tokenUrl(t), secretForm({ client_secret: 'wrong' })),
        401,
        'invalid_client',
        7000215,
      );
      const second = await expectAadsts(
        await postForm(tokenUrl(t), secretForm({ client_secret: 'wrong' }), {
          headers: { 'client-request-id': '<script>' },
        }),
        401,
        'invalid_client',
        7000215,
      );
      assert.notEqual(first.correlation_id, second.correlation_id);
      assert.notEqual(first.trace_id, second.trace_id);
    });
  });

  describe('what the SDKs make of the errors', () => {
    it('ClientSecretCredential rejects with AADSTS7000215 for a wrong secret', async () => {
      const credential = new ClientSecretCredential(t.tenant.id, client.application.appId, 'wrong', {
        authorityHost: t.origin,
        disableInstanceDiscovery: true,
      });
      const error = await credential.getToken(ARM).then(
        () => assert.fail('getToken succeeded with a wrong secret'),
        (e: unknown) => e,
      );
      // @azure/identity wraps msal's ServerError in an AuthenticationRequiredError with its message.
      assert.ok(error instanceof Error, String(error));
      assert.match(error.message, /invalid_client: .*Description: AADSTS7000215: Invalid client secret/);
      assertNoLeak(error.message);
    });

    it('ClientSecretCredential rejects with AADSTS700016 for an unknown app', async () => {
      const credential = new ClientSecretCredential(t.tenant.id, randomUUID(), 'whatever', {
        authorityHost: t.origin,
        disableInstanceDiscovery: true,
      });
      await assert.rejects(credential.getToken(ARM), /AADSTS700016/);
    });

    it('msal-node rejects with a ServerError carrying invalid_client and AADSTS7000215', async () => {
      const correlationId = randomUUID();
      const cca = new ConfidentialClientApplication({
        auth: {
          clientId: client.application.appId,
          clientSecret: 'wrong',
          authority: `${t.origin}/${t.tenant.id}`,
          knownAuthorities: [new URL(t.origin).host],
        },
      });
      const error = await cca.acquireTokenByClientCredential({ scopes: [ARM], correlationId }).then(
        () => assert.fail('acquireTokenByClientCredential succeeded with a wrong secret'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ServerError, String(error));
      assert.equal(error.errorCode, 'invalid_client');
      assert.match(error.errorMessage, /Description: AADSTS7000215: /);
      assert.equal(String(error.errorNo), '7000215');
      assert.equal(error.status, 401);
      assert.equal(error.correlationId, correlationId);
      assert.ok(error.errorMessage.includes(`Correlation ID: ${correlationId}`));
    });
  });
});
