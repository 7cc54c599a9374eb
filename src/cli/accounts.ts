import { userInfo } from 'node:os';
import type { Tenant } from '../directory/model.js';
import { TesseraError } from '../errors.js';
import type { Subscription } from '../management/subscriptions.js';
import type { Tessera } from '../tessera.js';
import { readCliSettings } from './cliSettings.js';

/**
 * What the CLI acts in, as az's "account": a subscription, and through it a tenant. The default
 * is the subscription `tessera account set` recorded, else the default tenant's first one.
 */

/** The cloud name az knows Tessera by (its `az account` output names the cloud of each account). */
export const CLOUD_NAME = 'Tessera';

/** Every subscription of every tenant, tenants in creation order. */
export async function allSubscriptions(tessera: Tessera): Promise<Subscription[]> {
  // The default tenant's first: creation times have one-second resolution, so a tenant made in
  // the bootstrap's second could otherwise sort before it.
  const first = await tessera.defaultTenant();
  const tenants = [first, ...(await tessera.directory.tenants.list()).filter((t) => t.id !== first.id)];
  return (await Promise.all(tenants.map((t) => tessera.subscriptions.list(t.id)))).flat();
}

/** The subscription `tessera account set` recorded, while it exists. */
export async function recordedSubscription(
  tessera: Tessera,
  dataDir: string,
): Promise<Subscription | undefined> {
  const { defaultSubscription } = await readCliSettings(dataDir);
  return defaultSubscription === undefined ? undefined : tessera.subscriptions.find(defaultSubscription);
}

/** The subscription commands act in when none is named: the recorded one, else the default tenant's first. */
export async function defaultSubscription(
  tessera: Tessera,
  dataDir: string,
): Promise<Subscription | undefined> {
  const recorded = await recordedSubscription(tessera, dataDir);
  if (recorded) return recorded;
  return (await tessera.subscriptions.list((await tessera.defaultTenant()).id))[0];
}

/** `--tenant`, else the tenant of the default subscription, else the default tenant. */
export async function resolveTenant(
  tessera: Tessera,
  dataDir: string,
  tenant: string | undefined,
): Promise<Tenant> {
  if (tenant !== undefined) return tessera.directory.tenants.get(tenant);
  const recorded = await recordedSubscription(tessera, dataDir);
  return recorded ? tessera.directory.tenants.get(recorded.tenantId) : tessera.defaultTenant();
}

/**
 * A subscription by id or display name (case-insensitive, as az), among `candidates`. A name two
 * subscriptions share is refused rather than guessed.
 */
export function findSubscription(
  candidates: readonly Subscription[],
  idOrName: string,
): Subscription | undefined {
  const key = idOrName.trim().toLowerCase();
  const byId = candidates.find((s) => s.subscriptionId === key);
  if (byId) return byId;
  const byName = candidates.filter((s) => s.displayName.toLowerCase() === key);
  if (byName.length > 1) {
    throw new TesseraError(
      'SubscriptionAmbiguous',
      `The subscription of '${idOrName}' has more than one match; use its id.`,
    );
  }
  return byName[0];
}

/**
 * The subscription a `--subscription` command acts in: `--subscription` (within `--tenant` when
 * given), else the default subscription when it belongs to that tenant, else the tenant's first.
 */
export async function resolveSubscription(
  tessera: Tessera,
  dataDir: string,
  options: { tenant?: string; subscription?: string },
): Promise<Subscription> {
  const tenant =
    options.tenant === undefined ? undefined : await tessera.directory.tenants.get(options.tenant);
  if (options.subscription !== undefined) {
    const candidates = tenant ? await tessera.subscriptions.list(tenant.id) : await allSubscriptions(tessera);
    const found = findSubscription(candidates, options.subscription);
    if (!found) {
      throw new TesseraError(
        'SubscriptionNotFound',
        tenant
          ? `Subscription '${options.subscription}' not found in the tenant '${tenant.domain}'.`
          : `Subscription '${options.subscription}' not found. 'tessera account list' lists them.`,
      );
    }
    return found;
  }
  const recorded = await recordedSubscription(tessera, dataDir);
  if (recorded && (!tenant || recorded.tenantId === tenant.id)) return recorded;
  const inTenant = tenant ?? (await tessera.defaultTenant());
  const first = (await tessera.subscriptions.list(inTenant.id))[0];
  if (!first) {
    throw new TesseraError('SubscriptionNotFound', `The tenant '${inTenant.domain}' has no subscription.`);
  }
  return first;
}

/**
 * az's account shape. The CLI signs in to nothing: it opens the data folder with the rights of the
 * operating-system user running it, so that user is the account's user.
 */
export function accountJson(subscription: Subscription, isDefault: boolean) {
  return {
    id: subscription.subscriptionId,
    name: subscription.displayName,
    state: subscription.state,
    tenantId: subscription.tenantId,
    homeTenantId: subscription.tenantId,
    managedByTenants: [] as string[],
    isDefault,
    user: { name: userInfo().username, type: 'user' },
  };
}
