import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

interface DefinitionJson {
  id: string;
  name: string;
  type: string;
  properties: {
    roleName: string;
    type: string;
    description: string;
    assignableScopes: string[];
    permissions: Array<{
      actions: string[];
      notActions: string[];
      dataActions: string[];
      notDataActions: string[];
    }>;
    createdBy: string | null;
  };
}

describe('custom role definitions', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: Awaited<ReturnType<typeof principalWithRole>>;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
  });
  after(async () => t.stop());

  const definitionPath = (guid: string, scope = f.subscriptionScope) =>
    `${scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}?${API.roleDefinitions}`;
  const assignmentPath = (scope: string, name = randomUUID()) =>
    `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?${API.roleAssignments}`;
  const storePath = (name: string) =>
    `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/${name}?${API.configurationStores}`;
  const storeOperator = (assignableScopes: string[]) => ({
    properties: {
      roleName: `Store Operator ${randomUUID().slice(0, 8)}`,
      description: 'Creates and reads App Configuration stores.',
      type: 'CustomRole',
      permissions: [
        {
          actions: [
            'Microsoft.AppConfiguration/configurationStores/read',
            'Microsoft.AppConfiguration/configurationStores/write',
          ],
          notActions: [],
          dataActions: [],
          notDataActions: [],
        },
      ],
      assignableScopes,
    },
  });

  it('creates a custom role, lists and gets it, then grants it and enforces it', async () => {
    const guid = randomUUID();
    const body = storeOperator([f.groupScope]);
    const created = await arm<DefinitionJson>(t, 'PUT', definitionPath(guid), { token: owner.token, body });
    assert.equal(created.status, 201, created.text);
    assert.equal(
      created.json.id,
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    );
    assert.equal(created.json.name, guid);
    assert.equal(created.json.type, 'Microsoft.Authorization/roleDefinitions');
    assert.equal(created.json.properties.type, 'CustomRole');
    assert.equal(created.json.properties.roleName, body.properties.roleName);
    assert.deepEqual(created.json.properties.assignableScopes, [f.groupScope]);
    assert.deepEqual(created.json.properties.permissions, body.properties.permissions);
    assert.equal(created.json.properties.createdBy, owner.servicePrincipal.objectId);

    assert.deepEqual((await arm(t, 'GET', definitionPath(guid), { token: owner.token })).json, created.json);
    const custom = await arm<{ value: DefinitionJson[] }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/roleDefinitions?${API.roleDefinitions}&$filter=${encodeURIComponent("type eq 'CustomRole'")}`,
      { token: owner.token },
    );
    assert.deepEqual(
      custom.json.value.map((d) => d.name),
      [guid],
    );
    const byName = await arm<{ value: DefinitionJson[] }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/roleDefinitions?${API.roleDefinitions}&$filter=${encodeURIComponent(`roleName eq '${body.properties.roleName}'`)}`,
      { token: owner.token },
    );
    assert.equal(byName.json.value.length, 1);

    const operator = await principalWithRole(t, { displayName: 'operator' });
    const assigned = await arm(t, 'PUT', assignmentPath(f.groupScope), {
      token: owner.token,
      body: {
        properties: { roleDefinitionId: created.json.id, principalId: operator.servicePrincipal.objectId },
      },
    });
    assert.equal(assigned.status, 201, assigned.text);
    const put = await arm(t, 'PUT', storePath('operated'), {
      token: operator.token,
      body: { location: 'westus', sku: { name: 'free' } },
    });
    assert.equal(put.status, 201, put.text);
    expectArmError(
      await arm(t, 'DELETE', storePath('operated'), { token: operator.token }),
      403,
      'AuthorizationFailed',
    );

    expectArmError(
      await arm(t, 'PUT', assignmentPath(f.subscriptionScope), {
        token: owner.token,
        body: {
          properties: { roleDefinitionId: created.json.id, principalId: operator.servicePrincipal.objectId },
        },
      }),
      400,
      'InvalidCreateRoleAssignmentRequest',
    );

    expectArmError(
      await arm(t, 'DELETE', definitionPath(guid), { token: owner.token }),
      409,
      'RoleDefinitionHasAssignments',
    );
    for (const a of await t.server.tessera.roleAssignments.list({
      principalId: operator.servicePrincipal.objectId,
    })) {
      await t.server.tessera.roleAssignments.delete(a.name);
    }
    const deleted = await arm<DefinitionJson>(t, 'DELETE', definitionPath(guid), { token: owner.token });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json.name, guid);
    assert.equal((await arm(t, 'DELETE', definitionPath(guid), { token: owner.token })).status, 204);
    expectArmError(
      await arm(t, 'GET', definitionPath(guid), { token: owner.token }),
      404,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${guid}' does not exist.`,
    );
  });

  it('needs roleDefinitions/write on every assignable scope', async () => {
    const groupAdmin = await principalWithRole(t, {
      displayName: 'group-admin',
      role: 'User Access Administrator',
      scope: f.groupScope,
    });
    assert.equal(
      (
        await arm(t, 'PUT', definitionPath(randomUUID(), f.groupScope), {
          token: groupAdmin.token,
          body: storeOperator([f.groupScope]),
        })
      ).status,
      201,
    );
    expectArmError(
      await arm(t, 'PUT', definitionPath(randomUUID(), f.groupScope), {
        token: groupAdmin.token,
        body: storeOperator([f.groupScope, f.subscriptionScope]),
      }),
      403,
      'AuthorizationFailed',
      `The client '${groupAdmin.application.appId}' with object id '${groupAdmin.servicePrincipal.objectId}' does not have authorization to perform action 'Microsoft.Authorization/roleDefinitions/write' over scope '${f.subscriptionScope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    const contributor = await principalWithRole(t, {
      displayName: 'contrib',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    expectArmError(
      await arm(t, 'PUT', definitionPath(randomUUID()), {
        token: contributor.token,
        body: storeOperator([f.groupScope]),
      }),
      403,
      'AuthorizationFailed',
    );
  });

  it('validates the definition', async () => {
    const put = (body: unknown) => arm(t, 'PUT', definitionPath(randomUUID()), { token: owner.token, body });
    expectArmError(
      await put({ properties: { ...storeOperator([]).properties } }),
      400,
      'MissingAssignableScopes',
    );
    expectArmError(
      await put({ properties: { ...storeOperator([f.groupScope]).properties, roleName: '' } }),
      400,
      'InvalidRoleName',
    );
    expectArmError(
      await put({ properties: { ...storeOperator([f.groupScope]).properties, roleName: 'Owner' } }),
      409,
      'RoleDefinitionWithSameNameExists',
    );
    expectArmError(
      await put({
        properties: { ...storeOperator(['/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333']).properties },
      }),
      404,
      'SubscriptionNotFound',
    );
    expectArmError(
      await arm(t, 'PUT', definitionPath('8e3af657-a8ff-443c-a75c-2fe8c4bcb635'), {
        token: owner.token,
        body: storeOperator([f.groupScope]),
      }),
      400,
      'RoleDefinitionNotModifiable',
    );
  });

  it('serves the built-in catalogue at the tenant root to any caller', async () => {
    const nobody = await principalWithRole(t, { displayName: 'catalogue-reader' });
    const list = await arm<{ value: DefinitionJson[] }>(
      t,
      'GET',
      `/providers/Microsoft.Authorization/roleDefinitions?${API.roleDefinitions}&$filter=${encodeURIComponent("roleName eq 'Reader'")}`,
      { token: nobody.token },
    );
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.json.value.map((d) => d.id),
      ['/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7'],
    );
  });
});
