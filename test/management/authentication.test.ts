import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { armUtcTime } from '../../src/management/authentication.js';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API,
  ARM_SCOPE,
  arm,
  armFixture,
  credentialFor,
  expectArmError,
  mintToken,
  principalWithRole,
} from './support.js';
import type { ArmFixture } from './support.js';

const ALLOWED_AUDIENCES =
  "'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'";

/** Every way ARM refuses a caller with 401: exact challenge header and body. */
describe('management API authentication', () => {
  let t: TestServer;
  let f: ArmFixture;
  let groupsPath: string;

  const challengeFor = (tenantId: string, description: string) =>
    `Bearer authorization_uri="${t.origin}/${tenantId}", error="invalid_token", error_description="${description}"`;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    groupsPath = `/subscriptions/${f.subscription.subscriptionId}/resourcegroups?${API.resourceGroups}`;
  });
  after(async () => t.stop());

  it('asks for a token when the Authorization header is missing', async () => {
    const response = await arm(t, 'GET', groupsPath);
    expectArmError(
      response,
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
    );
    assert.equal(
      response.headers.get('www-authenticate'),
      challengeFor(t.tenant.id, "The authentication failed because of missing 'Authorization' header."),
    );
  });

  it('points at the default tenant when the path names no subscription', async () => {
    const response = await arm(t, 'GET', `/subscriptions?${API.subscriptions}`);
    expectArmError(response, 401, 'AuthenticationFailed');
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      new RegExp(`authorization_uri="${t.origin}/${t.tenant.id}"`),
    );
  });

  it('refuses a header that is not a bearer token', async () => {
    const response = await arm(t, 'GET', groupsPath, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    const message = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
    expectArmError(response, 401, 'AuthenticationFailed', message);
    assert.equal(response.headers.get('www-authenticate'), challengeFor(t.tenant.id, message));
  });

  for (const [what, token] of [
    ['garbage', 'not-a-jwt'],
    ['an unsigned token', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ] as const) {
    it(`refuses ${what} as an invalid token`, async () => {
      const response = await arm(t, 'GET', groupsPath, { token });
      expectArmError(response, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      assert.equal(
        response.headers.get('www-authenticate'),
        challengeFor(t.tenant.id, 'The access token is invalid.'),
      );
    });
  }

  it('refuses a token whose signature was tampered with', async () => {
    const token = await mintToken(t, {});
    const [header, payload] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), oid: 'x' }),
    );
    const response = await arm(t, 'GET', groupsPath, {
      token: `${header}.${forged.toString('base64url')}.${token.split('.')[2]}`,
    });
    expectArmError(response, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
  });

  it('refuses an expired token and says when it expired', async () => {
    const exp = Math.floor(Date.now() / 1000) - 3600;
    const token = await mintToken(t, { iat: exp - 3600, nbf: exp - 3600, exp });
    const response = await arm(t, 'GET', groupsPath, { token });
    const message = expectArmError(response, 401, 'ExpiredAuthenticationToken');
    const match = /^The access token expiry UTC time '(.+)' is earlier than current UTC time '(.+)'\.$/.exec(
      message,
    );
    assert.ok(match, message);
    assert.equal(match[1], armUtcTime(exp));
    assert.match(match[2] ?? '', /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/);
    assert.equal(response.headers.get('www-authenticate'), challengeFor(t.tenant.id, message));
  });

  it('formats UTC times the way ARM does', () => {
    assert.equal(armUtcTime(Date.UTC(2025, 2, 7, 16, 5, 6) / 1000), '3/7/2025 4:05:06 PM');
    assert.equal(armUtcTime(Date.UTC(2025, 11, 25, 0, 0, 9) / 1000), '12/25/2025 12:00:09 AM');
    assert.equal(armUtcTime(Date.UTC(2025, 0, 1, 12, 30, 0) / 1000), '1/1/2025 12:30:00 PM');
  });

  it("refuses a token for another resource and names ARM's audiences", async () => {
    const client = await registerSecretClient(t, { displayName: 'media-caller' });
    const token = (await credentialFor(t, client).getToken('https://rest.media.azure.net/.default')).token;
    const response = await arm(t, 'GET', groupsPath, { token });
    const message = `The access token has been obtained for wrong audience or resource 'https://rest.media.azure.net'. It should exactly match with one of the allowed audiences ${ALLOWED_AUDIENCES}.`;
    expectArmError(response, 401, 'InvalidAuthenticationTokenAudience', message);
    assert.equal(response.headers.get('www-authenticate'), challengeFor(t.tenant.id, message));
  });

  it('accepts every spelling of the ARM audience', async () => {
    const owner = await principalWithRole(t, {
      displayName: 'aud-owner',
      role: 'Owner',
      scope: f.subscriptionScope,
    });
    for (const aud of [
      'https://management.azure.com',
      'HTTPS://MANAGEMENT.AZURE.COM/',
      'https://management.core.windows.net/',
      '797f4846-ba00-4fd7-ba43-dac1f8f63013',
    ]) {
      const token = await mintToken(t, { aud, oid: owner.servicePrincipal.objectId });
      assert.equal((await arm(t, 'GET', groupsPath, { token })).status, 200, aud);
    }
    const tokens = [
      (await credentialFor(t, owner).getToken(ARM_SCOPE)).token,
      (await credentialFor(t, owner).getToken('https://management.core.windows.net//.default')).token,
    ];
    for (const token of tokens) assert.equal((await arm(t, 'GET', groupsPath, { token })).status, 200);
  });

  it("refuses another tenant's token for this tenant's subscription", async () => {
    const other = await t.server.tessera.directory.createTenant({ domain: 'elsewhere' });
    const stranger = await registerSecretClient(t, { displayName: 'stranger', tenant: other });
    const token = (await credentialFor(t, stranger, other.id).getToken(ARM_SCOPE)).token;
    const response = await arm(t, 'GET', groupsPath, { token });
    const authority = `${t.origin}/${t.tenant.id}`;
    const message =
      `The access token is from the wrong issuer '${t.origin}/${other.id}/'. It must match the tenant '${authority}/' associated with this subscription. ` +
      `Please use the authority (URL) '${authority}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, ` +
      'but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.';
    expectArmError(response, 401, 'InvalidAuthenticationTokenTenant', message);
    assert.equal(response.headers.get('www-authenticate'), challengeFor(t.tenant.id, message));
  });

  it('refuses an issuer that is not Tessera or not the tenant the token claims', async () => {
    for (const iss of [
      `https://sts.windows.net/${t.tenant.id}/`,
      `https://localhost:1/${t.tenant.id}/`,
      `${t.origin}/0b1f6471-1bf0-4dda-aec3-111122223333/`,
    ]) {
      const response = await arm(t, 'GET', groupsPath, { token: await mintToken(t, { iss }) });
      const message = expectArmError(response, 401, 'InvalidAuthenticationTokenTenant');
      assert.ok(message.startsWith(`The access token is from the wrong issuer '${iss}'.`), message);
    }
  });

  it('refuses an ID token', async () => {
    const token = await mintToken(t, { idtyp: undefined, nonce: 'n' });
    expectArmError(await arm(t, 'GET', groupsPath, { token }), 401, 'InvalidAuthenticationToken');
  });

  it('tags every answer with request and correlation ids', async () => {
    const response = await arm(t, 'GET', groupsPath, {
      headers: { 'x-ms-client-request-id': 'd8bd2e42-6e17-4b7e-a1f4-4d1ef4c3c3a1' },
    });
    assert.match(response.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('x-ms-correlation-request-id'), 'd8bd2e42-6e17-4b7e-a1f4-4d1ef4c3c3a1');
    assert.equal(response.headers.get('x-ms-client-request-id'), 'd8bd2e42-6e17-4b7e-a1f4-4d1ef4c3c3a1');
    const anonymous = await arm(t, 'GET', groupsPath);
    assert.match(anonymous.headers.get('x-ms-correlation-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
