import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessIndex, EVERYONE } from '../../src/access/accessIndex.js';
import type { IndexedAssignment, IndexedRole } from '../../src/access/accessIndex.js';
import type { ConditionAttributes } from '../../src/access/conditions/conditionAttributes.js';
import { checkCondition } from '../../src/access/conditions/conditionCheck.js';
import { findRoleDefinition, builtInRoleDefinitions } from '../../src/access/roleDefinitions.js';

const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
const RG = `${SUB}/resourceGroups/app-rg`;
const ALICE = 'a11ce000-0000-0000-0000-000000000001';
const GROUP = 'a0000000-0000-0000-0000-00000000000a';
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const DELETE = 'Microsoft.Authorization/roleAssignments/delete';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const UAA = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';
const RBAC_ADMIN = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

/** Owner, constrained to assigning (and removing) roles other than the privileged three. */
const GUARD = `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${OWNER}, ${UAA}, ${RBAC_ADMIN}})) AND ((!(ActionMatches{'${DELETE}'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${OWNER}, ${UAA}, ${RBAC_ADMIN}}))`;

const roles: IndexedRole[] = builtInRoleDefinitions.map((r) => ({
  id: r.name,
  roleName: r.roleName,
  permissions: r.permissions,
}));
let n = 0;
const assign = (
  principalId: string,
  roleDefinitionId: string,
  scope: string,
  condition?: string,
): IndexedAssignment => ({
  name: `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`,
  principalId,
  roleDefinitionId,
  scope,
  ...(condition ? { condition, conditionVersion: '2.0' } : {}),
});
const index = (
  assignments: IndexedAssignment[],
  memberships: Array<{ memberId: string; groupId: string }> = [],
) => new AccessIndex({ roles, assignments, denies: [], memberships });
const writing = (role: string): ConditionAttributes => ({
  request: { 'Microsoft.Authorization/roleAssignments:RoleDefinitionId': role },
});

describe('conditions in the access index', () => {
  it('a guarded Owner may assign Reader, not Owner (ConditionNotMet), and waits for attributes before the body', () => {
    const guarded = assign(ALICE, OWNER, SUB, GUARD);
    const idx = index([guarded]);
    assert.deepEqual(idx.evaluate(ALICE, WRITE, RG, 'action', writing(READER)), {
      allowed: true,
      roleAssignment: guarded,
      roleName: 'Owner',
    });
    assert.deepEqual(
      idx.evaluate(ALICE, WRITE, RG, 'action', writing(OWNER.replaceAll('-', '').toUpperCase())),
      {
        allowed: false,
        reason: 'ConditionNotMet',
        roleAssignment: guarded,
        roleName: 'Owner',
      },
    );
    assert.deepEqual(idx.evaluate(ALICE, WRITE, RG, 'action'), {
      allowed: false,
      reason: 'AttributesRequired',
      roleAssignment: guarded,
      roleName: 'Owner',
    });
    // A missing attribute compares false.
    assert.equal(idx.evaluate(ALICE, WRITE, RG, 'action', {}).allowed, false);
    // Deleting is guarded by the stored assignment's role.
    const removing = (role: string) => ({
      resource: { 'Microsoft.Authorization/roleAssignments:RoleDefinitionId': role },
    });
    assert.equal(idx.evaluate(ALICE, DELETE, RG, 'action', removing(CONTRIBUTOR)).allowed, true);
    assert.equal(idx.evaluate(ALICE, DELETE, RG, 'action', removing(UAA)).allowed, false);
    // Every action the condition does not target stays granted, without attributes.
    assert.equal(
      idx.evaluate(ALICE, 'Microsoft.Resources/subscriptions/resourceGroups/write', RG, 'action').allowed,
      true,
    );
  });

  it('an unconditional grant wins over a conditional one, whichever comes first', () => {
    const guarded = assign(ALICE, OWNER, RG, GUARD);
    const plain = assign(GROUP, UAA, SUB);
    const idx = index([guarded, plain], [{ memberId: ALICE, groupId: GROUP }]);
    const decision = idx.evaluate(ALICE, WRITE, RG, 'action', writing(OWNER));
    assert.equal(decision.allowed, true);
    assert.equal(decision.allowed && decision.roleAssignment, plain);
    assert.equal(idx.evaluate(ALICE, WRITE, RG, 'action').allowed, true, 'no attributes needed');
  });

  it('a deny assignment comes first, whatever the condition says', () => {
    const idx = new AccessIndex({
      roles,
      assignments: [assign(ALICE, OWNER, SUB, GUARD)],
      denies: [
        {
          name: 'dddddddd-0000-0000-0000-000000000001',
          denyAssignmentName: 'no delegation',
          scope: SUB,
          permissions: [{ actions: [WRITE], notActions: [], dataActions: [], notDataActions: [] }],
          principalIds: new Set([EVERYONE]),
          excludedPrincipalIds: new Set(),
          doNotApplyToChildScopes: false,
        },
      ],
      memberships: [],
    });
    const decision = idx.evaluate(ALICE, WRITE, RG, 'action', writing(READER));
    assert.equal(decision.allowed === false && decision.reason, 'DenyAssignment');
  });

  it("evaluates built-in roles' conditional blocks", () => {
    const role = findRoleDefinition('Key Vault Data Access Administrator');
    assert.ok(role);
    const kvAdmin = assign(ALICE, role.name, SUB);
    const idx = index([kvAdmin]);
    const secretsUser = '4633458b-17de-408a-b874-0445c86b69e6';
    assert.equal(idx.evaluate(ALICE, WRITE, RG, 'action', writing(secretsUser)).allowed, true);
    const refused = idx.evaluate(ALICE, WRITE, RG, 'action', writing(OWNER));
    assert.equal(refused.allowed === false && refused.reason, 'ConditionNotMet');
    assert.equal(
      idx.evaluate(ALICE, 'Microsoft.Authorization/roleDefinitions/read', RG, 'action').allowed,
      true,
    );
    // Two conditions both hold: the role's block and the assignment's own.
    const narrowed = assign(
      ALICE,
      role.name,
      SUB,
      `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEqualsIgnoreCase 'ServicePrincipal'))`,
    );
    const both = index([narrowed]);
    const attributes = (type: string): ConditionAttributes => ({
      request: {
        'Microsoft.Authorization/roleAssignments:RoleDefinitionId': secretsUser,
        'Microsoft.Authorization/roleAssignments:PrincipalType': type,
      },
    });
    assert.equal(both.evaluate(ALICE, WRITE, RG, 'action', attributes('servicePrincipal')).allowed, true);
    assert.equal(both.evaluate(ALICE, WRITE, RG, 'action', attributes('User')).allowed, false);
  });

  it('a stored condition that does not parse grants nothing, and is ConditionNotMet', () => {
    const broken = assign(ALICE, READER, SUB, '((!(ActionMatches{');
    const decision = index([broken]).evaluate(ALICE, 'Microsoft.Resources/subscriptions/read', SUB, 'action');
    assert.equal(decision.allowed === false && decision.reason, 'ConditionNotMet');
  });
});

