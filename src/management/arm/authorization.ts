import type { AccessDecision } from '../../access/accessIndex.js';
import type { ConditionAttributes } from '../../access/conditions/conditionAttributes.js';
import type { AccessEngine } from '../../access/engine.js';
import { ArmError } from './errors.js';
import type { ArmContext, ArmOperation, Caller } from './context.js';

/** The actions whose conditions ARM evaluates, and whose 403 says so. */
const ABAC_ACTIONS = new Set([
  'microsoft.authorization/roleassignments/write',
  'microsoft.authorization/roleassignments/delete',
]);

/** ARM's AuthorizationFailed text, with the deny assignment's name when one blocked the action. */
export function authorizationFailed(
  caller: Caller,
  action: string,
  scope: string,
  decision: AccessDecision,
): ArmError {
  const client = `The client '${caller.principal.displayName}' with object id '${caller.principal.objectId}'`;
  if (!decision.allowed && decision.reason === 'DenyAssignment') {
    const deny = decision.denyAssignment;
    return new ArmError(
      403,
      'AuthorizationFailed',
      `${client} does not have authorization to perform action '${action}' over scope '${scope}' because of a deny assignment with name '${deny.denyAssignmentName}' and Id '${deny.name}' at scope '${deny.scope}'.`,
    );
  }
  const failed = ABAC_ACTIONS.has(action.toLowerCase())
    ? 'does not have authorization or an ABAC condition not fulfilled'
    : 'does not have authorization';
  return new ArmError(
    403,
    'AuthorizationFailed',
    `${client} ${failed} to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

const isAllowed = (decision: AccessDecision): boolean => decision.allowed;

/** The checks an operation's context offers, bound to the server's access engine. */
export function accessChecks(
  engine: AccessEngine,
  caller: Caller,
): Pick<ArmContext, 'permits' | 'authorize'> {
  // Methods rather than named arrow functions: every request makes a pair, and tsx's keepNames
  // would wrap each named arrow in a `__name` call that showed in the guard bench's profile.
  // `permits` is on every request's path: a `then` allocates less than an async function's frame.
  return {
    permits(action: string, scope: string) {
      return engine.evaluate(caller.principal.objectId, action, scope, 'action').then(isAllowed);
    },
    async authorize(action: string, scope: string, attributes?: ConditionAttributes) {
      const decision = await engine.evaluate(caller.principal.objectId, action, scope, 'action', attributes);
      if (!decision.allowed) throw authorizationFailed(caller, action, scope, decision);
    },
  };
}

/**
 * The check before the body is read: ARM's 403 unless the caller may perform the operation's
 * action. True (pending) when its only grants have conditions on attributes the body or the
 * stored row gives (`conditionAttributes`): `authorizeWithAttributes` must then pass before `run`.
 */
export async function preAuthorize(
  engine: AccessEngine,
  caller: Caller,
  operation: ArmOperation,
): Promise<boolean> {
  const { action } = operation;
  if (action === null || operation.checksOwnAccess) return false;
  const decision = await engine.evaluate(caller.principal.objectId, action, operation.scope, 'action');
  if (decision.allowed) return false;
  if (decision.reason === 'AttributesRequired' && operation.conditionAttributes) return true;
  throw authorizationFailed(caller, action, operation.resourceId ?? operation.scope, decision);
}

/** The second check of a pending operation, with the attributes of its parsed body or stored row. */
export async function authorizeWithAttributes(
  engine: AccessEngine,
  context: ArmContext,
  operation: ArmOperation,
): Promise<void> {
  const { action } = operation;
  if (action === null || !operation.conditionAttributes) throw new Error('nothing to authorize');
  const attributes = await operation.conditionAttributes(context);
  const { caller } = context;
  const decision = await engine.evaluate(
    caller.principal.objectId,
    action,
    operation.scope,
    'action',
    attributes,
  );
  if (!decision.allowed)
    throw authorizationFailed(caller, action, operation.resourceId ?? operation.scope, decision);
}

/**
 * What a list shows: everything when the caller may read at the collection's scope, else the
 * items it may read one by one. With nothing readable at all, `refuseWhenEmpty` answers 403 at
 * the collection, as ARM does for a group the caller has no access in.
 */
export async function visibleItems<T>(
  context: ArmContext,
  listing: { action: string; scope: string; refuseWhenEmpty: boolean },
  items: readonly T[],
  scopeOf: (item: T) => string,
): Promise<T[]> {
  if (await context.permits(listing.action, listing.scope)) return [...items];
  const visible: T[] = [];
  for (const item of items) {
    if (await context.permits(listing.action, scopeOf(item))) visible.push(item);
  }
  if (visible.length === 0 && listing.refuseWhenEmpty) await context.authorize(listing.action, listing.scope);
  return visible;
}
