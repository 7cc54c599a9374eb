import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertAppOnlyClaims,
  postForm,
  registerSecretClient,
  tokenUrl,
  verifyAccessToken,
} from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const MEDIA = 'https://rest.media.azure.net';

/** `/oauth2/token` with `resource=`, as scripts and older SDKs call it with plain HTTP. */
describe('v1 token endpoint', () => {
  let t: TestServer;
  let client: SecretClient;

  before(async () => {
    t = await startTestServer();
    client = await registerSecretClient(t, { displayName: 'media-script' });
  });
  after(async () => t.stop());

  const expectV1Token = async (response: Response, c: SecretClient = client) => {
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.resource, MEDIA);
    for (const field of ['expires_in', 'expires_on', 'not_before']) {
      assert.equal(typeof body[field], 'string', `${field} is a string`);
      assert.match(body[field] as string, /^\d+$/);
    }
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = Number(body.expires_in);
    const expiresOn = Number(body.expires_on);
    const notBefore = Number(body.not_before);
    assert.ok(expiresIn >= 3600 && expiresIn <= 5400, `expires_in ${expiresIn}`);
    assert.ok(Math.abs(notBefore - now) <= 5);
    assert.equal(expiresOn - notBefore, expiresIn);
    assert.equal(body.error, undefined);
    assert.equal(typeof body.access_token, 'string');
    const { payload } = await verifyAccessToken(t, body.access_token as string, {
      version: 1,
      tenantId: t.tenant.id,
      audience: MEDIA,
    });
    assert.equal(payload.iss, `${t.origin}/${t.tenant.id}/`);
    assert.equal(payload.aud, MEDIA);
    assert.equal(payload.exp, expiresOn);
    assertAppOnlyClaims(payload, {
      version: 1,
      tenantId: t.tenant.id,
      appId: c.application.appId,
      acr: '1',
      servicePrincipal: c.servicePrincipal,
    });
  };

  it('issues a v1 token for resource=https://rest.media.azure.net with client_secret in the body', async () => {
    const response = await postForm(tokenUrl(t, t.tenant.id, 1), {
      grant_type: 'client_credentials',
      client_id: client.application.appId,
      client_secret: client.secret,
      resource: MEDIA,
    });
    await expectV1Token(response);
  });

  it('accepts HTTP Basic client authentication with form-encoded id and secret', async () => {
    // A secret with both '~' and '.': '~' is escaped by form encoding, '.' is not.
    let secretClient = client;
    for (let i = 0; !secretClient.secret.includes('.') && i < 50; i++) {
      const { secretText } = await t.server.tessera.directory.credentials.addPassword(
        secretClient.application,
      );
      secretClient = { ...secretClient, secret: secretText };
    }
    assert.ok(secretClient.secret.includes('~') && secretClient.secret.includes('.'), secretClient.secret);
    const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    assert.ok(formEncode(secretClient.secret).includes('%7E'), 'the secret is sent escaped');
    const basic = Buffer.from(
      `${formEncode(secretClient.application.appId)}:${formEncode(secretClient.secret)}`,
    ).toString('base64');
    const response = await postForm(
      tokenUrl(t, t.tenant.id, 1),
      { grant_type: 'client_credentials', resource: MEDIA },
      { headers: { authorization: `Basic ${basic}` } },
    );
    await expectV1Token(response, secretClient);
    client = secretClient;
  });

  it('accepts HTTP Basic with the secret as it is (unescaped) too', async () => {
    const basic = Buffer.from(`${client.application.appId}:${client.secret}`).toString('base64');
    const response = await postForm(
      tokenUrl(t, t.tenant.id, 1),
      { grant_type: 'client_credentials', resource: MEDIA, client_id: client.application.appId },
      { headers: { authorization: `Basic ${basic}` } },
    );
    await expectV1Token(response);
  });

  it('sets the v1 aud with the trailing slash as the client wrote it', async () => {
    // ARM is registered as https://management.azure.com/ and https://management.core.windows.net/,
    // Media Services as https://rest.media.azure.net: the registration's slash does not matter.
    const cases = [
      { version: 2, scope: 'https://management.azure.com/.default', aud: 'https://management.azure.com' },
      {
        version: 2,
        scope: 'https://management.core.windows.net//.default',
        aud: 'https://management.core.windows.net/',
      },
      { version: 1, resource: 'https://management.azure.com/', aud: 'https://management.azure.com/' },
      { version: 1, resource: MEDIA, aud: MEDIA },
    ] as const;
    for (const c of cases) {
      const response = await postForm(tokenUrl(t, t.tenant.id, c.version), {
        grant_type: 'client_credentials',
        client_id: client.application.appId,
        client_secret: client.secret,
        ...('scope' in c ? { scope: c.scope } : { resource: c.resource }),
      });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      const body = JSON.parse(text) as { access_token: string; resource?: string };
      // The v1 endpoint echoes the resource as it was sent.
      if ('resource' in c) assert.equal(body.resource, c.resource);
      const { payload } = await verifyAccessToken(t, body.access_token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: c.aud,
      });
      assert.equal(payload.aud, c.aud, JSON.stringify(c));
    }
  });

  it('issues the same v1 token on the v2 endpoint, where numbers are numbers', async () => {
    const response = await postForm(tokenUrl(t), {
      grant_type: 'client_credentials',
      client_id: client.application.appId,
      client_secret: client.secret,
      scope: `${MEDIA}/.default`,
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(typeof body.expires_in, 'number');
    assert.equal(body.resource, undefined);
    const { payload } = await verifyAccessToken(t, body.access_token as string, {
      version: 1,
      tenantId: t.tenant.id,
      audience: MEDIA,
    });
    assert.equal(payload.appid, client.application.appId);
  });
});
