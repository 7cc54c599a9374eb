import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  expectAadsts,
  postForm,
  registerSecretClient,
  requestWithHost,
  verifyAccessToken,
} from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/**
 * What `az cloud register` and an ADFS-form authority read before any client logic runs: the
 * cloud metadata in each api-version's shape, and `/adfs` acting for the default tenant.
 */
describe('cloud metadata and the ADFS-form authority', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const metadata = async (query: string) => {
    // az joins its ARM endpoint (`https://localhost:PORT/`) and `/metadata/endpoints`.
    const response = await fetch(`${t.origin}//metadata/endpoints${query}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('answers api-version 2015-01-01 in the shape az cloud register reads, built from the origin', async () => {
    const { status, body } = await metadata('?api-version=2015-01-01');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      galleryEndpoint: `${t.origin}/`,
      graphEndpoint: `${t.origin}/`,
      graphAudience: 'https://graph.microsoft.com/',
      portalEndpoint: `${t.origin}/`,
      authentication: {
        loginEndpoint: `${t.origin}/adfs/`,
        audiences: [`${t.origin}/`, 'https://management.core.windows.net/', 'https://management.azure.com/'],
      },
    });
  });

  it('lists the cloud for 2019-05-01 and 2020-06-01, and answers it alone for 2022-09-01', async () => {
    const single = await metadata('?api-version=2022-09-01');
    assert.equal(single.status, 200);
    const cloud = single.body as Record<string, unknown>;
    assert.equal(cloud.name, 'Tessera');
    assert.equal(cloud.resourceManager, `${t.origin}/`);
    assert.equal(cloud.graph, `${t.origin}/`);
    // Graph's own origin: az calls Graph at the URL it asks Graph tokens for.
    assert.equal(
      cloud.microsoftGraphResourceId,
      `${t.origin.replace(/:\d+$/, '')}:${await t.server.tessera.resourcePorts.graphPort()}/`,
    );
    assert.deepEqual(cloud.authentication, {
      loginEndpoint: `${t.origin}/adfs/`,
      audiences: [`${t.origin}/`, 'https://management.core.windows.net/', 'https://management.azure.com/'],
      tenant: 'adfs',
      identityProvider: 'ADFS',
    });
    assert.deepEqual(cloud.suffixes, {}, 'no suffix for a service Tessera does not run');
    for (const version of ['2019-05-01', '2020-06-01']) {
      const listed = await metadata(`?api-version=${version}`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body, [cloud]);
    }
  });

  it('uses the host name the client called', async () => {
    const port = new URL(t.origin).port;
    const ip = await requestWithHost(t, '/metadata/endpoints?api-version=2015-01-01', `127.0.0.1:${port}`);
    assert.equal(ip.status, 200);
    const body = JSON.parse(ip.text) as { authentication: { loginEndpoint: string } };
    assert.equal(body.authentication.loginEndpoint, `https://127.0.0.1:${port}/adfs/`);
    // A Host that is not Tessera's never makes it into the URLs handed out.
    const forged = await requestWithHost(t, '/metadata/endpoints?api-version=2015-01-01', 'evil.example');
    assert.match(forged.text, new RegExp(`"loginEndpoint":"${t.origin}/adfs/"`));
    assert.doesNotMatch(forged.text, /evil/);
  });

  it("refuses a missing or unknown api-version in ARM's error shape", async () => {
    assert.deepEqual(await metadata(''), {
      status: 400,
      body: {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      },
    });
    for (const version of ['2099-01-01', 'constructor']) {
      assert.deepEqual(await metadata(`?api-version=${version}`), {
        status: 400,
        body: {
          error: {
            code: 'InvalidApiVersionParameter',
            message: `The api-version '${version}' is invalid. The supported versions are '2022-09-01,2020-06-01,2019-05-01,2015-01-01'.`,
          },
        },
      });
    }
  });

  it('serves the ADFS discovery document for the default tenant, with its v2 endpoints', async () => {
    for (const segment of ['adfs', 'ADFS']) {
      const response = await fetch(`${t.origin}/${segment}/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      const document = (await response.json()) as Record<string, unknown>;
      const base = `${t.origin}/${t.tenant.id}`;
      assert.equal(document.issuer, `${base}/v2.0`);
      assert.equal(document.token_endpoint, `${base}/oauth2/v2.0/token`);
      assert.equal(document.device_authorization_endpoint, `${base}/oauth2/v2.0/devicecode`);
      assert.equal(document.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
      assert.equal(document.jwks_uri, `${base}/discovery/v2.0/keys`);
    }
  });

  it("issues the default tenant's tokens at /adfs, and refuses another tenant's client there", async () => {
    const client = await registerSecretClient(t, { displayName: 'adfs-client' });
    const form = (c: { application: { appId: string }; secret: string }) => ({
      client_id: c.application.appId,
      client_secret: c.secret,
      grant_type: 'client_credentials',
      scope: 'https://management.azure.com/.default',
    });
    const ok = await postForm(`${t.origin}/adfs/oauth2/v2.0/token`, form(client));
    assert.equal(ok.status, 200);
    const { access_token } = (await ok.json()) as { access_token: string };
    const { payload } = await verifyAccessToken(t, access_token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(payload.appid, client.application.appId);

    const other = await t.server.tessera.directory.createTenant({ domain: 'fabrikam' });
    const stranger = await registerSecretClient(t, { displayName: 'fabrikam-app', tenant: other });
    await expectAadsts(
      await postForm(`${t.origin}/adfs/oauth2/v2.0/token`, form(stranger)),
      400,
      'unauthorized_client',
      700016,
    );
  });
});
