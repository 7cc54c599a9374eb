import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagedIdentityCredential } from '@azure/identity';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import { assertNoLeak, expectAadsts } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  ARM_RESOURCE,
  ARM_SCOPE,
  assertIdentityToken,
  createHost,
  grantReader,
  listSubscriptions,
} from './support.js';
import type { HostFixture } from './support.js';
import { tamper } from '../support/tamper.js';

// msal-node picks its managed identity source once per process (a static field), from the
// environment of the first request: this file is App Service's, with one host for every test.
describe('managed identity: App Service protocol (IDENTITY_ENDPOINT + IDENTITY_HEADER)', () => {
  let t: TestServer;
  let fixture: HostFixture;
  let endpoint: string;

  before(async () => {
    t = await startTestServer();
    fixture = await createHost(t, { name: 'web-app', systemAssigned: true, userAssigned: ['orders-id'] });
    endpoint = `${t.origin}/msi/token`;
    process.env.IDENTITY_ENDPOINT = endpoint;
    process.env.IDENTITY_HEADER = fixture.secret;
  });
  after(async () => {
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
    await t.stop();
  });

  const get = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${endpoint}?${new URLSearchParams(query).toString()}`, { headers });
  const asHost = (query: Record<string, string>) =>
    get({ 'api-version': '2019-08-01', ...query }, { 'x-identity-header': fixture.secret });

  it('ManagedIdentityCredential gets the system-assigned identity a token that ARM accepts', async () => {
    const system = fixture.host.systemAssigned;
    assert.ok(system);
    await grantReader(t, system.principalId);
    const { token, expiresOnTimestamp } = await new ManagedIdentityCredential().getToken(ARM_SCOPE);
    assertIdentityToken(t, token, system);
    assert.ok(expiresOnTimestamp > Date.now() + 3000_000);
    assert.deepEqual(await listSubscriptions(t, token), [t.server.bootstrap?.subscription.subscriptionId]);
  });

  it('ManagedIdentityCredential with a client id gets the user-assigned identity', async () => {
    const [orders] = fixture.userAssigned;
    assert.ok(orders);
    await grantReader(t, orders.principalId);
    const { token } = await new ManagedIdentityCredential({ clientId: orders.clientId }).getToken(ARM_SCOPE);
    assertIdentityToken(t, token, orders);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it("answers App Service's shape, naming the identity by object id or resource id too", async () => {
    const [orders] = fixture.userAssigned;
    assert.ok(orders);
    const selectors: Array<Record<string, string>> = [
      { object_id: orders.principalId },
      { principal_id: orders.principalId },
      { mi_res_id: orders.id },
    ];
    for (const selector of selectors) {
      const response = await asHost({ resource: ARM_RESOURCE, ...selector });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as Record<string, string>;
      assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'client_id',
        'expires_on',
        'resource',
        'token_type',
      ]);
      assert.equal(body.client_id, orders.clientId);
      assert.equal(body.resource, ARM_RESOURCE);
      assert.equal(body.token_type, 'Bearer');
      assert.match(body.expires_on ?? '', /^\d{10}$/);
      assertIdentityToken(t, body.access_token ?? '', orders, ARM_RESOURCE);
    }
  });

  it('refuses a request without the X-IDENTITY-HEADER header', async () => {
    const response = await get({ 'api-version': '2019-08-01', resource: ARM_RESOURCE });
    assert.equal(response.status, 400);
    const text = await response.text();
    assertNoLeak(text);
    const body = JSON.parse(text) as { statusCode: number; message: string; correlationId: string };
    assert.equal(body.statusCode, 400);
    assert.match(body.message, /X-IDENTITY-HEADER/);
    assert.match(body.correlationId, /^[0-9a-f-]{36}$/);
  });

  it('refuses a wrong secret, and says nothing of the query to its sender', async () => {
    const response = await get(
      { 'api-version': '1999-01-01' },
      { 'x-identity-header': tamper(fixture.secret) },
    );
    assert.equal(response.status, 401);
    const body = (await response.json()) as { statusCode: number; message: string };
    assert.equal(body.statusCode, 401);
    assert.match(body.message, /does not match/);
  });

  it('answers 400 "Unable to load the proper Managed Identity." for an unknown client id, through the SDK too', async () => {
    const response = await asHost({
      resource: ARM_RESOURCE,
      client_id: '00000000-0000-0000-0000-000000000001',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { message: string };
    assert.equal(body.message, 'Unable to load the proper Managed Identity.');
    await assert.rejects(
      new ManagedIdentityCredential({ clientId: '00000000-0000-0000-0000-000000000002' }).getToken(ARM_SCOPE),
      /Unable to load the proper Managed Identity/,
    );
  });

  it('answers AADSTS500011 in Entra’s shape for an unknown resource, through the SDK too', async () => {
    const response = await asHost({ resource: 'https://nothing.example.com' });
    const body = await expectAadsts(response, 400, 'invalid_resource', 500011);
    assert.match(body.error_description, /nothing\.example\.com/);
    await assert.rejects(
      new ManagedIdentityCredential().getToken('https://nothing.example.com/.default'),
      /AADSTS500011/,
    );
  });

  it('refuses a missing or unsupported api-version, a missing resource and ambiguous selectors', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ resource: ARM_RESOURCE }, /api-version/],
      [{ 'api-version': '2017-09-01', resource: ARM_RESOURCE }, /2017-09-01/],
      [{ 'api-version': '2019-08-01' }, /resource/],
      [
        {
          'api-version': '2019-08-01',
          resource: ARM_RESOURCE,
          client_id: fixture.userAssigned[0]?.clientId ?? '',
          object_id: fixture.userAssigned[0]?.principalId ?? '',
        },
        /Only one of/,
      ],
    ];
    for (const [query, message] of cases) {
      const response = await get(query, { 'x-identity-header': fixture.secret });
      assert.equal(response.status, 400, JSON.stringify(query));
      const body = (await response.json()) as { message: string };
      assert.match(body.message, message);
    }
    const twice = await fetch(
      `${endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(ARM_RESOURCE)}&resource=x`,
      { headers: { 'x-identity-header': fixture.secret } },
    );
    assert.equal(twice.status, 400);
    assert.match(((await twice.json()) as { message: string }).message, /more than once/);
  });

  it('a deleted host’s secret no longer works, and its system identity is gone from the directory', async () => {
    const other = await createHost(t, { name: 'short-lived', systemAssigned: true });
    const query = new URLSearchParams({ 'api-version': '2019-08-01', resource: ARM_RESOURCE });
    const ok = await fetch(`${endpoint}?${query.toString()}`, {
      headers: { 'x-identity-header': other.secret },
    });
    assert.equal(ok.status, 200);
    const { hosts } = managedIdentitiesOf(t.server.tessera.db);
    assert.equal(await hosts.delete('short-lived'), true);
    const refused = await fetch(`${endpoint}?${query.toString()}`, {
      headers: { 'x-identity-header': other.secret },
    });
    assert.equal(refused.status, 401);
    const principalId = other.host.systemAssigned?.principalId ?? '';
    assert.equal(
      await t.server.tessera.directory.servicePrincipals.findByObjectId(t.tenant.id, principalId),
      undefined,
    );
  });
});
