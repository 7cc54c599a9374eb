import type { Store } from '../store/database.js';
import type { AccessDecision, IndexedDeny } from './accessIndex.js';
import { AccessIndex } from './accessIndex.js';
import { ChangeWatcher } from '../store/changes.js';
import { parseList } from '../directory/json.js';
import type { OperationKind, Permission } from './permissions.js';
import { builtInRoleDefinitions } from './roleDefinitions.js';

export interface AccessEngineOptions {
  /** How long a process trusts its index before asking the store whether anything changed. */
  freshnessMs?: number;
}

/**
 * `evaluate(principal, action, scope)`: Azure RBAC over an in-memory index that is rebuilt
 * whenever the store's access version moves. Changes made through this process are seen at
 * once (`invalidate`); changes by another process (the CLI, another node) within `freshnessMs`.
 */
export class AccessEngine {
  private index?: AccessIndex;
  private stamp?: string;
  private loading?: Promise<AccessIndex>;
  private readonly watcher: ChangeWatcher;

  constructor(
    private readonly db: Store,
    options: AccessEngineOptions = {},
  ) {
    this.watcher = new ChangeWatcher(db, 'access', options.freshnessMs ?? 1000);
  }

  async evaluate(
    principalId: string,
    operation: string,
    scope: string,
    kind: OperationKind,
  ): Promise<AccessDecision> {
    return (await this.current()).evaluate(principalId, operation, scope, kind);
  }

  /**
   * The index; `maxAgeMs` asks the store again when the last look is older than that (one indexed
   * read), for callers that must honour a change made by another process on their next request.
   */
  async current(maxAgeMs?: number): Promise<AccessIndex> {
    const stamp = await this.watcher.stamp(maxAgeMs);
    if (this.index && stamp === this.stamp) return this.index;
    this.loading ??= loadIndex(this.db)
      .then((index) => {
        this.index = index;
        this.stamp = stamp;
        return index;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}

async function loadIndex(db: Store): Promise<AccessIndex> {
  const [custom, assignments, denies, memberships] = await Promise.all([
    db.selectFrom('role_definitions').select(['name', 'role_name', 'permissions']).execute(),
    db
      .selectFrom('role_assignments')
      .select(['name', 'scope', 'principal_id', 'role_definition_id'])
      .execute(),
    db.selectFrom('deny_assignments').selectAll().execute(),
    db.selectFrom('group_members').select(['member_id', 'group_id']).execute(),
  ]);
  return new AccessIndex({
    roles: [
      ...builtInRoleDefinitions.map((r) => ({
        id: r.name,
        roleName: r.roleName,
        permissions: r.permissions,
      })),
      ...custom.map((r) => ({
        id: r.name,
        roleName: r.role_name,
        permissions: parseList<Permission>(r.permissions),
      })),
    ],
    assignments: assignments.map((a) => ({
      name: a.name,
      scope: a.scope,
      principalId: a.principal_id,
      roleDefinitionId: a.role_definition_id,
    })),
    denies: denies.map((d): IndexedDeny => ({
      name: d.name,
      denyAssignmentName: d.deny_assignment_name,
      scope: d.scope,
      permissions: parseList<Permission>(d.permissions),
      principalIds: new Set(parseList<{ id: string }>(d.principals).map((p) => p.id.toLowerCase())),
      excludedPrincipalIds: new Set(
        parseList<{ id: string }>(d.exclude_principals).map((p) => p.id.toLowerCase()),
      ),
      doNotApplyToChildScopes: d.do_not_apply_to_child_scopes === 1,
    })),
    memberships: memberships.map((m) => ({ memberId: m.member_id, groupId: m.group_id })),
  });
}
