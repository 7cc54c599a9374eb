import type { OperationKind, Permission } from './permissions.js';
import { permits } from './permissions.js';
import { scopeKey, scopeKeyAndAncestors } from './scopeKey.js';

/** The "Everyone" principal of deny assignments. */
export const EVERYONE = '00000000-0000-0000-0000-000000000000';

export interface IndexedRole {
  id: string;
  roleName: string;
  permissions: readonly Permission[];
}

export interface IndexedAssignment {
  name: string;
  scope: string;
  principalId: string;
  roleDefinitionId: string;
}

export interface IndexedDeny {
  name: string;
  denyAssignmentName: string;
  scope: string;
  permissions: readonly Permission[];
  principalIds: ReadonlySet<string>;
  excludedPrincipalIds: ReadonlySet<string>;
  doNotApplyToChildScopes: boolean;
}

export type AccessDecision =
  | {
      allowed: true;
      /** The assignment that grants it; its principal may be a group the caller belongs to. */
      roleAssignment: IndexedAssignment;
      roleName: string;
    }
  | { allowed: false; reason: 'DenyAssignment'; denyAssignment: IndexedDeny }
  | { allowed: false; reason: 'NoRoleAssignment' };

export interface AccessIndexData {
  roles: Iterable<IndexedRole>;
  assignments: Iterable<IndexedAssignment>;
  denies: Iterable<IndexedDeny>;
  /** Direct memberships: member → the groups it is in. */
  memberships: Iterable<{ memberId: string; groupId: string }>;
}

const NO_ASSIGNMENT: AccessDecision = { allowed: false, reason: 'NoRoleAssignment' };
const ROLE_CACHE_LIMIT = 10_000;

/**
 * An immutable, in-memory view of every role assignment, deny assignment and group membership,
 * keyed by principal and then by scope, so a check walks only the caller's groups and the
 * scope's ancestors: its cost does not depend on how many assignments exist.
 */
export class AccessIndex {
  private readonly roles = new Map<string, IndexedRole & { decisions: Map<string, boolean> }>();
  private readonly assignments = new Map<string, Map<string, IndexedAssignment[]>>();
  private readonly denies = new Map<string, IndexedDeny[]>();
  private readonly parents = new Map<string, string[]>();
  private readonly closures = new Map<string, readonly string[]>();

  constructor(data: AccessIndexData) {
    for (const role of data.roles) this.roles.set(role.id.toLowerCase(), { ...role, decisions: new Map() });
    for (const a of data.assignments) {
      const principal = a.principalId.toLowerCase();
      let byScope = this.assignments.get(principal);
      if (!byScope) this.assignments.set(principal, (byScope = new Map()));
      const key = scopeKey(a.scope);
      byScope.set(key, [...(byScope.get(key) ?? []), a]);
    }
    for (const d of data.denies) {
      const key = scopeKey(d.scope);
      this.denies.set(key, [...(this.denies.get(key) ?? []), d]);
    }
    for (const { memberId, groupId } of data.memberships) {
      const member = memberId.toLowerCase();
      this.parents.set(member, [...(this.parents.get(member) ?? []), groupId.toLowerCase()]);
    }
  }

  /** The principal and every group it belongs to, directly or through nested groups. */
  identitiesOf(principalId: string): readonly string[] {
    const start = principalId.toLowerCase();
    const cached = this.closures.get(start);
    if (cached) return cached;
    const seen = new Set<string>([start]);
    const queue = [start];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const group of this.parents.get(next) ?? []) {
        if (!seen.has(group)) {
          seen.add(group);
          queue.push(group);
        }
      }
    }
    const identities = [...seen];
    this.closures.set(start, identities);
    return identities;
  }

  evaluate(principalId: string, operation: string, scope: string, kind: OperationKind): AccessDecision {
    const op = operation.toLowerCase();
    const target = scopeKey(scope);
    const scopes = scopeKeyAndAncestors(target);
    const identities = this.identitiesOf(principalId);

    for (const key of scopes) {
      for (const deny of this.denies.get(key) ?? []) {
        if (deny.doNotApplyToChildScopes && key !== target) continue;
        const covered = deny.principalIds.has(EVERYONE) || identities.some((id) => deny.principalIds.has(id));
        const excluded = identities.some((id) => deny.excludedPrincipalIds.has(id));
        if (covered && !excluded && permits(deny.permissions, op, kind)) {
          return { allowed: false, reason: 'DenyAssignment', denyAssignment: deny };
        }
      }
    }

    for (const id of identities) {
      const byScope = this.assignments.get(id);
      if (!byScope) continue;
      for (const key of scopes) {
        for (const assignment of byScope.get(key) ?? []) {
          const role = this.roles.get(assignment.roleDefinitionId.toLowerCase());
          if (role && this.rolePermits(role, op, kind)) {
            return { allowed: true, roleAssignment: assignment, roleName: role.roleName };
          }
        }
      }
    }
    return NO_ASSIGNMENT;
  }

  /** Assignments of a principal (not its groups) at exactly this scope or above it. */
  assignmentsOf(principalId: string): IndexedAssignment[] {
    return [...(this.assignments.get(principalId.toLowerCase())?.values() ?? [])].flat();
  }

  private rolePermits(
    role: IndexedRole & { decisions: Map<string, boolean> },
    op: string,
    kind: OperationKind,
  ) {
    const cacheKey = `${kind}:${op}`;
    let decision = role.decisions.get(cacheKey);
    if (decision === undefined) {
      decision = permits(role.permissions, op, kind);
      if (role.decisions.size >= ROLE_CACHE_LIMIT) role.decisions.clear();
      role.decisions.set(cacheKey, decision);
    }
    return decision;
  }
}
