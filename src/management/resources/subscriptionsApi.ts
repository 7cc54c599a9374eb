import type { ArmContext, ArmOperation } from '../arm/context.js';
import { armErrors } from '../arm/errors.js';
import { JsonText } from '../arm/jsonText.js';
import type { Subscription } from '../subscriptions.js';
import { relationOf } from './scopeRelations.js';

const READ = 'Microsoft.Resources/subscriptions/read';

export const subscriptionScope = (subscriptionId: string): string => `/subscriptions/${subscriptionId}`;

export const subscriptionResource = (subscription: Subscription) => ({
  id: subscriptionScope(subscription.subscriptionId),
  authorizationSource: 'RoleBased',
  managedByTenants: [],
  subscriptionId: subscription.subscriptionId,
  tenantId: subscription.tenantId,
  displayName: subscription.displayName,
  state: subscription.state,
  subscriptionPolicies: {
    locationPlacementId: 'Public_2014-09-01',
    quotaId: 'PayAsYouGo_2014-09-01',
    spendingLimit: 'Off',
  },
});

/**
 * As in Azure, a subscription is visible to whoever can read it, or holds a role that reads
 * anything inside it (a Reader of one resource group still sees its subscription).
 */
async function canSee(context: ArmContext, subscriptionId: string): Promise<boolean> {
  const scope = subscriptionScope(subscriptionId);
  return (await context.permits(READ, scope)) || readsInside(context, scope);
}

/** Whether one of the caller's roles below `scope` lets it read there. */
async function readsInside(context: ArmContext, scope: string): Promise<boolean> {
  const index = await context.tessera.access.current();
  for (const identity of index.identitiesOf(context.caller.principal.objectId)) {
    for (const assignment of index.assignmentsOf(identity)) {
      if (relationOf(assignment.scope, scope) !== 'below') continue;
      if (await context.permits(READ, assignment.scope)) return true;
    }
  }
  return false;
}

/** `GET /subscriptions`: the token tenant's subscriptions the caller can see; none is an empty list. */
export const listSubscriptions: ArmOperation = {
  api: 'subscriptions',
  action: READ,
  scope: '/',
  checksOwnAccess: true,
  async run(context) {
    const all = await context.tessera.subscriptions.list(context.caller.tenantId);
    const visible = [];
    for (const subscription of all) {
      if (await canSee(context, subscription.subscriptionId)) visible.push(subscription);
    }
    return {
      status: 200,
      body: { value: visible.map(subscriptionResource), count: { type: 'Total', value: visible.length } },
    };
  },
};

/**
 * Each subscription's resource as JSON, made once per version of it: the store's read cache hands
 * out the same object until the subscription (or anything else in the directory) changes, so a
 * renamed or disabled subscription is a new key and never meets the old text.
 */
const resourceJson = new WeakMap<Subscription, JsonText>();

function subscriptionJson(subscription: Subscription): JsonText {
  let json = resourceJson.get(subscription);
  if (!json) {
    json = new JsonText(JSON.stringify(subscriptionResource(subscription)));
    resourceJson.set(subscription, json);
  }
  return json;
}

export function getSubscription(subscriptionId: string): ArmOperation {
  const scope = subscriptionScope(subscriptionId);
  return {
    api: 'subscriptions',
    action: READ,
    scope,
    checksOwnAccess: true,
    async run(context) {
      // Found while authorizing the request (its tenant is the one the token must come from).
      const subscription = context.subscription ?? (await context.tessera.subscriptions.find(subscriptionId));
      if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
      // The common case (a role that reads the subscription) takes one check, no further step.
      const stored = subscriptionScope(subscription.subscriptionId);
      const visible = (await context.permits(READ, stored)) || (await readsInside(context, stored));
      if (!visible) await context.authorize(READ, scope);
      return { status: 200, body: subscriptionJson(subscription) };
    },
  };
}
