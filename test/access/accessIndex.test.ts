import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessIndex, EVERYONE } from '../../src/access/accessIndex.js';
import type { IndexedAssignment, IndexedDeny, IndexedRole } from '../../src/access/accessIndex.js';
import { actionMatches } from '../../src/access/actionPattern.js';
import { builtInRoleDefinitions } from '../../src/access/roleDefinitions.js';

const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
const RG = `${SUB}/resourceGroups/app-rg`;
const STORE = `${RG}/providers/Microsoft.AppConfiguration/configurationStores/settings`;
const ALICE = 'a11ce000-0000-0000-0000-000000000001';
const BOB = 'b0b00000-0000-0000-0000-000000000002';
const GROUP_A = 'a0000000-0000-0000-0000-00000000000a';
const GROUP_B = 'b0000000-0000-0000-0000-00000000000b';

const roles: IndexedRole[] = builtInRoleDefinitions.map((r) => ({
  id: r.name,
  roleName: r.roleName,
  permissions: r.permissions,
}));
const roleId = (name: string) => builtInRoleDefinitions.find((r) => r.roleName === name)?.name ?? '';

let n = 0;
const assign = (principalId: string, role: string, scope: string): IndexedAssignment => ({
  name: `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`,
  principalId,
  roleDefinitionId: roleId(role),
  scope,
});

const deny = (overrides: Partial<IndexedDeny>): IndexedDeny => ({
  name: 'dddddddd-0000-0000-0000-000000000001',
  denyAssignmentName: 'locked by blueprint',
  scope: RG,
  permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
  principalIds: new Set([EVERYONE]),
  excludedPrincipalIds: new Set(),
  doNotApplyToChildScopes: false,
  ...overrides,
});

const index = (
  assignments: IndexedAssignment[],
  extra: { denies?: IndexedDeny[]; memberships?: Array<{ memberId: string; groupId: string }> } = {},
) =>
  new AccessIndex({ roles, assignments, denies: extra.denies ?? [], memberships: extra.memberships ?? [] });

describe('action patterns', () => {
  it('match case-insensitively with stars anywhere', () => {
    assert.ok(actionMatches('*', 'anything/at/all'));
    assert.ok(actionMatches('*/read', 'microsoft.resources/subscriptions/resourcegroups/read'));
    assert.ok(!actionMatches('*/read', 'microsoft.resources/subscriptions/resourcegroups/write'));
    assert.ok(
      actionMatches('Microsoft.Authorization/*/Write', 'microsoft.authorization/roleassignments/write'),
    );
    assert.ok(
      !actionMatches('Microsoft.Authorization/*/Write', 'microsoft.authorization/roleassignments/read'),
    );
    assert.ok(
      actionMatches(
        'Microsoft.AppConfiguration/configurationStores/*/read',
        'microsoft.appconfiguration/configurationstores/keyvalues/read',
      ),
    );
    assert.ok(actionMatches('Micro*.Storage/*', 'microsoft.storage/accounts/read'));
    // Regex metacharacters in a pattern are literal.
    assert.ok(!actionMatches('Microsoft.Web/sites.read', 'microsoft.web/sitesxread'));
  });
});

