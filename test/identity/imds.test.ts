import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagedIdentityCredential } from '@azure/identity';
import { runCli } from '../cli/support.js';
import { assertNoLeak, expectAadsts } from '../support/authority.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  ARM_RESOURCE,
  ARM_SCOPE,
  assertIdentityToken,
  createHost,
  grantReader,
  listSubscriptions,
  waitForImds,
  waitForImdsClosed,
} from './support.js';
import type { HostFixture } from './support.js';

const TOKEN_PATH = '/metadata/identity/oauth2/token';

// msal-node picks its managed identity source once per process (a static field): this file is
// IMDS's, through AZURE_POD_IDENTITY_AUTHORITY_HOST, with one host for the SDK's requests.
describe('managed identity: IMDS on loopback (AZURE_POD_IDENTITY_AUTHORITY_HOST)', () => {
  let t: TestServer;
  let vm: HostFixture;

  before(async () => {
    t = await startTestServer();
    vm = await createHost(t, { name: 'vm-1', systemAssigned: true, userAssigned: ['vm-id-a', 'vm-id-b'] });
    await waitForImds(vm.host.imdsPort);
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = `http://127.0.0.1:${vm.host.imdsPort}`;
  });
  after(async () => {
    delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    await t.stop();
  });

  const imds = (
    port: number,
    query: Record<string, string>,
    headers: Record<string, string> = { metadata: 'true' },
  ) => fetch(`http://127.0.0.1:${port}${TOKEN_PATH}?${new URLSearchParams(query).toString()}`, { headers });
  const tokenQuery = (extra: Record<string, string> = {}) => ({
    'api-version': '2018-02-01',
    resource: ARM_RESOURCE,
    ...extra,
  });

  it('ManagedIdentityCredential gets the system-assigned identity a token that ARM accepts', async () => {
    const system = vm.host.systemAssigned;
    assert.ok(system);
    await grantReader(t, system.principalId);
    const { token } = await new ManagedIdentityCredential().getToken(ARM_SCOPE);
    assertIdentityToken(t, token, system);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it('ManagedIdentityCredential with a client id gets that user-assigned identity', async () => {
    const [, second] = vm.userAssigned;
    assert.ok(second);
    await grantReader(t, second.principalId);
    const { token } = await new ManagedIdentityCredential(second.clientId).getToken(ARM_SCOPE);
    assertIdentityToken(t, token, second);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it("answers IMDS's shape (every number a string), by client id, object id or msi_res_id", async () => {
    const [first] = vm.userAssigned;
    assert.ok(first);
    const selectors: Array<Record<string, string>> = [
      { client_id: first.clientId },
      { object_id: first.principalId },
      { msi_res_id: first.id },
    ];
    for (const selector of selectors) {
      const response = await imds(vm.host.imdsPort, tokenQuery(selector));
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, string>;
      assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'client_id',
        'expires_in',
        'expires_on',
        'ext_expires_in',
        'not_before',
        'resource',
        'token_type',
      ]);
      assert.equal(body.client_id, first.clientId);
      assert.equal(body.resource, ARM_RESOURCE);
      assert.match(body.expires_in ?? '', /^\d+$/);
      assert.equal(Number(body.expires_on) - Number(body.not_before), Number(body.expires_in));
      assertIdentityToken(t, body.access_token ?? '', first, ARM_RESOURCE);
    }
  });

  it('refuses a request without `Metadata: true` or with X-Forwarded-For, as IMDS does', async () => {
    const refused: Array<Record<string, string>> = [
      {},
      { metadata: 'false' },
      { metadata: 'true', 'x-forwarded-for': '10.0.0.1' },
    ];
    for (const headers of refused) {
      const response = await imds(vm.host.imdsPort, tokenQuery(), headers);
      assert.equal(response.status, 400);
      const text = await response.text();
      assertNoLeak(text);
      const body = JSON.parse(text) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, /metadata header|X-Forwarded-For/);
    }
  });

  it('answers "Identity not found" for a client id the host does not hold, through the SDK too', async () => {
    const response = await imds(
      vm.host.imdsPort,
      tokenQuery({ client_id: '00000000-0000-0000-0000-000000000001' }),
    );
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      error: 'invalid_request',
      error_description: 'Identity not found',
    });
    await assert.rejects(
      new ManagedIdentityCredential('00000000-0000-0000-0000-000000000002').getToken(ARM_SCOPE),
      /Identity not found/,
    );
  });

  it('answers AADSTS500011 in Entra’s shape for an unknown resource', async () => {
    const response = await imds(vm.host.imdsPort, tokenQuery({ resource: 'https://nothing.example.com' }));
    await expectAadsts(response, 400, 'invalid_resource', 500011);
  });

  it('refuses a bad api-version, a missing resource, other paths and methods (no IMDSv2 look-alike)', async () => {
    const bad = await imds(vm.host.imdsPort, { 'api-version': 'latest', resource: ARM_RESOURCE });
    assert.equal(bad.status, 400);
    const missing = await imds(vm.host.imdsPort, { 'api-version': '2018-02-01' });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error_description: string }).error_description, /audience/);
    const probe = await fetch(
      `http://127.0.0.1:${vm.host.imdsPort}/metadata/identity/credential?cred-api-version=1.0`,
      {
        method: 'POST',
        headers: { metadata: 'true' },
      },
    );
    assert.equal(probe.status, 404);
    assert.doesNotMatch(probe.headers.get('server') ?? '', /IMDS/i);
    const post = await fetch(`http://127.0.0.1:${vm.host.imdsPort}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { metadata: 'true' },
    });
    assert.equal(post.status, 405);
  });

  it('without a name, a host with no system identity uses its only user-assigned one, and refuses to guess among several', async () => {
    const single = await createHost(t, {
      name: 'vm-single',
      systemAssigned: false,
      userAssigned: ['solo-id'],
    });
    const several = await createHost(t, {
      name: 'vm-several',
      systemAssigned: false,
      userAssigned: ['one-id', 'two-id'],
    });
    await waitForImds(single.host.imdsPort);
    await waitForImds(several.host.imdsPort);
    const solo = single.userAssigned[0];
    assert.ok(solo);
    const response = await imds(single.host.imdsPort, tokenQuery());
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { client_id: string }).client_id, solo.clientId);
    const refused = await imds(several.host.imdsPort, tokenQuery());
    assert.equal(refused.status, 400);
    assert.match(
      ((await refused.json()) as { error_description: string }).error_description,
      /Multiple user assigned/,
    );
  });

  it('a host the CLI creates while the server runs gets its IMDS within a poll, and loses it when deleted', async () => {
    const created = await runCli([
      'identity',
      'host',
      'create',
      '-n',
      'cli-vm',
      '--system-assigned',
      '-o',
      'env',
      '--server',
      t.origin,
      ...storeArgs(t),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const environment = Object.fromEntries(
      created.stdout
        .trim()
        .split('\n')
        .map((line) => /^export (\w+)='([^']*)'$/.exec(line))
        .map((match) => [match?.[1] ?? '', match?.[2] ?? '']),
    );
    assert.equal(environment.IDENTITY_ENDPOINT, `${t.origin}/msi/token`);
    assert.match(environment.IDENTITY_HEADER ?? '', /^[A-Za-z0-9_-]{43}$/);
    const port = Number(
      /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(environment.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? '')?.[1],
    );
    assert.ok(port > 0);
    await waitForImds(port);
    const response = await imds(port, tokenQuery());
    assert.equal(response.status, 200);
    const appService = await fetch(
      `${t.origin}/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(ARM_RESOURCE)}`,
      {
        headers: { 'x-identity-header': environment.IDENTITY_HEADER ?? '' },
      },
    );
    assert.equal(appService.status, 200);

    const deleted = await runCli(['identity', 'host', 'delete', '-n', 'cli-vm', ...storeArgs(t)]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await waitForImdsClosed(port);
  });
});
