import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { RoleDefinition } from '@azure/arm-authorization';
import { changeAccess } from '../../src/access/changes.js';
import { runCli } from '../cli/support.js';
import type { SecretClient } from '../support/authority.js';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, credentialFor, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture, ArmResponse } from './support.js';

interface FileRole {
  name: string;
  roleName: string;
  permissions: Array<Record<string, unknown>>;
}
const file = JSON.parse(
  readFileSync(new URL('../../src/access/data/built-in-roles.json', import.meta.url), 'utf8'),
) as FileRole[];
const byName = new Map(file.map((r) => [r.roleName, r]));
const guidOf = (roleName: string): string => byName.get(roleName)?.name ?? '';
/** Assignable only at a provider's own scopes, so never listed under a subscription. */
const CONFINED = [
  'Reservations Administrator',
  'Reservations Reader',
  'Service Group Administrator',
  'Service Group Contributor',
  'Service Group Reader',
];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('every built-in role through ARM, the SDK and the CLI', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: SecretClient & { token: string };
  let client: AuthorizationManagementClient;

  const definitionId = (guid: string) =>
    `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const listPath = (scope: string, filter?: string) =>
    `${scope}/providers/Microsoft.Authorization/roleDefinitions?${API.roleDefinitions}` +
    (filter === undefined ? '' : `&$filter=${encodeURIComponent(filter)}`);
  /** Follows nextLink, as az and the SDKs do. */
  async function listAll(path: string, token = owner.token) {
    const all: Array<{ id: string; name: string; properties: { roleName: string; type: string } }> = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const response: ArmResponse<{ value: typeof all; nextLink?: string }> = await arm(t, 'GET', next, {
        token,
      });
      assert.equal(response.status, 200, response.text);
      all.push(...response.json.value);
      next = response.json.nextLink?.slice(t.origin.length);
    }
    return all;
  }

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    client = new AuthorizationManagementClient(credentialFor(t, owner), f.subscription.subscriptionId, {
      endpoint: t.origin,
    });
  });
  after(async () => t.stop());

  it('lists every built-in role with the SDK: all 507 at the root, all assignable ones under a subscription', async () => {
    const atRoot = (await collect(client.roleDefinitions.list('/'))).filter(
      (d) => d.roleType === 'BuiltInRole',
    );
    assert.equal(atRoot.length, file.length);
    assert.deepEqual(new Set(atRoot.map((d) => d.name)), new Set(file.map((r) => r.name)));
    const reader = atRoot.find((d) => d.roleName === 'Reader');
    assert.equal(
      reader?.id,
      '/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7',
    );

    const atSubscription = await collect(client.roleDefinitions.list(f.subscriptionScope));
    const builtIns = atSubscription.filter((d) => d.roleType === 'BuiltInRole');
    assert.equal(builtIns.length, file.length - CONFINED.length);
    for (const name of CONFINED) assert.ok(!builtIns.some((d) => d.roleName === name), name);
    // Every permission exactly as the file has it (conditions included, through the raw response).
    const wire = await listAll(listPath(f.subscriptionScope, "type eq 'BuiltInRole'"));
    assert.equal(wire.length, builtIns.length);
    for (const d of wire as unknown as Array<{
      id: string;
      name: string;
      properties: { permissions: unknown };
    }>) {
      const role = file.find((r) => r.name === d.name);
      assert.ok(role, d.name);
      assert.deepEqual(d.properties.permissions, role.permissions, role.roleName);
      assert.equal(d.id, definitionId(d.name));
    }
  });

  it('filters by roleName and type at the subscription, a resource group and a resource, as az and the SDK send them', async () => {
    const resourceScope = `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/any`;
    for (const scope of [f.subscriptionScope, f.groupScope, resourceScope]) {
      const found: RoleDefinition[] = await collect(
        client.roleDefinitions.list(scope, { filter: "roleName eq 'Storage Blob Data Reader'" }),
      );
      assert.deepEqual(
        found.map((d) => [d.id, d.roleName, d.roleType]),
        [[definitionId(guidOf('Storage Blob Data Reader')), 'Storage Blob Data Reader', 'BuiltInRole']],
        scope,
      );
    }
    // az: `definitions_client.list(scope, "roleName eq '…'")`, exact request.
    const az = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20%27Media%20Services%20Media%20Operator%27&api-version=2022-04-01`,
      { token: owner.token },
    );
    assert.deepEqual(
      az.json.value.map((d) => d.name),
      [guidOf('Media Services Media Operator')],
    );
    const custom = await arm(
      t,
      'PUT',
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${randomUUID()}?${API.roleDefinitions}`,
      {
        token: owner.token,
        body: {
          properties: {
            roleName: 'Catalogue Custom',
            permissions: [{ actions: ['Microsoft.Resources/subscriptions/resourceGroups/read'] }],
            assignableScopes: [f.subscriptionScope],
          },
        },
      },
    );
    assert.equal(custom.status, 201, custom.text);
    const customs = await listAll(listPath(f.groupScope, "type eq 'CustomRole'"));
    assert.deepEqual(
      customs.map((d) => d.properties.roleName),
      ['Catalogue Custom'],
    );
    const builtIns = await listAll(listPath(f.groupScope, "type eq 'BuiltInRole'"));
    assert.ok(builtIns.every((d) => d.properties.type === 'BuiltInRole'));
    assert.equal(builtIns.length, file.length - CONFINED.length);
    const none = await listAll(listPath(f.groupScope, "roleName eq 'No Such Role'"));
    assert.deepEqual(none, []);
    expectArmError(
      await arm(t, 'GET', listPath(f.groupScope, "type eq 'Other'"), { token: owner.token }),
      400,
      'UnsupportedQuery',
    );
    expectArmError(
      await arm(t, 'GET', listPath(f.groupScope, "description eq 'x'"), { token: owner.token }),
      400,
      'UnsupportedQuery',
    );
    const byGuid = await client.roleDefinitions.getById(
      `/providers/Microsoft.Authorization/roleDefinitions/${guidOf('Key Vault Data Access Administrator')}`,
    );
    assert.equal(byGuid.roleName, 'Key Vault Data Access Administrator');
    assert.equal(byGuid.permissions?.[0]?.actions?.includes('Microsoft.KeyVault/vaults/*/read'), true);
  });

  it('assigns any built-in role by id through the SDK and by name or id through the CLI', async () => {
    const sdkTarget = await registerSecretClient(t, { displayName: 'sdk-target' });
    const created = await client.roleAssignments.create(f.groupScope, randomUUID(), {
      roleDefinitionId: definitionId(guidOf('Storage Blob Data Reader')),
      principalId: sdkTarget.servicePrincipal.objectId,
    });
    assert.equal(created.roleDefinitionId, definitionId(guidOf('Storage Blob Data Reader')));
    const decision = await t.server.tessera.access.evaluate(
      sdkTarget.servicePrincipal.objectId,
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      `${f.groupScope}/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/c`,
      'dataAction',
    );
    assert.equal(decision.allowed, true);

    const cliTarget = await registerSecretClient(t, { displayName: 'cli-target' });
    for (const role of ['Storage Blob Data Reader', guidOf('Media Services Media Operator')]) {
      const result = await runCli([
        'role',
        'assignment',
        'create',
        '--assignee',
        cliTarget.application.appId,
        '--role',
        role,
        '--scope',
        f.groupScope,
        ...storeArgs(t),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as { roleDefinitionId: string };
      assert.match(json.roleDefinitionId, /[0-9a-f-]{36}$/);
    }
    const listed = await runCli([
      'role',
      'assignment',
      'list',
      '--assignee',
      cliTarget.application.appId,
      '--scope',
      f.groupScope,
      ...storeArgs(t),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as Array<{ roleDefinitionName: string }>).map(
      (a) => a.roleDefinitionName,
    );
    assert.deepEqual(names.sort(), ['Media Services Media Operator', 'Storage Blob Data Reader']);
    const missing = await runCli([
      'role',
      'assignment',
      'create',
      '--assignee',
      cliTarget.application.appId,
      '--role',
      'No Such Role',
      '--scope',
      f.groupScope,
      ...storeArgs(t),
    ]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /'No Such Role' does not exist/);
  });

  it('refuses a built-in role outside its assignable scopes (Reservations, Service Groups)', async () => {
    const target = await registerSecretClient(t, { displayName: 'confined' });
    const put = await arm(
      t,
      'PUT',
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${API.roleAssignments}`,
      {
        token: owner.token,
        body: {
          properties: {
            roleDefinitionId: definitionId(guidOf('Reservations Reader')),
            principalId: target.servicePrincipal.objectId,
          },
        },
      },
    );
    expectArmError(put, 400, 'InvalidCreateRoleAssignmentRequest');
    const cli = await runCli([
      'role',
      'assignment',
      'create',
      '--assignee',
      target.application.appId,
      '--role',
      'Service Group Reader',
      '--scope',
      f.subscriptionScope,
      ...storeArgs(t),
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /assignable scopes/);
  });

  it('lets a built-in role win over custom roles an older store holds under its GUID or its name', async () => {
    const { tessera } = t.server;
    const queueReader = guidOf('Storage Queue Data Reader');
    const blobContributor = 'Storage Blob Data Contributor';
    const lookalike = randomUUID();
    const row = (name: string, roleName: string) => ({
      name,
      tenant_id: t.tenant.id,
      role_name: roleName,
      role_name_lower: roleName.toLowerCase(),
      description: 'made before the role was built in',
      permissions: JSON.stringify([
        {
          actions: ['Microsoft.Resources/subscriptions/resourceGroups/read'],
          notActions: [],
          dataActions: [],
          notDataActions: [],
        },
      ]),
      assignable_scopes: JSON.stringify([f.subscriptionScope]),
      created_on: 1,
      updated_on: 1,
      created_by: null,
    });
    // As a store written before these roles were built in would hold them.
    await changeAccess(tessera.db, async (trx) => {
      await trx
        .insertInto('role_definitions')
        .values([row(queueReader, 'Legacy Queue Reader'), row(lookalike, blobContributor)])
        .execute();
    });

    const listed = await listAll(listPath(f.subscriptionScope));
    assert.deepEqual(
      listed.filter((d) => d.name === queueReader).map((d) => [d.properties.roleName, d.properties.type]),
      [['Storage Queue Data Reader', 'BuiltInRole']],
    );
    assert.ok(!listed.some((d) => d.properties.roleName === 'Legacy Queue Reader'));
    assert.deepEqual(
      listed
        .filter((d) => d.properties.roleName === blobContributor)
        .map((d) => [d.name, d.properties.type])
        .sort(),
      [
        [guidOf(blobContributor), 'BuiltInRole'],
        [lookalike, 'CustomRole'],
      ].sort(),
    );
    // A name finds the built-in role only, so az's `--role` still resolves to one definition.
    const named = await listAll(listPath(f.subscriptionScope, `roleName eq '${blobContributor}'`));
    assert.deepEqual(
      named.map((d) => d.name),
      [guidOf(blobContributor)],
    );
    const get = await arm<{ properties: { roleName: string } }>(
      t,
      'GET',
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${queueReader}?${API.roleDefinitions}`,
      { token: owner.token },
    );
    assert.equal(get.json.properties.roleName, 'Storage Queue Data Reader');

    // An assignment of the shadowed GUID gets the built-in role's permissions.
    const holder = await registerSecretClient(t, { displayName: 'legacy-holder' });
    await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      roleDefinition: queueReader,
      principalId: holder.servicePrincipal.objectId,
    });
    const check = (action: string, kind: 'action' | 'dataAction') =>
      tessera.access.evaluate(holder.servicePrincipal.objectId, action, f.groupScope, kind);
    assert.equal(
      (await check('Microsoft.Storage/storageAccounts/queueServices/queues/messages/read', 'dataAction'))
        .allowed,
      true,
    );
    assert.equal(
      (await check('Microsoft.Resources/subscriptions/resourceGroups/read', 'action')).allowed,
      false,
    );
    // The same-name custom role keeps its own GUID and permissions, but must be renamed to be saved.
    const user = await registerSecretClient(t, { displayName: 'lookalike-holder' });
    await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      roleDefinition: lookalike,
      principalId: user.servicePrincipal.objectId,
    });
    assert.equal(
      (
        await tessera.access.evaluate(
          user.servicePrincipal.objectId,
          'Microsoft.Resources/subscriptions/resourceGroups/read',
          f.groupScope,
          'action',
        )
      ).allowed,
      true,
    );
    const body = (roleName: string) => ({
      properties: {
        roleName,
        permissions: [{ actions: ['Microsoft.Resources/subscriptions/resourceGroups/read'] }],
        assignableScopes: [f.subscriptionScope],
      },
    });
    const path = `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${lookalike}?${API.roleDefinitions}`;
    expectArmError(
      await arm(t, 'PUT', path, { token: owner.token, body: body(blobContributor) }),
      409,
      'RoleDefinitionWithSameNameExists',
    );
    assert.equal(
      (await arm(t, 'PUT', path, { token: owner.token, body: body('Blob Contributor (legacy)') })).status,
      201,
    );
    // The shadowed row cannot be changed through ARM: its GUID names the built-in role.
    expectArmError(
      await arm(
        t,
        'DELETE',
        `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${queueReader}?${API.roleDefinitions}`,
        { token: owner.token },
      ),
      400,
      'RoleDefinitionNotModifiable',
    );
  });
});
