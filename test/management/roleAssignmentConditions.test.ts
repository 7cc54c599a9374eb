import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { RoleAssignment } from '@azure/arm-authorization';
import { isRestError } from '@azure/core-rest-pipeline';
import { headersOnly } from '../support/headersOnly.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { SecretClient } from '../support/authority.js';
import { registerSecretClient } from '../support/authority.js';
import { API, arm, armFixture, credentialFor, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const UAA = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';
const RBAC_ADMIN = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const BLOB_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const APPCONFIG_READER = '516239f1-63e1-4d78-a4de-a74fb236a071';
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const DELETE = 'Microsoft.Authorization/roleAssignments/delete';
const PRIVILEGED = `{${OWNER}, ${UAA}, ${RBAC_ADMIN}}`;
/** The escalation guard of Microsoft's delegation examples. */
const GUARD = `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals ${PRIVILEGED})) AND ((!(ActionMatches{'${DELETE}'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals ${PRIVILEGED}))`;
const BLOB_CONDITION = `((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'))`;

describe('role assignment conditions (ABAC) on the management API', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: SecretClient & { token: string };
  let client: AuthorizationManagementClient;
  let target: SecretClient;

  const clientFor = (principal: SecretClient) =>
    new AuthorizationManagementClient(credentialFor(t, principal), f.subscription.subscriptionId, {
      endpoint: t.origin,
    });
  const definitionId = (guid: string) =>
    `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const assignmentPath = (name: string) =>
    `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/${name}?${API.roleAssignments}`;
  const abacRefusal = (caller: SecretClient, action: string, name: string) =>
    `The client '${caller.application.appId}' with object id '${caller.servicePrincipal.objectId}' does not have authorization or an ABAC condition not fulfilled to perform action '${action}' over scope '${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/${name}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    target = await registerSecretClient(t, { displayName: 'target' });
    client = clientFor(owner);
  });
  after(async () => t.stop());

  it('stores a condition, returns it on create, get and list, and defaults its version to 2.0', async () => {
    const name = randomUUID();
    const created = await client.roleAssignments.create(f.groupScope, name, {
      roleDefinitionId: definitionId(BLOB_READER),
      principalId: target.servicePrincipal.objectId,
      condition: BLOB_CONDITION,
    });
    assert.equal(created.condition, BLOB_CONDITION);
    assert.equal(created.conditionVersion, '2.0');
    const got = await client.roleAssignments.get(f.groupScope, name);
    assert.deepEqual(got, created);
    const listed: RoleAssignment[] = [];
    for await (const a of client.roleAssignments.listForScope(f.groupScope, {
      filter: `atScope() and assignedTo('${target.servicePrincipal.objectId}')`,
    })) {
      listed.push(a);
    }
    assert.deepEqual(
      listed.map((a) => [a.name, a.condition, a.conditionVersion]),
      [[name, BLOB_CONDITION, '2.0']],
    );
    // An assignment without a condition says null for both.
    const plain = await client.roleAssignments.create(f.groupScope, randomUUID(), {
      roleDefinitionId: definitionId(READER),
      principalId: target.servicePrincipal.objectId,
    });
    assert.equal(plain.condition, null);
    assert.equal(plain.conditionVersion, null);
  });

  it('updates the condition and description by a PUT of the same role, principal and scope (200)', async () => {
    const name = randomUUID();
    const body = {
      properties: { roleDefinitionId: definitionId(OWNER), principalId: target.servicePrincipal.objectId },
    };
    const created = await arm(t, 'PUT', assignmentPath(name), { token: owner.token, body });
    assert.equal(created.status, 201, created.text);
    const updated = await arm<{ properties: Record<string, unknown> }>(t, 'PUT', assignmentPath(name), {
      token: owner.token,
      body: {
        properties: { ...body.properties, condition: GUARD, conditionVersion: '2.0', description: 'guarded' },
      },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json.properties.condition, GUARD);
    assert.equal(updated.json.properties.description, 'guarded');
    assert.equal(updated.json.properties.updatedBy, owner.servicePrincipal.objectId);
    assert.equal((await client.roleAssignments.get(f.groupScope, name)).condition, GUARD);
    const cleared = await arm<{ properties: Record<string, unknown> }>(t, 'PUT', assignmentPath(name), {
      token: owner.token,
      body: { properties: { ...body.properties, condition: null, conditionVersion: null } },
    });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.json.properties.condition, null);
    assert.equal(cleared.json.properties.conditionVersion, null);
    assert.equal(cleared.json.properties.description, 'guarded', 'what a PUT leaves out stays');
    await client.roleAssignments.delete(f.groupScope, name);
  });

  it('refuses invalid conditions with 400 InvalidRoleAssignmentCondition', async () => {
    const cases: Array<[string, string, string | undefined, RegExp]> = [
      ['version 1.0', GUARD, '1.0', /version '1\.0'/],
      ['bad syntax', `((!(ActionMatches{'${WRITE}'})) OR`, '2.0', /ends where/],
      [
        'an App Configuration action',
        `((!(ActionMatches{'Microsoft.AppConfiguration/configurationStores/keyValues/read'})) OR (@Resource[x] StringEquals 'y'))`,
        undefined,
        /not supported for the action/,
      ],
      [
        'an action the role does not grant',
        `((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'))`,
        undefined,
        /does not grant/,
      ],
      [
        '@Principal on a role assignment write',
        `((!(ActionMatches{'${WRITE}'})) OR (@Principal[Microsoft.Directory/CustomSecurityAttributes/Id:Dept] StringEquals 'x'))`,
        undefined,
        /@Principal/,
      ],
    ];
    for (const [label, condition, conditionVersion, detail] of cases) {
      const role = label.startsWith('an App') || label.startsWith('an action') ? APPCONFIG_READER : OWNER;
      const response = await arm(t, 'PUT', assignmentPath(randomUUID()), {
        token: owner.token,
        body: {
          properties: {
            roleDefinitionId: definitionId(role),
            principalId: target.servicePrincipal.objectId,
            condition,
            ...(conditionVersion ? { conditionVersion } : {}),
          },
        },
      });
      const message = expectArmError(response, 400, 'InvalidRoleAssignmentCondition');
      assert.match(message, /^The given role assignment condition is invalid\./, label);
      assert.match(message, detail, label);
    }
    // Nothing was stored.
    const all: RoleAssignment[] = [];
    for await (const a of client.roleAssignments.listForScope(f.groupScope, { filter: 'atScope()' }))
      all.push(a);
    assert.ok(
      !all.some(
        (a) =>
          a.principalId === target.servicePrincipal.objectId &&
          a.roleDefinitionId?.endsWith(APPCONFIG_READER),
      ),
    );
  });

  it('a guarded Owner assigns Reader but neither assigns nor removes Owner (ABAC 403)', async () => {
    const delegate = await registerSecretClient(t, { displayName: 'delegate' });
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.subscriptionScope,
      roleDefinition: OWNER,
      principalId: delegate.servicePrincipal.objectId,
      condition: GUARD,
    });
    const delegated = clientFor(delegate);
    const assignee = await registerSecretClient(t, { displayName: 'assignee' });
    const readerName = randomUUID();
    const reader = await delegated.roleAssignments.create(f.groupScope, readerName, {
      roleDefinitionId: definitionId(READER),
      principalId: assignee.servicePrincipal.objectId,
    });
    assert.equal(reader.name, readerName);

    const ownerName = randomUUID();
    await assert.rejects(
      delegated.roleAssignments.create(f.groupScope, ownerName, {
        roleDefinitionId: definitionId(OWNER),
        principalId: assignee.servicePrincipal.objectId,
      }),
      (error: unknown) => {
        assert.ok(isRestError(error), String(error));
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, 'AuthorizationFailed');
        assert.equal(error.message, abacRefusal(delegate, WRITE, ownerName));
        return true;
      },
    );
    assert.equal(await t.server.tessera.roleAssignments.find(ownerName), undefined);

    // An Owner assignment made by the unguarded Owner cannot be removed by the delegate.
    const privileged = randomUUID();
    await client.roleAssignments.create(f.groupScope, privileged, {
      roleDefinitionId: definitionId(OWNER),
      principalId: assignee.servicePrincipal.objectId,
    });
    await assert.rejects(delegated.roleAssignments.delete(f.groupScope, privileged), (error: unknown) => {
      assert.ok(isRestError(error), String(error));
      assert.equal(error.statusCode, 403);
      assert.equal(error.message, abacRefusal(delegate, DELETE, privileged));
      return true;
    });
    assert.ok(await t.server.tessera.roleAssignments.find(privileged));
    // The Reader assignment it made, it may remove; every other Owner action stays granted.
    assert.equal((await delegated.roleAssignments.delete(f.groupScope, readerName)).name, readerName);
    const groups = await arm(t, 'GET', `${f.subscriptionScope}/resourcegroups?${API.resourceGroups}`, {
      token: await principalToken(delegate),
    });
    assert.equal(groups.status, 200, groups.text);
    await client.roleAssignments.delete(f.groupScope, privileged);
  });

  it('refuses a caller with no grant before reading its body, in the ABAC wording', async () => {
    const noRole = await principalWithRole(t, { displayName: 'no-role' });
    const name = randomUUID();
    const response = await headersOnly(`${t.origin}${assignmentPath(name)}`, 'PUT', {
      authorization: `Bearer ${noRole.token}`,
      contentLength: 3_900_000,
    });
    expectArmError(
      { ...response, json: JSON.parse(response.text) as unknown },
      403,
      'AuthorizationFailed',
      abacRefusal(noRole, WRITE, name),
    );
    assert.equal(response.headers.get('connection'), 'close');
  });

  const principalToken = async (principal: SecretClient) =>
    (await credentialFor(t, principal).getToken('https://management.azure.com/.default')).token;
});
