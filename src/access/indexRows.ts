import type { Selectable } from 'kysely';
import { parseList } from '../directory/json.js';
import type { Store } from '../store/database.js';
import type { DenyAssignmentTable, RoleAssignmentTable, RoleDefinitionTable } from '../store/schema.js';
import { AccessIndex } from './accessIndex.js';
import type { IndexedAssignment, IndexedDeny, IndexedRole } from './accessIndex.js';
import type { JournalEntry } from './accessJournal.js';
import { compile } from './conditions/conditionEvaluation.js';
import type { Permission } from './permissions.js';
import { builtInRoleDefinitions, isBuiltInRoleId } from './roleDefinitions.js';

/** How the access engine reads its rows: the whole store at start, single rows as they change. */

const builtInRoles: IndexedRole[] = builtInRoleDefinitions.map((r) => ({
  id: r.name,
  roleName: r.roleName,
  permissions: r.permissions,
}));

// A custom row with a built-in role's GUID (made before the role was built in) is shadowed by it.
const customRow = (r: { name: string }) => !isBuiltInRoleId(r.name);

const toRole = (r: Pick<Selectable<RoleDefinitionTable>, 'name' | 'role_name' | 'permissions'>) => ({
  id: r.name,
  roleName: r.role_name,
  permissions: parseList<Permission>(r.permissions),
});

const ASSIGNMENT_COLUMNS = [
  'name',
  'scope',
  'principal_id',
  'role_definition_id',
  'condition',
  'condition_version',
] as const;

const warned = new Set<string>();

/**
 * A stored condition is compiled as it is loaded. One that no longer parses (written by raw SQL,
 * or by a later release) grants nothing, which the engine does for any invalid condition: it is
 * reported once per process rather than per check.
 */
function compiled(name: string, condition: string): string {
  const { invalid } = compile(condition);
  if (invalid !== undefined && !warned.has(name)) {
    warned.add(name);
    process.emitWarning(
      `Role assignment ${name} has a condition that does not parse (${invalid}); it grants nothing.`,
      'InvalidRoleAssignmentCondition',
    );
  }
  return condition;
}

const toAssignment = (
  a: Pick<Selectable<RoleAssignmentTable>, (typeof ASSIGNMENT_COLUMNS)[number]>,
): IndexedAssignment =>
  a.condition === null || a.condition === undefined
    ? { name: a.name, scope: a.scope, principalId: a.principal_id, roleDefinitionId: a.role_definition_id }
    : {
        name: a.name,
        scope: a.scope,
        principalId: a.principal_id,
        roleDefinitionId: a.role_definition_id,
        condition: compiled(a.name, a.condition),
        conditionVersion: a.condition_version ?? '2.0',
      };

const toDeny = (d: Selectable<DenyAssignmentTable>): IndexedDeny => ({
  name: d.name,
  denyAssignmentName: d.deny_assignment_name,
  scope: d.scope,
  permissions: parseList<Permission>(d.permissions),
  principalIds: new Set(parseList<{ id: string }>(d.principals).map((p) => p.id.toLowerCase())),
  excludedPrincipalIds: new Set(
    parseList<{ id: string }>(d.exclude_principals).map((p) => p.id.toLowerCase()),
  ),
  doNotApplyToChildScopes: d.do_not_apply_to_child_scopes === 1,
});

export async function loadAccessIndex(db: Store): Promise<AccessIndex> {
  const [custom, assignments, denies, memberships] = await Promise.all([
    db.selectFrom('role_definitions').select(['name', 'role_name', 'permissions']).execute(),
    db.selectFrom('role_assignments').select(ASSIGNMENT_COLUMNS).execute(),
    db.selectFrom('deny_assignments').selectAll().execute(),
    db.selectFrom('group_members').select(['member_id', 'group_id']).execute(),
  ]);
  return new AccessIndex({
    roles: [...builtInRoles, ...custom.filter(customRow).map(toRole)],
    assignments: assignments.map(toAssignment),
    denies: denies.map(toDeny),
    memberships: memberships.map((m) => ({ memberId: m.member_id, groupId: m.group_id })),
  });
}

// Bound on the keys of one `in (…)` list, well under every engine's parameter limit.
const CHUNK = 500;

async function inChunks<Row>(keys: readonly string[], read: (chunk: string[]) => Promise<Row[]>) {
  const rows: Row[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) rows.push(...(await read(keys.slice(i, i + CHUNK))));
  return rows;
}

/**
 * Brings `index` up to date with the rows the entries name. Every row is read before the index is
 * touched, so a check running between two reads never sees half of a change.
 */
export async function applyJournal(db: Store, index: AccessIndex, entries: readonly JournalEntry[]) {
  const keysOf = (entity: JournalEntry['entity']) => [
    ...new Set(entries.filter((e) => e.entity === entity).map((e) => e.key)),
  ];
  const [assignmentNames, definitionNames, denyNames, memberIds] = [
    keysOf('assignment'),
    keysOf('definition'),
    keysOf('deny'),
    keysOf('membership'),
  ];
  const [assignments, definitions, denies, memberships] = await Promise.all([
    inChunks(assignmentNames, (chunk) =>
      db.selectFrom('role_assignments').select(ASSIGNMENT_COLUMNS).where('name', 'in', chunk).execute(),
    ),
    inChunks(definitionNames, (chunk) =>
      db
        .selectFrom('role_definitions')
        .select(['name', 'role_name', 'permissions'])
        .where('name', 'in', chunk)
        .execute(),
    ),
    inChunks(denyNames, (chunk) =>
      db.selectFrom('deny_assignments').selectAll().where('name', 'in', chunk).execute(),
    ),
    inChunks(memberIds, (chunk) =>
      db
        .selectFrom('group_members')
        .select(['member_id', 'group_id'])
        .where('member_id', 'in', chunk)
        .execute(),
    ),
  ]);

  for (const name of assignmentNames) index.removeAssignment(name);
  for (const row of assignments) index.putAssignment(toAssignment(row));
  for (const name of definitionNames) if (customRow({ name })) index.removeRole(name);
  for (const row of definitions) if (customRow(row)) index.putRole(toRole(row));
  for (const name of denyNames) index.removeDeny(name);
  for (const row of denies) index.putDeny(toDeny(row));
  const groupsOf = new Map<string, string[]>(memberIds.map((member) => [member, []]));
  for (const m of memberships) groupsOf.get(m.member_id)?.push(m.group_id);
  for (const [member, groups] of groupsOf) index.setMemberships(member, groups);
}
