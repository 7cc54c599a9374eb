import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/support.js';
import { createUser } from '../support/users.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

interface AzAssignment {
  id: string;
  name: string;
  principalId: string;
  principalName: string | null;
  principalType: string;
  roleDefinitionId: string;
  roleDefinitionName: string | null;
  scope: string;
  resourceGroup?: string;
  type: string;
}

/** The CLI (another process in real use: here another Tessera over the same folder) and the API share one store. */
describe('CLI and management API see the same data', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: Awaited<ReturnType<typeof principalWithRole>>;

  const cli = async <T>(...args: string[]): Promise<T> => {
    // Endpoints are printed on the origin clients use; only the service commands take it.
    const server = args[0] === 'appconfig' || args[0] === 'media' ? ['--server', t.origin] : [];
    const result = await runCli([...args, ...storeArgs(t), ...server]);
    assert.equal(result.code, 0, `tessera ${args.join(' ')}: ${result.stderr}`);
    return (result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout)) as T;
  };
  const cliFails = async (...args: string[]) => {
    const result = await runCli([...args, ...storeArgs(t)]);
    assert.notEqual(result.code, 0, result.stdout);
    return result.stderr;
  };

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
  });
  after(async () => t.stop());

  it('role assignments made by the CLI are listed and enforced by the API, and the reverse', async () => {
    const worker = await principalWithRole(t, { displayName: 'worker' });
    const created = await cli<AzAssignment>(
      'role',
      'assignment',
      'create',
      '--assignee',
      worker.application.appId,
      '--role',
      'Contributor',
      '--scope',
      f.groupScope,
    );
    assert.equal(created.principalId, worker.servicePrincipal.objectId);
    assert.equal(created.principalType, 'ServicePrincipal');
    assert.equal(created.scope, f.groupScope);
    assert.equal(created.resourceGroup, f.resourceGroup.name);
    assert.equal(created.type, 'Microsoft.Authorization/roleAssignments');
    assert.equal(
      created.roleDefinitionId,
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    );

    const listed = await arm<{ value: Array<{ name: string; properties: { principalId: string } }> }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}&$filter=${encodeURIComponent(`principalId eq '${worker.servicePrincipal.objectId}'`)}`,
      { token: owner.token },
    );
    assert.deepEqual(
      listed.json.value.map((a) => a.name),
      [created.name],
    );

    // The server's access engine notices another process's change within a second.
    const storePath = `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/cli-granted?${API.configurationStores}`;
    let status = 0;
    for (let attempt = 0; attempt < 30 && status !== 201; attempt++) {
      status = (
        await arm(t, 'PUT', storePath, {
          token: worker.token,
          body: { location: 'westus', sku: { name: 'free' } },
        })
      ).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 201);

    const viaApi = randomUUID();
    const reader = await principalWithRole(t, { displayName: 'api-granted' });
    const put = await arm(
      t,
      'PUT',
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleAssignments/${viaApi}?${API.roleAssignments}`,
      {
        token: owner.token,
        body: {
          properties: {
            roleDefinitionId: `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
            principalId: reader.servicePrincipal.objectId,
          },
        },
      },
    );
    assert.equal(put.status, 201, put.text);
    const cliList = await cli<AzAssignment[]>(
      'role',
      'assignment',
      'list',
      '--assignee',
      reader.application.appId,
    );
    assert.deepEqual(
      cliList.map((a) => [a.name, a.roleDefinitionName, a.principalName, a.scope]),
      [[viaApi, 'Reader', reader.application.appId, f.subscriptionScope]],
    );
    const all = await cli<AzAssignment[]>('role', 'assignment', 'list', '--all');
    assert.ok(all.some((a) => a.name === created.name) && all.some((a) => a.name === viaApi));
    const atSubscriptionOnly = await cli<AzAssignment[]>('role', 'assignment', 'list');
    assert.ok(
      !atSubscriptionOnly.some((a) => a.name === created.name),
      'without --all, only the scope itself',
    );

    await cli('role', 'assignment', 'delete', '--ids', created.id);
    await cli(
      'role',
      'assignment',
      'delete',
      '--assignee',
      reader.application.appId,
      '--role',
      'Reader',
      '--scope',
      f.subscriptionScope,
    );
    const after = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}`,
      { token: owner.token },
    );
    assert.ok(!after.json.value.some((a) => a.name === created.name || a.name === viaApi));
  });

  it('groups, nested groups and group assignments made by the CLI', async () => {
    const member = await principalWithRole(t, { displayName: 'grouped' });
    const outer = await cli<{ id: string; securityEnabled: boolean }>(
      'ad',
      'group',
      'create',
      '--display-name',
      'Store Admins',
      '--mail-nickname',
      'store-admins',
    );
    const inner = await cli<{ id: string }>(
      'ad',
      'group',
      'create',
      '--display-name',
      'Store Ops',
      '--mail-nickname',
      'store-ops',
    );
    assert.equal(outer.securityEnabled, true);
    await cli(
      'ad',
      'group',
      'member',
      'add',
      '--group',
      'Store Ops',
      '--member-id',
      member.servicePrincipal.objectId,
    );
    await cli('ad', 'group', 'member', 'add', '--group', outer.id, '--member-id', inner.id);
    const members = await cli<Array<{ id: string }>>(
      'ad',
      'group',
      'member',
      'list',
      '--group',
      'Store Admins',
    );
    assert.deepEqual(
      members.map((m) => m.id),
      [inner.id],
    );
    const groups = await cli<Array<{ displayName: string }>>('ad', 'group', 'list');
    assert.deepEqual(groups.map((g) => g.displayName).sort(), ['Store Admins', 'Store Ops']);

    const assignment = await cli<AzAssignment>(
      'role',
      'assignment',
      'create',
      '--assignee',
      'Store Admins',
      '--role',
      'Reader',
      '--scope',
      f.groupScope,
    );
    assert.equal(assignment.principalType, 'Group');
    let status = 0;
    for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
      status = (await arm(t, 'GET', `${f.groupScope}?${API.resourceGroups}`, { token: member.token })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 200, 'the nested member reads the group through Store Admins');
    const inherited = await cli<AzAssignment[]>(
      'role',
      'assignment',
      'list',
      '--assignee',
      member.servicePrincipal.objectId,
      '--scope',
      f.groupScope,
      '--include-groups',
    );
    assert.deepEqual(
      inherited.map((a) => a.principalName),
      ['Store Admins'],
    );
  });

  it("resource groups, stores and keys made by the CLI are the API's", async () => {
    const group = await cli<{ id: string; name: string; location: string; managedBy: null }>(
      'group',
      'create',
      '-n',
      'cli-rg',
      '-l',
      'West US',
      '--tags',
      'env=dev',
    );
    assert.equal(group.id, `${f.subscriptionScope}/resourceGroups/cli-rg`);
    assert.equal(group.location, 'westus');
    const viaApi = await arm(t, 'GET', `${f.subscriptionScope}/resourcegroups/cli-rg?${API.resourceGroups}`, {
      token: owner.token,
    });
    const { managedBy, ...resource } = group;
    assert.equal(managedBy, null);
    assert.deepEqual(viaApi.json, resource);

    const store = await cli<{
      endpoint: string;
      resourceGroup: string;
      sku: { name: string };
      provisioningState: string;
    }>('appconfig', 'create', '-n', 'cli-store', '-g', 'cli-rg', '-l', 'westus');
    // The store's own origin, on the running server's host name.
    assert.match(store.endpoint, /^https:\/\/localhost:\d+$/);
    assert.notEqual(store.endpoint, t.origin);
    assert.equal(store.resourceGroup, 'cli-rg');
    assert.deepEqual(store.sku, { name: 'standard' });
    const cliKeys = await cli<
      Array<{ id: string; value: string; readOnly: boolean; connectionString: string }>
    >('appconfig', 'credential', 'list', '-n', 'cli-store');
    const apiKeys = await arm<{ value: typeof cliKeys }>(
      t,
      'POST',
      `${f.subscriptionScope}/resourceGroups/cli-rg/providers/Microsoft.AppConfiguration/configurationStores/cli-store/listKeys?${API.configurationStores}`,
      { token: owner.token },
    );
    assert.deepEqual(apiKeys.json.value, cliKeys);
    const rotated = await cli<{ id: string; name: string }>(
      'appconfig',
      'credential',
      'regenerate',
      '-n',
      'cli-store',
      '--id',
      cliKeys[0]?.id ?? '',
    );
    assert.equal(rotated.name, 'Primary');

    const account = await cli<{
      apiEndpoints: Array<{ endpoint: string; majorVersion: string }>;
      mediaServiceId: string;
    }>('media', 'account', 'create', '-n', 'climedia', '-g', 'cli-rg', '-l', 'westus');
    assert.equal(account.apiEndpoints.length, 1);
    assert.match(account.apiEndpoints[0]?.endpoint ?? '', /^https:\/\/localhost:\d+\/api\/$/);
    const apiAccount = await arm<{ properties: { mediaServiceId: string } }>(
      t,
      'GET',
      `${f.subscriptionScope}/resourceGroups/cli-rg/providers/Microsoft.Media/mediaservices/climedia?${API.mediaservices}`,
      { token: owner.token },
    );
    assert.equal(apiAccount.json.properties.mediaServiceId, account.mediaServiceId);

    await cli('group', 'delete', '-n', 'cli-rg', '--yes');
    expectArmError(
      await arm(t, 'GET', `${f.subscriptionScope}/resourcegroups/cli-rg?${API.resourceGroups}`, {
        token: owner.token,
      }),
      404,
      'ResourceGroupNotFound',
    );
    assert.match(
      await cliFails('appconfig', 'show', '-n', 'cli-store'),
      /^ERROR: The App Configuration store 'cli-store' was not found\./,
    );
  });

  it('custom roles and deny assignments made by the CLI are served by the API', async () => {
    const definition = await cli<{
      name: string;
      roleName: string;
      roleType: string;
      assignableScopes: string[];
    }>(
      'role',
      'definition',
      'create',
      '--role-definition',
      JSON.stringify({
        Name: 'Store Reader',
        Description: 'Reads stores.',
        Actions: ['Microsoft.AppConfiguration/configurationStores/read'],
        NotActions: [],
        DataActions: [],
        NotDataActions: [],
        AssignableScopes: [f.subscriptionScope],
      }),
    );
    assert.equal(definition.roleType, 'CustomRole');
    const custom = await cli<Array<{ name: string }>>('role', 'definition', 'list', '--custom-role-only');
    assert.deepEqual(
      custom.map((d) => d.name),
      [definition.name],
    );
    const named = await cli<Array<{ roleName: string }>>(
      'role',
      'definition',
      'list',
      '--name',
      'contributor',
    );
    assert.deepEqual(
      named.map((d) => d.roleName),
      ['Contributor'],
    );
    const viaApi = await arm<{ properties: { roleName: string } }>(
      t,
      'GET',
      `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${definition.name}?${API.roleDefinitions}`,
      { token: owner.token },
    );
    assert.equal(viaApi.json.properties.roleName, 'Store Reader');

    const deny = await cli<{
      name: string;
      denyAssignmentName: string;
      principals: Array<{ id: string; type: string }>;
    }>(
      'role',
      'deny',
      'create',
      '--name',
      'No deletes',
      '--scope',
      f.groupScope,
      '--actions',
      '*/delete',
      '--everyone',
      '--exclude-principal-ids',
      owner.servicePrincipal.objectId,
    );
    assert.deepEqual(deny.principals, [
      { id: '00000000-0000-0000-0000-000000000000', type: 'SystemDefined' },
    ]);
    const listed = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.Authorization/denyAssignments?${API.denyAssignments}`,
      { token: owner.token },
    );
    assert.deepEqual(
      listed.json.value.map((d) => d.name),
      [deny.name],
    );
    assert.match(
      await cliFails('role', 'deny', 'create', '--name', 'x', '--scope', f.groupScope, '--actions', '*'),
      /--principal-ids or --everyone/,
    );
    await cli('role', 'deny', 'delete', '--id', deny.name);
  });

  it('reports az-style errors', async () => {
    assert.match(
      await cliFails(
        'role',
        'assignment',
        'create',
        '--assignee',
        'nobody-at-all',
        '--role',
        'Reader',
        '--scope',
        f.groupScope,
      ),
      /^ERROR: Cannot find user or service principal in graph database for 'nobody-at-all'\./,
    );
    assert.match(
      await cliFails(
        'role',
        'assignment',
        'create',
        '--assignee',
        owner.application.appId,
        '--role',
        'Superuser',
        '--scope',
        f.groupScope,
      ),
      /^ERROR: The specified role definition with ID 'Superuser' does not exist\./,
    );
  });

  it('assigns a role to a user named by UPN, as az --assignee accepts', async () => {
    const user = await createUser(t, 'rita');
    const created = await cli<AzAssignment>(
      'role',
      'assignment',
      'create',
      '--assignee',
      user.userPrincipalName.toUpperCase(),
      '--role',
      'Reader',
      '--scope',
      f.groupScope,
    );
    assert.equal(created.principalId, user.objectId);
    assert.equal(created.principalType, 'User');
    const listed = await cli<AzAssignment[]>(
      'role',
      'assignment',
      'list',
      '--all',
      '--assignee',
      user.userPrincipalName,
    );
    assert.equal(listed[0]?.principalName, user.userPrincipalName);
    assert.deepEqual(
      listed.map((a) => a.name),
      [created.name],
    );
  });
});
