import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { builtInRoleDefinitions, findRoleDefinition } from '../../src/access/roleDefinitions.js';
import { parseScope } from '../../src/access/scopes.js';
import type { ServicePrincipal, Tenant } from '../../src/directory/model.js';
import { TesseraError } from '../../src/errors.js';
import type { ResourceGroup, Subscription } from '../../src/management/subscriptions.js';
import { Tessera } from '../../src/tessera.js';
import { testDataDir } from '../support/server.js';

const rejectsWith = (code: string) => (error: unknown) =>
  error instanceof TesseraError && error.code === code;

describe('built-in role definitions', () => {
  it('finds a role by name in any case, by GUID and by role definition id', () => {
    const contributor = findRoleDefinition('contributor');
    assert.equal(contributor?.name, 'b24988ac-6180-42a0-ab88-20f7382dd24c');
    assert.equal(findRoleDefinition('B24988AC-6180-42A0-AB88-20F7382DD24C'), contributor);
    assert.equal(
      findRoleDefinition(
        '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
      ),
      contributor,
    );
    assert.equal(
      findRoleDefinition('app configuration data reader')?.name,
      '516239f1-63e1-4d78-a4de-a74fb236a071',
    );
    assert.equal(findRoleDefinition('Nope'), undefined);
  });

  it("carries Azure's permissions", () => {
    assert.deepEqual(findRoleDefinition('Contributor')?.permissions[0]?.notActions, [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ]);
    assert.deepEqual(findRoleDefinition('Owner')?.permissions[0]?.actions, ['*']);
    assert.deepEqual(findRoleDefinition('Reader')?.permissions[0]?.actions, ['*/read']);
    // As Microsoft documents it today (built-in-roles.json): useSasAuth no longer excluded.
    assert.deepEqual(findRoleDefinition('App Configuration Data Owner')?.permissions[0]?.notDataActions, []);
    assert.equal(builtInRoleDefinitions.length, new Set(builtInRoleDefinitions.map((r) => r.name)).size);
    // Every role is assignable anywhere but the five the file confines (Reservations, Service Group).
    const confined = builtInRoleDefinitions.filter((r) => /^(Reservations|Service Group) /.test(r.roleName));
    assert.equal(confined.length, 5);
    for (const role of builtInRoleDefinitions.filter((r) => !confined.includes(r)))
      assert.deepEqual(role.assignableScopes, ['/']);
  });
});

describe('parseScope', () => {
  const sub = '0B1F6471-1BF0-4DDA-AEC3-111122223333';
  it('accepts subscriptions, resource groups and resources under either', () => {
    assert.deepEqual(parseScope(`/subscriptions/${sub}/`), { subscriptionId: sub.toLowerCase() });
    assert.deepEqual(parseScope(`/SUBSCRIPTIONS/${sub}/resourcegroups/My-RG`), {
      subscriptionId: sub.toLowerCase(),
      resourceGroup: 'My-RG',
    });
    assert.deepEqual(
      parseScope(
        `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.AppConfiguration/configurationStores/cs`,
      ),
      {
        subscriptionId: sub.toLowerCase(),
        resourceGroup: 'rg',
        resourcePath: 'providers/Microsoft.AppConfiguration/configurationStores/cs',
      },
    );
    assert.equal(
      parseScope(`/subscriptions/${sub}/providers/Microsoft.Media/mediaservices/m`)?.resourcePath,
      'providers/Microsoft.Media/mediaservices/m',
    );
  });

  it('rejects anything else', () => {
    for (const scope of [
      '/',
      'subscriptions/' + sub,
      '/subscriptions/not-a-guid',
      `/subscriptions/${sub}/resourceGroups`,
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Foo`,
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Foo/things`,
      `/subscriptions/${sub}/resourceGroups/rg/widgets/w`,
      '/providers/Microsoft.Management/managementGroups/mg',
    ]) {
      assert.equal(parseScope(scope), undefined, scope);
    }
  });
});

