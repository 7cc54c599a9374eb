import type {
  AccessDecision,
  AccessIndex,
  IndexedAssignment,
  IndexedDeny,
} from '../../access/accessIndex.js';
import type { RoleAssignment } from '../../access/roleAssignments.js';
import type { CheckedAction } from './checkAccessRequest.js';
import { conditionAttributesOf } from './checkAccessRequest.js';
import { roleDefinitionIdIn } from './roleAssignmentsApi.js';

/**
 * One entry of the check-access answer: `AccessIndex.evaluate`'s decision in the RBAC remote PDP's
 * shape, plus Tessera's `reason`, `roleAssignment.roleDefinitionName` and `denyAssignment.name|scope`.
 * The API and `tessera role check` print the same entries.
 */
export interface CheckAccessEntry {
  actionId: string;
  isDataAction: boolean;
  accessDecision: 'Allowed' | 'NotAllowed' | 'Denied';
  /** `RoleAssignment` when allowed, else the engine's refusal (`NoRoleAssignment`, `DenyAssignment`, …). */
  reason: string;
  timeToLiveInMs: number;
  roleAssignment?: CheckAccessRoleAssignment;
  denyAssignment?: { id: string; name: string; scope: string };
}

export interface CheckAccessRoleAssignment {
  id: string;
  roleDefinitionId: string;
  roleDefinitionName: string;
  principalId: string;
  /** The PDP spells it so. */
  principaltype: string | null;
  scope: string;
  condition: string | null;
  conditionVersion: string | null;
}

/** How long a decision holds: the access engine's default freshness window, within which it sees changes. */
export const DECISION_TTL_MS = 1000;

/** The stored assignment behind an indexed one: its principal type is not in the index. */
export interface AssignmentRecords {
  find(name: string): Promise<Pick<RoleAssignment, 'id' | 'principalType'> | undefined>;
}

export interface CheckAccessQuestion {
  principalId: string;
  scope: string;
  actions: readonly CheckedAction[];
  resourceAttributes?: Record<string, string | string[]>;
}

const ASSIGNMENTS = '/providers/Microsoft.Authorization/roleAssignments/';
const DENIES = '/providers/Microsoft.Authorization/denyAssignments/';

const denyAssignmentOf = (deny: IndexedDeny) => ({
  id: `${deny.scope}${DENIES}${deny.name}`,
  name: deny.denyAssignmentName,
  scope: deny.scope,
});

/**
 * Every action decided against one snapshot of the index, so the entries of one answer agree with
 * each other even while assignments change.
 */
export async function checkAccessEntries(
  index: Pick<AccessIndex, 'evaluate'>,
  records: AssignmentRecords,
  question: CheckAccessQuestion,
): Promise<CheckAccessEntry[]> {
  const decided = question.actions.map((action) => ({
    action,
    decision: index.evaluate(
      question.principalId,
      action.id,
      question.scope,
      action.isDataAction ? 'dataAction' : 'action',
      conditionAttributesOf(action, question.resourceAttributes),
    ),
  }));
  // One read per assignment named, however many actions it decided.
  const stored = new Map<string, ReturnType<AssignmentRecords['find']>>();
  const recordOf = (name: string) => {
    let found = stored.get(name);
    if (!found) stored.set(name, (found = records.find(name)));
    return found;
  };
  const roleAssignmentOf = async (
    assignment: IndexedAssignment,
    roleName: string,
  ): Promise<CheckAccessRoleAssignment> => {
    const record = await recordOf(assignment.name);
    return {
      id: record?.id ?? `${assignment.scope}${ASSIGNMENTS}${assignment.name}`,
      roleDefinitionId: roleDefinitionIdIn(assignment.scope, assignment.roleDefinitionId),
      roleDefinitionName: roleName,
      principalId: assignment.principalId,
      // Null only when the assignment was deleted after the index decided by it.
      principaltype: record?.principalType ?? null,
      scope: assignment.scope,
      condition: assignment.condition ?? null,
      conditionVersion: assignment.condition === undefined ? null : (assignment.conditionVersion ?? '2.0'),
    };
  };

  const entryOf = async (action: CheckedAction, decision: AccessDecision): Promise<CheckAccessEntry> => {
    const common = { actionId: action.id, isDataAction: action.isDataAction };
    if (decision.allowed) {
      return {
        ...common,
        accessDecision: 'Allowed',
        reason: 'RoleAssignment',
        timeToLiveInMs: DECISION_TTL_MS,
        roleAssignment: await roleAssignmentOf(decision.roleAssignment, decision.roleName),
      };
    }
    if (decision.reason === 'DenyAssignment') {
      return {
        ...common,
        accessDecision: 'Denied',
        reason: decision.reason,
        timeToLiveInMs: DECISION_TTL_MS,
        denyAssignment: denyAssignmentOf(decision.denyAssignment),
      };
    }
    // Refusals that name a grant (its condition was false, or needs attributes) say which one.
    return {
      ...common,
      accessDecision: 'NotAllowed',
      reason: decision.reason,
      timeToLiveInMs: DECISION_TTL_MS,
      ...('roleAssignment' in decision
        ? { roleAssignment: await roleAssignmentOf(decision.roleAssignment, decision.roleName) }
        : {}),
    };
  };
  return Promise.all(decided.map(({ action, decision }) => entryOf(action, decision)));
}