describe('condition checks (InvalidRoleAssignmentCondition)', () => {
  const owner = findRoleDefinition('Owner');
  const contributor = findRoleDefinition('Contributor');
  const reader = findRoleDefinition('App Configuration Data Reader');
  const blobReader = findRoleDefinition('Storage Blob Data Reader');
  assert.ok(owner && contributor && reader && blobReader);
  const check = (condition: string, permissions = owner.permissions, conditionVersion?: string) =>
    checkCondition({
      condition,
      permissions,
      ...(conditionVersion !== undefined ? { conditionVersion } : {}),
    });
  const refused = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'InvalidRoleAssignmentCondition', String(e));
      assert.match(e.message, /^The given role assignment condition is invalid\./);
      assert.match(e.message, message);
      return true;
    });

  it('accepts the delegation guard and a storage condition, storing version 2.0 by default', () => {
    assert.deepEqual(check(GUARD), { condition: GUARD, conditionVersion: '2.0' });
    const blob = `((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'))`;
    assert.deepEqual(check(blob, blobReader.permissions, '2.0'), {
      condition: blob,
      conditionVersion: '2.0',
    });
    assert.equal(checkCondition({ permissions: owner.permissions }), undefined);
    assert.equal(
      checkCondition({ condition: null, conditionVersion: '2.0', permissions: owner.permissions }),
      undefined,
    );
  });

  it('refuses version 1.0, bad syntax, unsupported services, ungranted actions and misplaced attributes', () => {
    refused(() => check(GUARD, owner.permissions, '1.0'), /version '1.0'/);
    refused(() => check(`((!(ActionMatches{'${WRITE}'})) OR (`), /ends where/);
    refused(
      () =>
        check(
          `((!(ActionMatches{'Microsoft.AppConfiguration/configurationStores/keyValues/read'})) OR (@Resource[x] StringEquals 'y'))`,
          reader.permissions,
        ),
      /not supported for the action/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'Microsoft.Media/mediaservices/assets/read'})) OR ({'a'} ForAnyOfAnyValues:StringEquals {'a'}))`,
        ),
      /not supported/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User'))`,
          contributor.permissions,
        ),
      /does not grant/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Principal[Microsoft.Directory/CustomSecurityAttributes/Id:Dept] StringEquals 'x'))`,
        ),
      /@Principal/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals ${READER}))`,
        ),
      /not supported for the action/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] StringEquals '${READER}'))`,
        ),
      /is of type Guid/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals not-a-guid))`,
        ),
      /not a Guid value/,
    );
    refused(
      () => check(`@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals ${READER}`),
      /targets no action/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals {'User', 'Group'}))`,
        ),
      /compares single values/,
    );
    refused(
      () =>
        check(
          `((!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringFrobs 'User'))`,
        ),
      /not a condition operator/,
    );
  });
});