describe('RoleAssignments', () => {
  let dataDir: string;
  let tessera: Tessera;
  let tenant: Tenant;
  let subscription: Subscription;
  let group: ResourceGroup;
  let principal: ServicePrincipal;

  before(async () => {
    dataDir = testDataDir();
    tessera = await Tessera.open({ dataDir });
    const bootstrap = await tessera.bootstrap();
    assert.ok(bootstrap);
    ({ tenant, subscription, resourceGroup: group } = bootstrap);
    principal = (await tessera.directory.registerApplication(tenant, { displayName: 'rbac' }))
      .servicePrincipal;
  });
  after(async () => {
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const subScope = () => `/subscriptions/${subscription.subscriptionId}`;

  it('creates, lists by scope or principal, and deletes', async () => {
    const created = await tessera.roleAssignments.create({
      tenantId: tenant.id,
      scope: `${subScope().toUpperCase()}/resourcegroups/TESSERA-RG/`,
      roleDefinition: 'Reader',
      principalId: principal.objectId,
    });
    // Canonical form: the subscription id lower-cased, the group as it was created.
    assert.equal(created.scope, `${subScope()}/resourceGroups/${group.name}`);
    assert.equal(
      created.id,
      `${created.scope}/providers/Microsoft.Authorization/roleAssignments/${created.name}`,
    );
    assert.equal(created.roleDefinitionId, 'acdd72a7-3385-48ef-bd42-f606fba81ae7');
    assert.equal(created.principalType, 'ServicePrincipal');

    const atSubscription = await tessera.roleAssignments.create({
      tenantId: tenant.id,
      scope: subScope(),
      roleDefinition:
        '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
      principalId: principal.objectId,
      description: 'ci',
    });
    assert.deepEqual(
      (await tessera.roleAssignments.list({ scope: `${subScope()}/resourceGroups/Tessera-RG` })).map(
        (a) => a.name,
      ),
      [created.name],
    );
    assert.deepEqual(
      (await tessera.roleAssignments.list({ principalId: principal.objectId })).map((a) => a.name).sort(),
      [created.name, atSubscription.name].sort(),
    );
    assert.deepEqual(await tessera.roleAssignments.find(atSubscription.name), atSubscription);

    assert.deepEqual(await tessera.roleAssignments.delete(created.name), created);
    assert.equal(await tessera.roleAssignments.delete(created.name), undefined);
    assert.equal(await tessera.roleAssignments.find(created.name), undefined);
  });

  it('accepts a resource under a resource group without checking the resource', async () => {
    const assignment = await tessera.roleAssignments.create({
      tenantId: tenant.id,
      scope: `${subScope()}/resourceGroups/tessera-rg/providers/Microsoft.AppConfiguration/configurationStores/cs1`,
      roleDefinition: 'App Configuration Data Owner',
      principalId: principal.objectId,
    });
    assert.match(assignment.scope, /\/providers\/Microsoft\.AppConfiguration\/configurationStores\/cs1$/);
  });

  it('refuses a duplicate, whatever the case of the scope', async () => {
    const input = {
      tenantId: tenant.id,
      scope: subScope(),
      roleDefinition: 'Owner',
      principalId: principal.objectId,
    };
    await tessera.roleAssignments.create(input);
    await assert.rejects(
      tessera.roleAssignments.create({ ...input, scope: `${subScope().toUpperCase()}/` }),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'RoleAssignmentExists' &&
        error.message === 'The role assignment already exists.',
    );
  });

  it('validates the scope, the role and the principal', async () => {
    const base = { tenantId: tenant.id, roleDefinition: 'Reader', principalId: principal.objectId };
    await assert.rejects(
      tessera.roleAssignments.create({ ...base, scope: '/' }),
      rejectsWith('InvalidScope'),
    );
    await assert.rejects(
      tessera.roleAssignments.create({
        ...base,
        scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333',
      }),
      rejectsWith('SubscriptionNotFound'),
    );
    await assert.rejects(
      tessera.roleAssignments.create({ ...base, scope: `${subScope()}/resourceGroups/missing` }),
      rejectsWith('ResourceGroupNotFound'),
    );
    await assert.rejects(
      tessera.roleAssignments.create({ ...base, scope: subScope(), roleDefinition: 'Superuser' }),
      rejectsWith('RoleDefinitionDoesNotExist'),
    );
    await assert.rejects(
      tessera.roleAssignments.create({ ...base, scope: subScope(), principalId: tenant.id }),
      rejectsWith('PrincipalNotFound'),
    );
    await assert.rejects(
      tessera.roleAssignments.create({ ...base, scope: subScope(), name: 'not-a-guid' }),
      rejectsWith('InvalidRoleAssignmentId'),
    );
  });

  it("refuses another tenant's subscription", async () => {
    const other = await tessera.directory.createTenant({ domain: 'other-rbac' });
    const foreign = await tessera.subscriptions.create(other.id, 'Other');
    await assert.rejects(
      tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: `/subscriptions/${foreign.subscriptionId}`,
        roleDefinition: 'Reader',
        principalId: principal.objectId,
      }),
      rejectsWith('SubscriptionNotFound'),
    );
  });
});
