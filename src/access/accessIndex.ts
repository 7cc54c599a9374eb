import type { ConditionAttributes } from './conditions/conditionAttributes.js';
import type { Grant } from './conditions/conditionEvaluation.js';
import { bothGrants, compile, grantFor, holds } from './conditions/conditionEvaluation.js';
import type { OperationKind, Permission } from './permissions.js';
import { permits, roleGrant } from './permissions.js';
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
  /** ABAC condition (version 2.0) on the assignment; undefined when it has none. */
  condition?: string;
  conditionVersion?: string;
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
  | { allowed: false; reason: 'NoRoleAssignment' }
  /** The first grant found carries a condition (the assignment's or its role's block) that is false. */
  | { allowed: false; reason: 'ConditionNotMet'; roleAssignment: IndexedAssignment; roleName: string }
  /** The first grant found depends on attributes, and `evaluate` was called without any. */
  | { allowed: false; reason: 'AttributesRequired'; roleAssignment: IndexedAssignment; roleName: string };

export interface AccessIndexData {
  roles: Iterable<IndexedRole>;
  assignments: Iterable<IndexedAssignment>;
  denies: Iterable<IndexedDeny>;
  /** Direct memberships: member → the groups it is in. */
  memberships: Iterable<{ memberId: string; groupId: string }>;
}

const NO_ASSIGNMENT: AccessDecision = { allowed: false, reason: 'NoRoleAssignment' };
const ROLE_CACHE_LIMIT = 10_000;

// Grants per kind, keyed by the lower-cased operation: no key is built per check.
type CachedRole = IndexedRole & { decisions: Record<OperationKind, Map<string, Grant>> };

type Refusal = Extract<AccessDecision, { reason: 'ConditionNotMet' | 'AttributesRequired' }>;

/**
 * An in-memory view of every role assignment, deny assignment and group membership, keyed by
 * principal and then by scope, so a check walks only the caller's groups and the scope's
 * ancestors: its cost does not depend on how many assignments exist. The engine keeps it current
 * by replacing single rows (`put…`/`remove…`) as the store's access journal reports them.
 */
export class AccessIndex {
  /** Moves on every change, for callers that memoise decisions of this index. */
  get revision(): number {
    return this.changes;
  }

  private readonly roles = new Map<string, CachedRole>();
  private readonly assignments = new Map<string, Map<string, readonly IndexedAssignment[]>>();
  private readonly assignmentsByName = new Map<string, IndexedAssignment>();
  private readonly denies = new Map<string, readonly IndexedDeny[]>();
  private readonly deniesByName = new Map<string, IndexedDeny>();
  private readonly parents = new Map<string, readonly string[]>();
  private readonly closures = new Map<string, readonly string[]>();
  private changes = 0;

  constructor(data: AccessIndexData) {
    for (const role of data.roles) this.putRole(role);
    for (const a of data.assignments) this.putAssignment(a);
    for (const d of data.denies) this.putDeny(d);
    const groupsOf = new Map<string, string[]>();
    for (const { memberId, groupId } of data.memberships) {
      const member = memberId.toLowerCase();
      let groups = groupsOf.get(member);
      if (!groups) groupsOf.set(member, (groups = []));
      groups.push(groupId);
    }
    for (const [member, groups] of groupsOf) this.setMemberships(member, groups);
  }

  putRole(role: IndexedRole): void {
    this.changes++;
    this.roles.set(role.id.toLowerCase(), {
      ...role,
      decisions: { action: new Map(), dataAction: new Map() },
    });
  }

  removeRole(id: string): void {
    this.changes++;
    this.roles.delete(id.toLowerCase());
  }

  /** Adds the assignment, or replaces the one of the same name wherever it was. */
  putAssignment(assignment: IndexedAssignment): void {
    this.changes++;
    this.removeAssignment(assignment.name);
    const principal = assignment.principalId.toLowerCase();
    let byScope = this.assignments.get(principal);
    if (!byScope) this.assignments.set(principal, (byScope = new Map()));
    const key = scopeKey(assignment.scope);
    byScope.set(key, [...(byScope.get(key) ?? []), assignment]);
    this.assignmentsByName.set(assignment.name.toLowerCase(), assignment);
  }

  removeAssignment(name: string): void {
    this.changes++;
    const existing = this.assignmentsByName.get(name.toLowerCase());
    if (!existing) return;
    this.assignmentsByName.delete(name.toLowerCase());
    const principal = existing.principalId.toLowerCase();
    const byScope = this.assignments.get(principal);
    const key = scopeKey(existing.scope);
    const rest = (byScope?.get(key) ?? []).filter((a) => a !== existing);
    if (rest.length > 0) byScope?.set(key, rest);
    else byScope?.delete(key);
    if (byScope?.size === 0) this.assignments.delete(principal);
  }

