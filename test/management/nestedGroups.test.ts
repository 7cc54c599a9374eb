import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

describe('access through nested groups', () => {
  let t: TestServer;
  let f: ArmFixture;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
  });
  after(async () => t.stop());

  it('lets a principal in group B in group A use the Contributor role A holds on the group', async () => {
    const { tessera } = t.server;
    const sp = await principalWithRole(t, { displayName: 'nested-member' });
    const groupA = await tessera.directory.groups.create(t.tenant.id, {
      displayName: 'A',
      mailNickname: 'a',
    });
    const groupB = await tessera.directory.groups.create(t.tenant.id, {
      displayName: 'B',
      mailNickname: 'b',
    });
    await tessera.directory.groups.addMember(groupB, sp.servicePrincipal.objectId);
    await tessera.directory.groups.addMember(groupA, groupB.objectId);
    const granted = await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      roleDefinition: 'Contributor',
      principalId: groupA.objectId,
    });
    assert.equal(granted.principalType, 'Group');

    const storePath = `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/nested-store?${API.configurationStores}`;
    const created = await arm(t, 'PUT', storePath, {
      token: sp.token,
      body: { location: 'westus', sku: { name: 'free' } },
    });
    assert.equal(created.status, 201, created.text);

    // Only where A's role applies: not the subscription's other groups, and no role assignments.
    const owner = await principalWithRole(t, {
      displayName: 'owner',
      role: 'Owner',
      scope: f.subscriptionScope,
    });
    await arm(t, 'PUT', `${f.subscriptionScope}/resourcegroups/elsewhere?${API.resourceGroups}`, {
      token: owner.token,
      body: { location: 'westus' },
    });
    expectArmError(
      await arm(
        t,
        'PUT',
        `${f.subscriptionScope}/resourcegroups/elsewhere/providers/Microsoft.AppConfiguration/configurationStores/nested-two?${API.configurationStores}`,
        {
          token: sp.token,
          body: { location: 'westus', sku: { name: 'free' } },
        },
      ),
      403,
      'AuthorizationFailed',
    );

    // assignedTo() follows the same memberships.
    const assigned = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}&$filter=${encodeURIComponent(`assignedTo('${sp.servicePrincipal.objectId}')`)}`,
      { token: owner.token },
    );
    assert.deepEqual(
      assigned.json.value.map((a) => a.name),
      [granted.name],
    );

    // Leaving B ends the access at once.
    await tessera.directory.groups.removeMember(groupB, sp.servicePrincipal.objectId);
    expectArmError(await arm(t, 'GET', storePath, { token: sp.token }), 403, 'AuthorizationFailed');
  });
});
