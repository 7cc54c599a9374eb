import type { ArmContext, ArmOperation } from '../arm/context.js';
import { armErrors } from '../arm/errors.js';
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
  if (await context.permits(READ, scope)) return true;
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

export function getSubscription(subscriptionId: string): ArmOperation {
  const scope = subscriptionScope(subscriptionId);
  return {
    api: 'subscriptions',
    action: READ,
    scope,
    checksOwnAccess: true,
    async run(context) {
      const subscription = await context.tessera.subscriptions.find(subscriptionId);
      if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
      if (!(await canSee(context, subscription.subscriptionId))) await context.authorize(READ, scope);
      return { status: 200, body: subscriptionResource(subscription) };
    },
  };
}
