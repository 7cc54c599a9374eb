import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AccessIndex } from '../../src/access/accessIndex.js';
import { parseBuiltInRoles } from '../../src/access/builtInRoleFile.js';
import { blockPermits } from '../../src/access/permissions.js';
import {
  builtInRoleDefinitions,
  findRoleDefinition,
  isBuiltInRoleId,
} from '../../src/access/roleDefinitions.js';

/** The data file as shipped, read independently of the module under test. */
const file = JSON.parse(
  readFileSync(new URL('../../src/access/data/built-in-roles.json', import.meta.url), 'utf8'),
) as Array<{ name: string; roleName: string; permissions: Array<Record<string, unknown>> }>;

const SEED_ROLES: Record<string, string> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  'App Configuration Data Owner': '5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b',
  'App Configuration Data Reader': '516239f1-63e1-4d78-a4de-a74fb236a071',
};

const validRole = () => ({
  name: 'aaaaaaaa-2222-3333-4444-555555555555',
  roleName: 'Test Role',
  description: 'A role.',
  permissions: [
    { actions: ['Microsoft.Test/things/read'], notActions: [], dataActions: [], notDataActions: [] },
  ],
});

describe('built-in roles from data/built-in-roles.json', () => {
  it('carries every role of the file, with its GUID, name and permissions unchanged', () => {
    assert.equal(builtInRoleDefinitions.length, 507);
    assert.equal(builtInRoleDefinitions.length, file.length);
    for (const [i, role] of builtInRoleDefinitions.entries()) {
      const entry = file[i];
      assert.ok(entry);
      assert.equal(role.name, entry.name);
      assert.equal(role.roleName, entry.roleName);
      assert.equal(role.roleType, 'BuiltInRole');
      assert.deepEqual(role.permissions, entry.permissions);
    }
    assert.equal(new Set(builtInRoleDefinitions.map((r) => r.name)).size, 507);
  });

  it("keeps the seed's seven roles under Microsoft's GUIDs, with Azure's permissions", () => {
    for (const [roleName, guid] of Object.entries(SEED_ROLES)) {
      assert.equal(findRoleDefinition(roleName)?.name, guid, roleName);
      assert.equal(findRoleDefinition(guid)?.roleName, roleName);
    }
    assert.deepEqual(findRoleDefinition('Owner')?.permissions[0]?.actions, ['*']);
    assert.deepEqual(findRoleDefinition('Reader')?.permissions[0]?.actions, ['*/read']);
    assert.ok(
      findRoleDefinition('Contributor')?.permissions[0]?.notActions.includes(
        'Microsoft.Authorization/*/Write',
      ),
    );
    assert.deepEqual(findRoleDefinition('App Configuration Data Reader')?.permissions[0]?.dataActions, [
      'Microsoft.AppConfiguration/configurationStores/*/read',
    ]);
  });

  it('finds roles by name (any case), GUID or definition id, at the root or under a subscription', () => {
    const guid = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
    const role = findRoleDefinition('storage blob data reader');
    assert.equal(role?.name, guid);
    assert.equal(findRoleDefinition(guid.toUpperCase()), role);
    assert.equal(findRoleDefinition(`/providers/Microsoft.Authorization/roleDefinitions/${guid}`), role);
    assert.equal(
      findRoleDefinition(
        `/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      ),
      role,
    );
    assert.equal(findRoleDefinition('Nope'), undefined);
    assert.equal(isBuiltInRoleId(guid), true);
    assert.equal(isBuiltInRoleId('storage blob data reader'), false);
  });

  it('is assignable at / except the Reservations and Service Group roles', () => {
    const confined = builtInRoleDefinitions.filter((r) => r.assignableScopes.join() !== '/');
    assert.deepEqual(confined.map((r) => `${r.roleName}: ${r.assignableScopes.join()}`).sort(), [
      'Reservations Administrator: /providers/Microsoft.Capacity',
      'Reservations Reader: /providers/Microsoft.Capacity',
      'Service Group Administrator: /providers/Microsoft.Management/serviceGroups',
      'Service Group Contributor: /providers/Microsoft.Management/serviceGroups',
      'Service Group Reader: /providers/Microsoft.Management/serviceGroups',
    ]);
  });

  it('refuses a malformed file, naming the role', () => {
    const cases: Array<[string, (role: Record<string, unknown>) => unknown, RegExp]> = [
      ['a missing key', ({ description: _, ...rest }) => rest, /'Test Role' \(entry 1\) has keys/],
      ['an extra key', (r) => ({ ...r, id: 'x' }), /'Test Role'.*not exactly/],
      ['a bad GUID', (r) => ({ ...r, name: 'not-a-guid' }), /'Test Role'.*not a lower-case GUID/],
      ['an upper-case GUID', (r) => ({ ...r, name: (r.name as string).toUpperCase() }), /lower-case GUID/],
      ['an empty name', (r) => ({ ...r, roleName: ' ' }), /entry 1\) roleName is empty/],
      ['no permissions', (r) => ({ ...r, permissions: [] }), /'Test Role'.*non-empty list/],
      [
        'an action that is not a string',
        (r) => ({
          ...r,
          permissions: [{ actions: [7], notActions: [], dataActions: [], notDataActions: [] }],
        }),
        /'Test Role'.*permissions.actions holds 7/,
      ],
      [
        'a missing list',
        (r) => ({ ...r, permissions: [{ actions: [], notActions: [], dataActions: [] }] }),
        /permissions.notDataActions is not a list/,
      ],
      [
        'a condition without its version',
        (r) => ({
          ...r,
          permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], condition: 'x' }],
        }),
        /'Test Role'.*conditionVersion "2.0"/,
      ],
      [
        'an unknown permission key',
        (r) => ({
          ...r,
          permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], extra: [] }],
        }),
        /unknown key extra/,
      ],
      [
        'the GUID of another role',
        (r) => ({ ...r, roleName: 'Other' }),
        /'Other' \(entry 1\) repeats the GUID/,
      ],
      [
        'the name of another role',
        (r) => ({ ...r, name: 'aaaaaaaa-2222-3333-4444-000000000000' }),
        /repeats a role name/,
      ],
    ];
    for (const [label, change, message] of cases) {
      const first = validRole();
      assert.throws(() => parseBuiltInRoles([first, change(validRole())], 'test.json'), message, label);
    }
    assert.throws(() => parseBuiltInRoles({}), /does not hold a list of roles/);
    assert.throws(
      () => parseBuiltInRoles([validRole(), 'x']),
      /built-in role #1 \(entry 1\) is not an object/,
    );
    assert.equal(parseBuiltInRoles([validRole()]).length, 1);
  });

  it('grants what a conditional block does not constrain, and refuses what it does', () => {
    const role = findRoleDefinition('Key Vault Data Access Administrator');
    const block = role?.permissions[0];
    assert.ok(block?.condition);
    const op = (action: string) => blockPermits(block, action.toLowerCase(), 'action');
    assert.equal(op('Microsoft.Authorization/roleDefinitions/read'), true);
    assert.equal(op('Microsoft.KeyVault/vaults/secrets/read'), true);
    assert.equal(op('Microsoft.Authorization/roleAssignments/write'), false);
    assert.equal(op('Microsoft.Authorization/roleAssignments/delete'), false);
    // A second, conditional block adds nothing the condition constrains.
    const owner = findRoleDefinition('Azure Container Storage Owner');
    assert.equal(owner?.permissions.length, 2);
    const index = new AccessIndex({
      roles: builtInRoleDefinitions.map((r) => ({
        id: r.name,
        roleName: r.roleName,
        permissions: r.permissions,
      })),
      assignments: [
        { name: 'a1', scope: '/subscriptions/s1', principalId: 'p1', roleDefinitionId: owner?.name ?? '' },
      ],
      denies: [],
      memberships: [],
    });
    const check = (action: string) =>
      index.evaluate('p1', action, '/subscriptions/s1/resourceGroups/g', 'action');
    assert.equal(check('Microsoft.ElasticSan/elasticSans/write').allowed, true);
    assert.equal(check('Microsoft.Authorization/roleAssignments/write').allowed, false);
    // A condition of any other shape grants nothing.
    const odd = {
      actions: ['*'],
      notActions: [],
      dataActions: [],
      notDataActions: [],
      conditionVersion: '2.0',
    };
    assert.equal(
      blockPermits({ ...odd, condition: "@Resource[x] StringEquals 'y'" }, 'a/b/read', 'action'),
      false,
    );
    assert.equal(blockPermits({ ...odd, condition: '((!(ActionMatches{' }, 'a/b/read', 'action'), false);
  });
});
