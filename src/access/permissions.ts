import { anyMatches } from './actionPattern.js';
import type { Grant } from './conditions/conditionEvaluation.js';
import { compile, eitherGrant, grantFor } from './conditions/conditionEvaluation.js';

export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
  /** ABAC on the block (some built-in roles): it narrows what the block grants, see blockGrant. */
  condition?: string;
  conditionVersion?: string;
}

export type OperationKind = 'action' | 'dataAction';

/**
 * What one permission block says of `operation` (lower-cased): not granted, granted, or granted
 * if its condition holds for the request's attributes (a residual). A condition that does not
 * parse grants nothing.
 */
export function blockGrant(p: Permission, operation: string, kind: OperationKind): Grant {
  const granted =
    kind === 'action'
      ? anyMatches(p.actions, operation) && !anyMatches(p.notActions, operation)
      : anyMatches(p.dataActions, operation) && !anyMatches(p.notDataActions, operation);
  if (!granted) return false;
  return p.condition === undefined ? true : grantFor(compile(p.condition), operation);
}

/**
 * Actions − NotActions (or DataActions − NotDataActions) in one permission block, united over the
 * blocks. NotActions only subtracts inside its own role: it is not a deny, so another role can
 * still grant the action.
 */
export function roleGrant(permissions: readonly Permission[], operation: string, kind: OperationKind): Grant {
  let grant: Grant = false;
  for (const p of permissions) {
    grant = eitherGrant(grant, blockGrant(p, operation, kind));
    if (grant === true) return true;
  }
  return grant;
}

/** Whether one block grants `operation` whatever the request's attributes. */
export const blockPermits = (p: Permission, operation: string, kind: OperationKind): boolean =>
  blockGrant(p, operation, kind) === true;

/** Whether the blocks grant `operation` whatever the request's attributes (a residual is not a grant). */
export const permits = (
  permissions: readonly Permission[],
  operation: string,
  kind: OperationKind,
): boolean => roleGrant(permissions, operation, kind) === true;
