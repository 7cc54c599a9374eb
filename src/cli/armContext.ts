import { Option } from 'commander';
import type { Command } from 'commander';
import type { Tenant } from '../directory/model.js';
import { TesseraError } from '../errors.js';
import type { Subscription } from '../management/subscriptions.js';
import type { Tessera } from '../tessera.js';
import type { TenantOptions } from './options.js';
import { tenantCommand, withTenant } from './options.js';

export interface SubscriptionOptions extends TenantOptions {
  subscription?: string;
}

export interface ServerOptions {
  /** The origin clients reach Tessera at: data-plane endpoints are printed on it. */
  server: string;
}

/** A command acting in one subscription (`--subscription`, else the tenant's first), as az's. */
export function subscriptionCommand(parent: Command, name: string, description: string): Command {
  return tenantCommand(parent, name, description).option(
    '--subscription <id>',
    "Subscription to act in (default: the tenant's first subscription).",
  );
}

/** Endpoints are not stored: they are built on the origin the clients will use. */
export const withServerOption = (command: Command): Command =>
  command.addOption(
    new Option('--server <origin>', 'Origin clients reach Tessera at, for the endpoints printed.')
      .env('TESSERA_SERVER')
      .default('https://localhost:8443'),
  );

export async function resolveSubscription(
  tessera: Tessera,
  tenant: Tenant,
  id: string | undefined,
): Promise<Subscription> {
  const subscriptions = await tessera.subscriptions.list(tenant.id);
  const found =
    id === undefined
      ? subscriptions[0]
      : subscriptions.find((s) => s.subscriptionId === id.toLowerCase() || s.displayName === id);
  if (!found) {
    throw new TesseraError(
      'SubscriptionNotFound',
      id === undefined
        ? `The tenant '${tenant.domain}' has no subscription.`
        : `Subscription '${id}' not found in the tenant '${tenant.domain}'.`,
    );
  }
  return found;
}

export function withSubscription<T>(
  options: SubscriptionOptions,
  work: (tessera: Tessera, tenant: Tenant, subscription: Subscription) => Promise<T>,
): Promise<T> {
  return withTenant(options, async (tessera, tenant) =>
    work(tessera, tenant, await resolveSubscription(tessera, tenant, options.subscription)),
  );
}
