import { anyMatches } from './actionPattern.js';

export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

export type OperationKind = 'action' | 'dataAction';

/**
 * Actions − NotActions (or DataActions − NotDataActions) in one permission block, united over the
 * blocks. NotActions only subtracts inside its own role: it is not a deny, so another role can
 * still grant the action.
 */
export function permits(permissions: readonly Permission[], operation: string, kind: OperationKind): boolean {
  return permissions.some((p) =>
    kind === 'action'
      ? anyMatches(p.actions, operation) && !anyMatches(p.notActions, operation)
      : anyMatches(p.dataActions, operation) && !anyMatches(p.notDataActions, operation),
  );
}