describe('AccessIndex.evaluate', () => {
  it('inherits down the scope tree, not up', () => {
    const idx = index([assign(ALICE, 'Contributor', RG)]);
    assert.equal(
      idx.evaluate(ALICE, 'Microsoft.AppConfiguration/configurationStores/write', STORE, 'action').allowed,
      true,
    );
    assert.equal(idx.evaluate(ALICE, 'Microsoft.Resources/subscriptions/read', SUB, 'action').allowed, false);
    assert.equal(
      idx.evaluate(BOB, 'Microsoft.AppConfiguration/configurationStores/write', STORE, 'action').allowed,
      false,
    );
  });

  it('compares scopes and actions case-insensitively and ignores a trailing slash', () => {
    const idx = index([assign(ALICE, 'Reader', RG.toUpperCase())]);
    const decision = idx.evaluate(
      ALICE.toUpperCase(),
      'MICROSOFT.APPCONFIGURATION/CONFIGURATIONSTORES/READ',
      `${STORE.toLowerCase()}/`,
      'action',
    );
    assert.equal(decision.allowed, true);
  });

  it('treats NotActions as a subtraction inside one role, not as a deny', () => {
    const contributorOnly = index([assign(ALICE, 'Contributor', SUB)]);
    const write = 'Microsoft.Authorization/roleAssignments/write';
    assert.equal(contributorOnly.evaluate(ALICE, write, RG, 'action').allowed, false);
    const plusUaa = index([
      assign(ALICE, 'Contributor', SUB),
      assign(ALICE, 'User Access Administrator', RG),
    ]);
    const decision = plusUaa.evaluate(ALICE, write, RG, 'action');
    assert.equal(decision.allowed, true);
    assert.equal(decision.allowed && decision.roleName, 'User Access Administrator');
  });

  it('separates actions from data actions', () => {
    const idx = index([assign(ALICE, 'Owner', SUB), assign(BOB, 'App Configuration Data Reader', STORE)]);
    const read = 'Microsoft.AppConfiguration/configurationStores/keyValues/read';
    assert.equal(idx.evaluate(ALICE, read, STORE, 'dataAction').allowed, false);
    assert.equal(idx.evaluate(BOB, read, STORE, 'dataAction').allowed, true);
    assert.equal(
      idx.evaluate(BOB, 'Microsoft.AppConfiguration/configurationStores/keyValues/write', STORE, 'dataAction')
        .allowed,
      false,
    );
  });

  it('lets a deny assignment win over Owner, honouring exclusions and child-scope rules', () => {
    const owner = [assign(ALICE, 'Owner', SUB), assign(BOB, 'Owner', SUB)];
    const denied = index(owner, { denies: [deny({ excludedPrincipalIds: new Set([BOB]) })] });
    const decision = denied.evaluate(
      ALICE,
      'Microsoft.AppConfiguration/configurationStores/delete',
      STORE,
      'action',
    );
    assert.equal(decision.allowed, false);
    assert.equal(!decision.allowed && decision.reason, 'DenyAssignment');
    assert.equal(
      denied.evaluate(BOB, 'Microsoft.AppConfiguration/configurationStores/delete', STORE, 'action').allowed,
      true,
    );
    assert.equal(
      denied.evaluate(ALICE, 'Microsoft.Resources/subscriptions/read', SUB, 'action').allowed,
      true,
    );
    const onlyHere = index(owner, { denies: [deny({ doNotApplyToChildScopes: true })] });
    assert.equal(
      onlyHere.evaluate(ALICE, 'Microsoft.AppConfiguration/configurationStores/delete', STORE, 'action')
        .allowed,
      true,
    );
    assert.equal(
      onlyHere.evaluate(ALICE, 'Microsoft.Resources/subscriptions/resourceGroups/delete', RG, 'action')
        .allowed,
      false,
    );
  });

  it('denies by group membership and by NotActions inside the deny', () => {
    const idx = index([assign(ALICE, 'Owner', SUB)], {
      memberships: [{ memberId: ALICE, groupId: GROUP_B }],
      denies: [
        deny({
          principalIds: new Set([GROUP_B]),
          permissions: [{ actions: ['*'], notActions: ['*/read'], dataActions: [], notDataActions: [] }],
        }),
      ],
    });
    assert.equal(
      idx.evaluate(ALICE, 'Microsoft.AppConfiguration/configurationStores/write', STORE, 'action').allowed,
      false,
    );
    assert.equal(
      idx.evaluate(ALICE, 'Microsoft.AppConfiguration/configurationStores/read', STORE, 'action').allowed,
      true,
    );
  });

  it('follows nested groups transitively and survives membership cycles', () => {
    const idx = index([assign(GROUP_A, 'Contributor', RG)], {
      memberships: [
        { memberId: ALICE, groupId: GROUP_B },
        { memberId: GROUP_B, groupId: GROUP_A },
        { memberId: GROUP_A, groupId: GROUP_B },
      ],
    });
    const decision = idx.evaluate(
      ALICE,
      'Microsoft.Media/mediaservices/write',
      `${RG}/providers/Microsoft.Media/mediaservices/tv`,
      'action',
    );
    assert.equal(decision.allowed, true);
    assert.equal(decision.allowed && decision.roleAssignment.principalId, GROUP_A);
    assert.deepEqual([...idx.identitiesOf(ALICE)].sort(), [ALICE, GROUP_A, GROUP_B].sort());
  });

  it('reports which role at which scope allowed the action', () => {
    const granting = assign(ALICE, 'Reader', SUB);
    const decision = index([granting]).evaluate(
      ALICE,
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      RG,
      'action',
    );
    assert.deepEqual(decision, { allowed: true, roleAssignment: granting, roleName: 'Reader' });
  });
});
