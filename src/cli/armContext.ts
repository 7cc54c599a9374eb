import { Option } from 'commander';
import type { Command } from 'commander';
import type { Tenant } from '../directory/model.js';
import type { Subscription } from '../management/subscriptions.js';
import type { Tessera } from '../tessera.js';
import { resolveSubscription } from './accounts.js';
import type { DataOptions, TenantOptions } from './options.js';
import { DEFAULT_PORT, dataDirOf, tenantCommand, withTessera } from './options.js';
import { runningServer } from './serverInfo.js';

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
    "Subscription to act in, by id or name (default: the one 'tessera account set' chose, else the first).",
  );
}

const DEFAULT_ORIGIN = `https://localhost:${DEFAULT_PORT}`;

/**
 * Endpoints are not stored: they are built on the origin the clients will use. Unless `--server`
 * or TESSERA_SERVER names it, that is the origin of the server running on the data folder (its
 * `server.json`), else the one `tessera start` would listen on by default.
 */
export const withServerOption = (command: Command): Command =>
  command
    .addOption(
      new Option(
        '--server <origin>',
        'Origin clients reach Tessera at, for the endpoints printed (default: the running server).',
      ).env('TESSERA_SERVER'),
    )
    .hook('preAction', async (self) => {
      if (self.getOptionValue('server') !== undefined) return;
      const running = await runningServer(dataDirOf(self.opts<DataOptions>()));
      self.setOptionValueWithSource('server', running?.origin ?? DEFAULT_ORIGIN, 'default');
    });

export function withSubscription<T>(
  options: SubscriptionOptions,
  work: (tessera: Tessera, tenant: Tenant, subscription: Subscription) => Promise<T>,
): Promise<T> {
  return withTessera(options, async (tessera) => {
    const subscription = await resolveSubscription(tessera, dataDirOf(options), options);
    return work(tessera, await tessera.directory.tenants.get(subscription.tenantId), subscription);
  });
}

/** az's default for a new resource's `--location`: its resource group's (which must exist). */
export async function groupLocation(
  tessera: Tessera,
  subscription: Subscription,
  resourceGroup: string,
): Promise<string> {
  return (await tessera.resourceGroups.get(subscription.subscriptionId, resourceGroup)).location;
}
