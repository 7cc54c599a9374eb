import { TesseraError, isGuid } from '../errors.js';
import type { Store } from '../store/database.js';

/** An ARM scope below a subscription: the levels role assignments can be made at. */
export interface Scope {
  subscriptionId: string;
  resourceGroup?: string;
  /** What follows the subscription or resource group: `providers/{ns}/{type}/{name}[/{type}/{name}…]`. */
  resourcePath?: string;
}

const invalid = (scope: string): TesseraError =>
  new TesseraError(
    'InvalidScope',
    `The scope '${scope}' is not valid. Use /subscriptions/{id}, ` +
      '/subscriptions/{id}/resourceGroups/{name}, or a resource id under one of them.',
  );

/** Splits a scope into its levels; undefined when it is not a subscription-rooted ARM path. */
export function parseScope(scope: string): Scope | undefined {
  const segments = scope.trim().replace(/\/+$/, '').split('/');
  if (segments.shift() !== '') return undefined;
  const [subscriptions, subscriptionId, ...rest] = segments;
  if (subscriptions?.toLowerCase() !== 'subscriptions' || !subscriptionId || !isGuid(subscriptionId)) {
    return undefined;
  }
  const parsed: Scope = { subscriptionId: subscriptionId.toLowerCase() };
  let below = rest;
  if (rest[0]?.toLowerCase() === 'resourcegroups') {
    const [, name, ...others] = rest;
    if (!name) return undefined;
    parsed.resourceGroup = name;
    below = others;
  }
  if (below.length === 0) return parsed;
  // providers/{namespace} then type/name pairs: an even count of non-empty segments.
  if (below[0]?.toLowerCase() !== 'providers' || below.length < 4 || below.length % 2 !== 0) return undefined;
  if (below.includes('')) return undefined;
  parsed.resourcePath = ['providers', ...below.slice(1)].join('/');
  return parsed;
}

export function formatScope(scope: Scope): string {
  let text = `/subscriptions/${scope.subscriptionId}`;
  if (scope.resourceGroup !== undefined) text += `/resourceGroups/${scope.resourceGroup}`;
  if (scope.resourcePath !== undefined) text += `/${scope.resourcePath}`;
  return text;
}

/**
 * Checks that the subscription belongs to the tenant and the resource group exists, and returns
 * the scope in canonical form (the resource group as it was created). Resources below a group
 * are not checked: the services that own them build on this later.
 */
export async function resolveScope(db: Store, tenantId: string, text: string): Promise<Scope> {
  const scope = parseScope(text);
  if (!scope) throw invalid(text);
  const subscription = await db
    .selectFrom('subscriptions')
    .select('id')
    .where('id', '=', scope.subscriptionId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!subscription) {
    throw new TesseraError(
      'SubscriptionNotFound',
      `The subscription '${scope.subscriptionId}' could not be found.`,
    );
  }
  if (scope.resourceGroup === undefined) return scope;
  const group = await db
    .selectFrom('resource_groups')
    .select('name')
    .where('subscription_id', '=', scope.subscriptionId)
    .where('name_lower', '=', scope.resourceGroup.toLowerCase())
    .executeTakeFirst();
  if (!group) {
    throw new TesseraError(
      'ResourceGroupNotFound',
      `Resource group '${scope.resourceGroup}' could not be found.`,
    );
  }
  return { ...scope, resourceGroup: group.name };
}