  putDeny(deny: IndexedDeny): void {
    this.changes++;
    this.removeDeny(deny.name);
    const key = scopeKey(deny.scope);
    this.denies.set(key, [...(this.denies.get(key) ?? []), deny]);
    this.deniesByName.set(deny.name.toLowerCase(), deny);
  }

  removeDeny(name: string): void {
    this.changes++;
    const existing = this.deniesByName.get(name.toLowerCase());
    if (!existing) return;
    this.deniesByName.delete(name.toLowerCase());
    const key = scopeKey(existing.scope);
    const rest = (this.denies.get(key) ?? []).filter((d) => d !== existing);
    if (rest.length > 0) this.denies.set(key, rest);
    else this.denies.delete(key);
  }

  /** Replaces every direct membership of `memberId`; an empty list removes them. */
  setMemberships(memberId: string, groupIds: readonly string[]): void {
    this.changes++;
    const member = memberId.toLowerCase();
    if (groupIds.length > 0)
      this.parents.set(
        member,
        groupIds.map((g) => g.toLowerCase()),
      );
    else this.parents.delete(member);
    // A change to one membership can change the closure of everyone below it in any nesting.
    this.closures.clear();
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

  evaluate(
    principalId: string,
    operation: string,
    scope: string,
    kind: OperationKind,
    attributes?: ConditionAttributes,
  ): AccessDecision {
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

    // A conditional grant that is false, or waits for attributes, is skipped: a later grant of the
    // same action may still allow it, as in Azure, where conditions only ever narrow.
    let pending: Refusal | undefined;
    let unmet: Refusal | undefined;
    for (const id of identities) {
      const byScope = this.assignments.get(id);
      if (!byScope) continue;
      for (const key of scopes) {
        for (const assignment of byScope.get(key) ?? []) {
          const role = this.roles.get(assignment.roleDefinitionId.toLowerCase());
          const grant = role ? this.roleGrant(role, op, kind) : false;
          if (grant === false) continue;
          if (grant === true && assignment.condition === undefined) {
            return { allowed: true, roleAssignment: assignment, roleName: (role as CachedRole).roleName };
          }
          const roleName = (role as CachedRole).roleName;
          const outcome = conditionalOutcome(grant, assignment, op, attributes);
          if (outcome === true) return { allowed: true, roleAssignment: assignment, roleName };
          if (outcome === 'pending') {
            pending ??= {
              allowed: false,
              reason: 'AttributesRequired',
              roleAssignment: assignment,
              roleName,
            };
          } else
            unmet ??= { allowed: false, reason: 'ConditionNotMet', roleAssignment: assignment, roleName };
        }
      }
    }
    return pending ?? unmet ?? NO_ASSIGNMENT;
  }

  /**
   * Every assignment that applies to `principalId` at `scope` (its own and its groups', made at
   * the scope or above it) with its role, in the order `evaluate` walks them: identity by
   * identity, most specific scope first. Assignments of a role that no longer exists grant
   * nothing and are left out. Deny assignments are not applied here (see the permissions API).
   */
  applicableAssignments(
    principalId: string,
    scope: string,
  ): Array<{ assignment: IndexedAssignment; role: IndexedRole }> {
    const scopes = scopeKeyAndAncestors(scopeKey(scope));
    const found: Array<{ assignment: IndexedAssignment; role: IndexedRole }> = [];
    for (const id of this.identitiesOf(principalId)) {
      const byScope = this.assignments.get(id);
      if (!byScope) continue;
      for (const key of scopes) {
        for (const assignment of byScope.get(key) ?? []) {
          const role = this.roles.get(assignment.roleDefinitionId.toLowerCase());
          if (role) found.push({ assignment, role });
        }
      }
    }
    return found;
  }

  /** Assignments of a principal (not its groups) at exactly this scope or above it. */
  assignmentsOf(principalId: string): IndexedAssignment[] {
    return [...(this.assignments.get(principalId.toLowerCase())?.values() ?? [])].flat();
  }

  private roleGrant(role: CachedRole, op: string, kind: OperationKind): Grant {
    const decisions = role.decisions[kind];
    let decision = decisions.get(op);
    if (decision === undefined) {
      decision = roleGrant(role.permissions, op, kind);
      if (decisions.size >= ROLE_CACHE_LIMIT) decisions.clear();
      decisions.set(op, decision);
    }
    return decision;
  }
}

/**
 * A grant that depends on a condition (the assignment's, its role's block's, or both): allowed,
 * refused, or 'pending' when the condition reads attributes and none were given.
 */
function conditionalOutcome(
  roleGrant: Grant,
  assignment: IndexedAssignment,
  op: string,
  attributes: ConditionAttributes | undefined,
): boolean | 'pending' {
  const own = assignment.condition === undefined ? true : grantFor(compile(assignment.condition), op);
  const grant = bothGrants(roleGrant, own);
  if (typeof grant === 'boolean') return grant;
  return attributes === undefined ? 'pending' : holds(grant.residual, op, attributes);
}
