import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  discover,
  expectAadsts,
  postForm,
  registerSecretClient,
  requestWithHost,
  verifyAccessToken,
} from '../support/authority.js';
import type { Discovery } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/** OpenID discovery (v2 and v1) and MSAL's instance discovery. */
describe('discovery', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  /** The kids a JWKS lists; each key names the issuer it signs for, when `issuer` is given. */
  const keysOf = async (jwksUri: string, issuer?: string): Promise<string[]> => {
    const response = await fetch(jwksUri);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Array<{ kid: string; issuer: string }> };
    assert.ok(keys.length > 0);
    if (issuer !== undefined) for (const key of keys) assert.equal(key.issuer, issuer);
    return keys.map((k) => k.kid);
  };

  const assertMsalRequirements = (doc: Discovery) => {
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      assert.equal(typeof doc[field], 'string', field);
    }
    for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      assert.equal(new URL(doc[field]).origin, t.origin, `${field} is on the authority's origin`);
    }
    // Newer MSAL versions require the issuer on the authority's own scheme and host.
    assert.equal(new URL(doc.issuer.replace('{tenantid}', 'x')).origin, t.origin);
  };

  it('serves the v2 document for the tenant id', async () => {
    const doc = await discover(t, t.tenant.id, 2);
    assertMsalRequirements(doc);
    const base = `${t.origin}/${t.tenant.id}`;
    assert.equal(doc.issuer, `${base}/v2.0`);
    assert.equal(doc.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(doc.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(doc.jwks_uri, `${base}/discovery/v2.0/keys`);
    await keysOf(doc.jwks_uri, doc.issuer);
  });

  it('serves the v1 document for the tenant id', async () => {
    const doc = await discover(t, t.tenant.id, 1);
    assertMsalRequirements(doc);
    const base = `${t.origin}/${t.tenant.id}`;
    assert.equal(doc.issuer, `${base}/`);
    assert.equal(doc.token_endpoint, `${base}/oauth2/token`);
    assert.equal(doc.authorization_endpoint, `${base}/oauth2/authorize`);
    assert.equal(doc.jwks_uri, `${base}/discovery/keys`);
    await keysOf(doc.jwks_uri, doc.issuer);
  });

  it('routes the tenant domain case-insensitively, with the tenant id in the issuer', async () => {
    const mixed = t.tenant.domain
      .replace(/^./, (c) => c.toUpperCase())
      .replace('.onmicrosoft.', '.OnMicrosoft.');
    assert.notEqual(mixed, t.tenant.domain);
    const client = await registerSecretClient(t, { displayName: 'by-domain' });
    for (const version of [2, 1] as const) {
      const doc = await discover(t, mixed, version);
      assertMsalRequirements(doc);
      assert.equal(
        doc.issuer,
        version === 2 ? `${t.origin}/${t.tenant.id}/v2.0` : `${t.origin}/${t.tenant.id}/`,
      );
      assert.deepEqual(
        await keysOf(doc.jwks_uri, doc.issuer),
        await keysOf(`${t.origin}/${t.tenant.id}/discovery/keys`),
      );
      // The token endpoint it names works, and issues tokens for the tenant's id.
      const response = await postForm(doc.token_endpoint, {
        client_id: client.application.appId,
        client_secret: client.secret,
        grant_type: 'client_credentials',
        scope: 'https://management.azure.com/.default',
      });
      const body = (await response.json()) as { access_token: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      const claims = JSON.parse(
        Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString(),
      ) as {
        tid: string;
        iss: string;
      };
      assert.equal(claims.tid, t.tenant.id);
      assert.equal(claims.iss, `${t.origin}/${t.tenant.id}/`);
    }
  });

  it('routes a tenant whose id was given in upper case by its lower-case id', async () => {
    const id = randomUUID();
    await t.server.tessera.directory.tenants.create({ id: id.toUpperCase(), domain: 'upper' });
    for (const segment of [id, id.toUpperCase()]) {
      const doc = await discover(t, segment, 2);
      assert.equal(doc.issuer, `${t.origin}/${id}/v2.0`);
    }
  });

  for (const meta of ['common', 'organizations']) {
    it(`serves /${meta} with the {tenantid} issuer template`, async () => {
      const v2 = await discover(t, meta, 2);
      assertMsalRequirements(v2);
      assert.equal(v2.issuer, `${t.origin}/{tenantid}/v2.0`);
      assert.equal(v2.token_endpoint, `${t.origin}/${meta}/oauth2/v2.0/token`);
      assert.equal(v2.authorization_endpoint, `${t.origin}/${meta}/oauth2/v2.0/authorize`);
      assert.equal(v2.jwks_uri, `${t.origin}/${meta}/discovery/v2.0/keys`);
      const v1 = await discover(t, meta, 1);
      assertMsalRequirements(v1);
      assert.equal(v1.issuer, `${t.origin}/{tenantid}/`);
      assert.equal(v1.token_endpoint, `${t.origin}/${meta}/oauth2/token`);
      assert.equal(v1.jwks_uri, `${t.origin}/${meta}/discovery/keys`);
      assert.deepEqual(await keysOf(v2.jwks_uri, v2.issuer), await keysOf(v1.jwks_uri, v1.issuer));
    });
  }

  it('builds issuers from the host the client used', async () => {
    const loopback = t.origin.replace('localhost', '127.0.0.1');
    const response = await fetch(`${loopback}/${t.tenant.id}/v2.0/.well-known/openid-configuration`);
    const doc = (await response.json()) as Discovery;
    assert.equal(doc.issuer, `${loopback}/${t.tenant.id}/v2.0`);
    assert.equal(doc.token_endpoint, `${loopback}/${t.tenant.id}/oauth2/v2.0/token`);
  });

  it('ignores a Host on another port: issuers stay on https://localhost:<listening port>', async () => {
    const port = t.server.port;
    assert.notEqual(port, 1);
    assert.equal(t.origin, `https://localhost:${port}`);
    const client = await registerSecretClient(t, { displayName: 'other-port-host' });
    for (const host of ['localhost:1', `127.0.0.1:${port === 65535 ? 1024 : port + 1}`, 'localhost']) {
      const discovery = await requestWithHost(
        t,
        `/${t.tenant.id}/v2.0/.well-known/openid-configuration`,
        host,
      );
      assert.equal(discovery.status, 200, discovery.text);
      const doc = JSON.parse(discovery.text) as Discovery;
      assert.equal(doc.issuer, `${t.origin}/${t.tenant.id}/v2.0`, host);
      assert.equal(doc.token_endpoint, `${t.origin}/${t.tenant.id}/oauth2/v2.0/token`, host);

      for (const version of [2, 1] as const) {
        const path = `/${t.tenant.id}/oauth2/${version === 2 ? 'v2.0/' : ''}token`;
        const response = await requestWithHost(t, path, host, {
          form: {
            client_id: client.application.appId,
            client_secret: client.secret,
            grant_type: 'client_credentials',
            scope: 'https://management.azure.com/.default',
          },
        });
        assert.equal(response.status, 200, response.text);
        const { access_token } = JSON.parse(response.text) as { access_token: string };
        // Verifies against the real origin's discovery: issuer https://localhost:<port>/<tenant>/.
        const { payload } = await verifyAccessToken(t, access_token, {
          version: 1,
          tenantId: t.tenant.id,
          audience: 'https://management.azure.com',
        });
        assert.equal(payload.iss, `https://localhost:${port}/${t.tenant.id}/`, host);
      }
    }
  });

  it('honours a known host name on the listening port, with a custom Host header', async () => {
    const host = `127.0.0.1:${t.server.port}`;
    const response = await requestWithHost(t, `/${t.tenant.id}/.well-known/openid-configuration`, host);
    assert.equal(response.status, 200, response.text);
    assert.equal((JSON.parse(response.text) as Discovery).issuer, `https://${host}/${t.tenant.id}/`);
  });

  describe('instance discovery', () => {
    const instance = (authorizationEndpoint: string, correlationId = randomUUID()) =>
      fetch(
        `${t.origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorizationEndpoint)}`,
        { headers: { 'client-request-id': correlationId } },
      );

    it('lists this host as the only alias and points at the tenant of the authorization endpoint', async () => {
      const host = new URL(t.origin).host;
      for (const tenant of ['common', t.tenant.id]) {
        const response = await instance(`${t.origin}/${tenant}/oauth2/v2.0/authorize`);
        assert.equal(response.status, 200);
        const body = (await response.json()) as {
          tenant_discovery_endpoint: string;
          'api-version': string;
          metadata: Array<{ preferred_network: string; preferred_cache: string; aliases: string[] }>;
        };
        assert.equal(
          body.tenant_discovery_endpoint,
          `${t.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
        );
        assert.equal(body['api-version'], '1.1');
        assert.deepEqual(body.metadata, [
          { preferred_network: host, preferred_cache: host, aliases: [host] },
        ]);
        // What it points at is a working discovery document.
        assert.equal((await fetch(body.tenant_discovery_endpoint)).status, 200);
      }
    });

    it('answers 50049 for an authorization endpoint on another instance', async () => {
      const otherPort = new URL(t.origin);
      otherPort.port = String(Number(otherPort.port) === 65535 ? 1024 : Number(otherPort.port) + 1);
      for (const endpoint of [
        'https://login.example.com/common/oauth2/v2.0/authorize',
        `${otherPort.origin}/common/oauth2/v2.0/authorize`,
        'not a url',
      ]) {
        const correlationId = randomUUID();
        const response = await instance(endpoint, correlationId);
        await expectAadsts(response, 400, 'invalid_instance', 50049, correlationId);
      }
    });

    it('keeps a strange tenant segment escaped', async () => {
      const response = await instance(`${t.origin}/%E0%A4%A"x/oauth2/v2.0/authorize`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { tenant_discovery_endpoint: string };
      assert.equal(
        body.tenant_discovery_endpoint,
        `${t.origin}/%E0%A4%A%22x/v2.0/.well-known/openid-configuration`,
      );
    });
  });
});
