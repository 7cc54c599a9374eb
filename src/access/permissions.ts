import { anyMatches } from './actionPattern.js';
import { conditionLeavesGranted } from './roleConditions.js';

export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
  /** ABAC on the block (some built-in roles); see roleConditions.ts for what Tessera makes of it. */
  condition?: string;
  conditionVersion?: string;
}

export type OperationKind = 'action' | 'dataAction';

/** Whether one permission block grants `operation` (lower-cased). */
export function blockPermits(p: Permission, operation: string, kind: OperationKind): boolean {
  const granted =
    kind === 'action'
      ? anyMatches(p.actions, operation) && !anyMatches(p.notActions, operation)
      : anyMatches(p.dataActions, operation) && !anyMatches(p.notDataActions, operation);
  return granted && (p.condition === undefined || conditionLeavesGranted(p.condition, operation));
}

/**
 * Actions − NotActions (or DataActions − NotDataActions) in one permission block, united over the
 * blocks. NotActions only subtracts inside its own role: it is not a deny, so another role can
 * still grant the action.
 */
export function permits(permissions: readonly Permission[], operation: string, kind: OperationKind): boolean {
  return permissions.some((p) => blockPermits(p, operation, kind));
}
