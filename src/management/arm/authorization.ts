import type { AccessDecision } from '../../access/accessIndex.js';
import type { AccessEngine } from '../../access/engine.js';
import { ArmError } from './errors.js';
import type { ArmContext, Caller } from './context.js';

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
  return new ArmError(
    403,
    'AuthorizationFailed',
    `${client} does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
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
    async authorize(action: string, scope: string) {
      const decision = await engine.evaluate(caller.principal.objectId, action, scope, 'action');
      if (!decision.allowed) throw authorizationFailed(caller, action, scope, decision);
    },
  };
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
