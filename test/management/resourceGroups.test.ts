import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { API, arm, expectArmError, principalWithRole, startArmAsOwner } from './support.js';
import type { ArmFixture } from './support.js';

interface GroupJson {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  properties: { provisioningState: string };
}

describe('resource groups', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
  });
  after(async () => t.stop());

  const path = (name: string) => `${f.subscriptionScope}/resourcegroups/${name}?${API.resourceGroups}`;

  it('creates (201), updates (200), gets, lists and deletes', async () => {
    const created = await arm<GroupJson>(t, 'PUT', path('Orders-RG'), {
      token,
      body: { location: 'West Europe', tags: { env: 'test' } },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json, {
      id: `${f.subscriptionScope}/resourceGroups/Orders-RG`,
      name: 'Orders-RG',
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
      tags: { env: 'test' },
      properties: { provisioningState: 'Succeeded' },
    });

    const updated = await arm<GroupJson>(t, 'PUT', path('orders-rg'), {
      token,
      body: { location: 'westeurope', tags: { env: 'prod' } },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.name, 'Orders-RG', 'the first spelling is kept');
    assert.deepEqual(updated.json.tags, { env: 'prod' });

    const got = await arm<GroupJson>(t, 'GET', path('ORDERS-RG'), { token });
    assert.deepEqual(got.json, updated.json);
    assert.equal((await arm(t, 'HEAD', path('orders-rg'), { token })).status, 204);
    assert.equal((await arm(t, 'HEAD', path('absent'), { token })).status, 404);

    const list = await arm<{ value: GroupJson[] }>(
      t,
      'GET',
      `${f.subscriptionScope}/resourcegroups?${API.resourceGroups}`,
      {
        token,
      },
    );
    assert.deepEqual(
      list.json.value.map((g) => g.name),
      ['Orders-RG', f.resourceGroup.name],
    );

    const deleted = await arm(t, 'DELETE', path('Orders-RG'), { token });
    assert.equal(deleted.status, 200);
    expectArmError(await arm(t, 'GET', path('Orders-RG'), { token }), 404, 'ResourceGroupNotFound');
    expectArmError(await arm(t, 'DELETE', path('Orders-RG'), { token }), 404, 'ResourceGroupNotFound');
  });

  it('requires a location and a valid name, and keeps the location', async () => {
    expectArmError(
      await arm(t, 'PUT', path('no-location'), { token, body: { tags: {} } }),
      400,
      'LocationRequired',
      'The location property is required for this definition.',
    );
    expectArmError(
      await arm(t, 'PUT', path('ends-with-dot.'), { token, body: { location: 'westus' } }),
      400,
      'InvalidResourceGroupName',
    );
    expectArmError(
      await arm(t, 'PUT', path('x'.repeat(91)), { token, body: { location: 'westus' } }),
      400,
      'InvalidResourceGroupName',
    );
    await arm(t, 'PUT', path('fixed'), { token, body: { location: 'westus' } });
    expectArmError(
      await arm(t, 'PUT', path('fixed'), { token, body: { location: 'eastus' } }),
      409,
      'InvalidResourceGroupLocation',
      "Invalid resource group location 'eastus'. The Resource group already exists in location 'westus'.",
    );
  });

  it('updates tags with PATCH', async () => {
    await arm(t, 'PUT', path('patched'), { token, body: { location: 'westus', tags: { a: '1' } } });
    const patched = await arm<GroupJson>(t, 'PATCH', path('patched'), { token, body: { tags: { b: '2' } } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json.tags, { b: '2' });
  });

  it('deletes the resources and the role assignments inside a group with it', async () => {
    await arm(t, 'PUT', path('doomed'), { token, body: { location: 'westus' } });
    const store = `${f.subscriptionScope}/resourceGroups/doomed/providers/Microsoft.AppConfiguration/configurationStores/doomed-store`;
    assert.equal(
      (
        await arm(t, 'PUT', `${store}?${API.configurationStores}`, {
          token,
          body: { location: 'westus', sku: { name: 'free' } },
        })
      ).status,
      201,
    );
    const reader = await principalWithRole(t, { displayName: 'doomed-reader' });
    const { tessera } = t.server;
    for (const scope of [`${f.subscriptionScope}/resourceGroups/doomed`, store]) {
      await tessera.roleAssignments.create({
        tenantId: t.tenant.id,
        scope,
        roleDefinition: 'Reader',
        principalId: reader.servicePrincipal.objectId,
      });
    }
    assert.equal(
      (await tessera.roleAssignments.list({ principalId: reader.servicePrincipal.objectId })).length,
      2,
    );

    assert.equal((await arm(t, 'DELETE', path('doomed'), { token })).status, 200);
    assert.deepEqual(
      await tessera.roleAssignments.list({ principalId: reader.servicePrincipal.objectId }),
      [],
    );
    assert.equal(await tessera.configurationStores.findByName('doomed-store'), undefined);
    assert.deepEqual(await tessera.configurationStores.keys.list('doomed-store'), []);

    // A group re-created under the same name starts empty and grants nothing to the old reader.
    await arm(t, 'PUT', path('doomed'), { token, body: { location: 'westus' } });
    expectArmError(await arm(t, 'GET', path('doomed'), { token: reader.token }), 403, 'AuthorizationFailed');
  });

  it('shows only the groups the caller can read, and refuses a caller who can read none', async () => {
    await arm(t, 'PUT', path('visible'), { token, body: { location: 'westus' } });
    const scoped = await principalWithRole(t, {
      displayName: 'visible-reader',
      role: 'Reader',
      scope: `${f.subscriptionScope}/resourceGroups/visible`,
    });
    const list = await arm<{ value: GroupJson[] }>(
      t,
      'GET',
      `${f.subscriptionScope}/resourcegroups?${API.resourceGroups}`,
      {
        token: scoped.token,
      },
    );
    assert.deepEqual(
      list.json.value.map((g) => g.name),
      ['visible'],
    );
    const nobody = await principalWithRole(t, { displayName: 'no-groups' });
    expectArmError(
      await arm(t, 'GET', `${f.subscriptionScope}/resourcegroups?${API.resourceGroups}`, {
        token: nobody.token,
      }),
      403,
      'AuthorizationFailed',
    );
  });
});
