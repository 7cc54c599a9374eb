import type { Scope } from '../../access/scopes.js';
import { parseScope } from '../../access/scopes.js';
import { ArmError } from '../arm/errors.js';

export const ROOT_SCOPE = '/';

export const invalidScope = (scope: string): ArmError =>
  new ArmError(
    400,
    'InvalidScope',
    `The scope '${scope}' is not valid. Use /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{name}, or a resource id under one of them.`,
  );

/** A subscription-rooted scope for assignments; the tenant root and anything else is refused. */
export function assignmentScope(scope: string): Scope {
  const parsed = parseScope(scope);
  if (!parsed) throw invalidScope(scope);
  return parsed;
}

/** The subscription part of role definition ids: definitions listed under a subscription carry it. */
export function definitionIdPrefix(scope: string): string {
  if (scope === ROOT_SCOPE) return '';
  const parsed = parseScope(scope);
  if (!parsed) throw invalidScope(scope);
  return `/subscriptions/${parsed.subscriptionId}`;
}
