import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResourceManagementClient } from '@azure/arm-resources';
import { isRestError } from '@azure/core-rest-pipeline';
import { armFixture, credentialFor, principalWithRole } from '../management/support.js';
import type { ArmFixture } from '../management/support.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { aud: string };

/**
 * ARM SDKs with only `endpoint` set ask for `<endpoint>/.default`: the server's own origin must
 * name the management API, as Azure Stack's management endpoint does.
 */
describe('@azure/arm-resources with only the endpoint set', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: SecretClient;
  let client: ResourceManagementClient;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    client = new ResourceManagementClient(credentialFor(t, owner), f.subscription.subscriptionId, {
      endpoint: t.origin,
    });
  });
  after(() => t.stop());

  it("gets a token whose audience is the server's origin", async () => {
    const token = await credentialFor(t, owner).getToken(`${t.origin}/.default`);
    assert.equal(claimsOf(token.token).aud, t.origin);
    // az's form, with the resource's trailing slash doubled.
    const az = await credentialFor(t, owner).getToken(`${t.origin}//.default`);
    assert.equal(claimsOf(az.token).aud, `${t.origin}/`);
  });

  it('creates, gets, lists and deletes a resource group', async () => {
    const created = await client.resourceGroups.createOrUpdate('sdk-rg', {
      location: 'westus',
      tags: { by: 'sdk' },
    });
    assert.equal(created.id, `${f.subscriptionScope}/resourceGroups/sdk-rg`);
    assert.deepEqual(created.tags, { by: 'sdk' });
    assert.equal((await client.resourceGroups.get('sdk-rg')).location, 'westus');
    const names = [];
    for await (const group of client.resourceGroups.list()) names.push(group.name);
    assert.ok(names.includes('sdk-rg') && names.includes(f.resourceGroup.name), names.join());
    await client.resourceGroups.beginDeleteAndWait('sdk-rg', { updateIntervalInMs: 10 });
    assert.equal((await client.resourceGroups.checkExistence('sdk-rg')).body, false);
  });

  it('a principal without a role is refused with AuthorizationFailed', async () => {
    const nobody = await principalWithRole(t, { displayName: 'nobody' });
    const refused = new ResourceManagementClient(credentialFor(t, nobody), f.subscription.subscriptionId, {
      endpoint: t.origin,
    });
    await assert.rejects(refused.resourceGroups.get(f.resourceGroup.name), (error: unknown) => {
      assert.ok(isRestError(error));
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'AuthorizationFailed');
      return true;
    });
  });

  it("a token for another origin of Tessera (a store's) is not ARM's audience", async () => {
    const store = await client.resources.beginCreateOrUpdateByIdAndWait(
      `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/sdk-store`,
      '2024-05-01',
      { location: 'westus', sku: { name: 'free' } },
      { updateIntervalInMs: 10 },
    );
    const endpoint = (store.properties as { endpoint: string }).endpoint;
    assert.match(endpoint, /^https:\/\/localhost:\d+$/);
    const token = await credentialFor(t, owner).getToken(`${endpoint}/.default`);
    const response = await fetch(`${t.origin}/subscriptions?api-version=2022-12-01`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'InvalidAuthenticationTokenAudience');
  });
});
