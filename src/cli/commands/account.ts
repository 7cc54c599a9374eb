import type { Command } from 'commander';
import type { Tenant } from '../../directory/model.js';
import { TesseraError } from '../../errors.js';
import type { Tessera } from '../../tessera.js';
import {
  CLOUD_NAME,
  accountJson,
  allSubscriptions,
  defaultSubscription,
  findSubscription,
} from '../accounts.js';
import { readCliSettings, writeCliSettings } from '../cliSettings.js';
import { newDataFolderNotice } from '../firstStart.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, dataDirOf, withTessera } from '../options.js';

interface TenantCreateOptions extends DataOptions {
  domain: string;
  displayName?: string;
}

interface AccountOptions extends DataOptions {
  subscription?: string;
}

/** `az account tenant list`'s shape. */
const tenantJson = (tenant: Tenant) => ({
  tenantId: tenant.id,
  id: `/tenants/${tenant.id}`,
  defaultDomain: tenant.domain,
  displayName: tenant.displayName,
});

/** `az account list`: every subscription, the default one marked (az names the cloud `cloudName` here). */
export async function accountList(tessera: Tessera, dataDir: string, all = true) {
  const current = await defaultSubscription(tessera, dataDir);
  return (await allSubscriptions(tessera))
    .filter((s) => all || s.state === 'Enabled')
    .map((s) => ({
      ...accountJson(s, s.subscriptionId === current?.subscriptionId),
      cloudName: CLOUD_NAME,
    }));
}

export function registerAccount(program: Command, io: CliIo): void {
  const account = program
    .command('account')
    .description('Manage subscriptions (the accounts commands act in) and tenants.');

  dataCommand(account, 'list', 'List the subscriptions of every tenant.')
    .option('--all', 'Also list disabled subscriptions.')
    .action(async (options: DataOptions & { all?: boolean }) => {
      const json = await withTessera(options, (tessera) =>
        accountList(tessera, dataDirOf(options), options.all === true),
      );
      printJson(io, json);
    });

  dataCommand(account, 'show', 'Show the default subscription, or the one named.')
    .option('-s, --subscription <id|name>', 'Subscription to show (default: the default one).')
    .action(async (options: AccountOptions) => {
      const json = await withTessera(options, async (tessera) => {
        const dataDir = dataDirOf(options);
        const current = await defaultSubscription(tessera, dataDir);
        const shown =
          options.subscription === undefined
            ? current
            : findSubscription(await allSubscriptions(tessera), options.subscription);
        if (!shown) throw subscriptionNotFound(options.subscription);
        return {
          ...accountJson(shown, shown.subscriptionId === current?.subscriptionId),
          environmentName: CLOUD_NAME,
        };
      });
      printJson(io, json);
    });

  dataCommand(account, 'set', 'Set the subscription commands act in when none is named.')
    .requiredOption('-s, --subscription <id|name>', 'Id or name of the subscription.')
    .action(async (options: Required<AccountOptions>) => {
      const dataDir = dataDirOf(options);
      const chosen = await withTessera(options, async (tessera) =>
        findSubscription(await allSubscriptions(tessera), options.subscription),
      );
      if (!chosen) throw subscriptionNotFound(options.subscription);
      await writeCliSettings(dataDir, {
        ...(await readCliSettings(dataDir)),
        defaultSubscription: chosen.subscriptionId,
      });
    });

  const tenant = account.command('tenant').description('Manage tenants.');

  dataCommand(tenant, 'create', 'Create a tenant.')
    .requiredOption('--domain <name>', "Domain name; 'contoso' becomes contoso.onmicrosoft.com.")
    .option('--display-name <name>', 'Display name (default: the first label of the domain).')
    .action(async (options: TenantCreateOptions) => {
      const created = await withTessera(options, async (tessera) => {
        // The first tenant is the default one and owns the starter subscription; creating
        // another one first would leave the data folder without them.
        await bootstrapFirst(tessera, io);
        return tessera.directory.createTenant({ domain: options.domain, displayName: options.displayName });
      });
      printJson(io, tenantJson(created));
    });

  dataCommand(tenant, 'list', 'List tenants.').action(async (options: DataOptions) => {
    const tenants = await withTessera(options, async (tessera) => {
      await bootstrapFirst(tessera, io);
      return tessera.directory.tenants.list();
    });
    printJson(io, tenants.map(tenantJson));
  });
}

/** A folder whose first start was interrupted before its tenant existed gets it now. */
async function bootstrapFirst(tessera: Tessera, io: CliIo): Promise<void> {
  const created = await tessera.bootstrap();
  if (created) io.stderr.write(newDataFolderNotice(created, tessera.dataDir));
}

// az's wording (`az account set` with an unknown subscription).
const subscriptionNotFound = (subscription: string | undefined) =>
  new TesseraError(
    'SubscriptionNotFound',
    subscription === undefined
      ? 'There is no subscription: create a tenant with one, or start from a new data folder.'
      : `The subscription of '${subscription}' doesn't exist in cloud '${CLOUD_NAME}'.`,
  );
