import type { Command } from 'commander';
import { TesseraError } from '../../errors.js';
import type { ConfigurationStore } from '../../management/configurationStores.js';
import { CONFIGURATION_STORE_TYPE } from '../../management/configurationStores.js';
import {
  accessKeyResource,
  configurationStoreEndpoint,
  configurationStoreResource,
} from '../../management/resources/configurationStoresApi.js';
import { resourceNotFound } from '../../management/resourceFields.js';
import type { Subscription } from '../../management/subscriptions.js';
import type { Tessera } from '../../tessera.js';
import type { ServerOptions, SubscriptionOptions } from '../armContext.js';
import { groupLocation, subscriptionCommand, withServerOption, withSubscription } from '../armContext.js';
import { azResource, parseTagPairs } from '../armJson.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { registerAppConfigKv } from './appconfigKv.js';

interface StoreOptions extends SubscriptionOptions, ServerOptions {
  name: string;
  resourceGroup?: string;
}

interface CreateOptions extends StoreOptions {
  resourceGroup: string;
  location?: string;
  sku: string;
  tags?: string[];
  disableLocalAuth?: boolean;
}

/** az's `-g` is optional for an existing store: the name alone finds it (names are global). */
async function findStore(
  tessera: Tessera,
  subscription: Subscription,
  options: StoreOptions,
): Promise<ConfigurationStore> {
  const store = await tessera.configurationStores.findByName(options.name);
  const matches =
    store?.subscriptionId === subscription.subscriptionId &&
    (options.resourceGroup === undefined ||
      store.resourceGroup.toLowerCase() === options.resourceGroup.toLowerCase());
  if (!store || !matches) {
    throw options.resourceGroup === undefined
      ? new TesseraError('ResourceNotFound', `The App Configuration store '${options.name}' was not found.`)
      : resourceNotFound(CONFIGURATION_STORE_TYPE, options.name, options.resourceGroup);
  }
  return store;
}

const azStore = (store: ConfigurationStore, origin: string) =>
  azResource(configurationStoreResource(store, origin));

/** `az appconfig …`: App Configuration stores and their access keys. */
export function registerAppConfig(program: Command, io: CliIo): void {
  const appconfig = program.command('appconfig').description('Manage App Configuration stores.');
  const storeCommand = (parent: Command, name: string, description: string) =>
    withServerOption(subscriptionCommand(parent, name, description));

  storeCommand(appconfig, 'create', 'Create an App Configuration store.')
    .requiredOption('-n, --name <name>', 'Name of the store (5-50 letters, digits and hyphens; global).')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .option('-l, --location <location>', "Location, e.g. westus (default: the resource group's).")
    .option('--sku <sku>', 'Free, Developer, Standard or Premium.', 'Standard')
    .option('--tags <pair...>', 'Space-separated tags: key[=value].')
    .option('--disable-local-auth', 'Refuse access keys; only Entra ID tokens reach the data.')
    .action(async (options: CreateOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const { store } = await tessera.configurationStores.createOrUpdate({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: options.resourceGroup,
          name: options.name,
          location: options.location ?? (await groupLocation(tessera, subscription, options.resourceGroup)),
          sku: options.sku,
          tags: parseTagPairs(options.tags),
          disableLocalAuth: options.disableLocalAuth,
        });
        return azStore(store, options.server);
      });
      printJson(io, json);
    });

  storeCommand(appconfig, 'show', 'Show an App Configuration store.')
    .requiredOption('-n, --name <name>', 'Name of the store.')
    .option('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: StoreOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) =>
        azStore(await findStore(tessera, subscription, options), options.server),
      );
      printJson(io, json);
    });

  storeCommand(appconfig, 'list', 'List App Configuration stores.')
    .option('-g, --resource-group <name>', 'Only stores in this resource group.')
    .action(async (options: Omit<StoreOptions, 'name'>) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const stores = await tessera.configurationStores.list({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: options.resourceGroup,
        });
        return stores.map((s) => azStore(s, options.server));
      });
      printJson(io, json);
    });

  storeCommand(appconfig, 'delete', 'Delete an App Configuration store.')
    .requiredOption('-n, --name <name>', 'Name of the store.')
    .option('-g, --resource-group <name>', 'Resource group.')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: StoreOptions) => {
      await withSubscription(options, async (tessera, _tenant, subscription) => {
        const store = await findStore(tessera, subscription, options);
        await tessera.configurationStores.delete(store.subscriptionId, store.resourceGroup, store.name);
      });
    });

  registerAppConfigKv(appconfig, io);

  const credential = appconfig.command('credential').description("Manage a store's access keys.");
  storeCommand(credential, 'list', 'List the access keys of a store.')
    .requiredOption('-n, --name <name>', 'Name of the store.')
    .option('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: StoreOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const store = await findStore(tessera, subscription, options);
        const endpoint = configurationStoreEndpoint(options.server, store);
        return (await tessera.configurationStores.keys.list(store.name)).map((k) =>
          accessKeyResource(k, endpoint),
        );
      });
      printJson(io, json);
    });

  storeCommand(credential, 'regenerate', 'Regenerate one access key of a store.')
    .requiredOption('-n, --name <name>', 'Name of the store.')
    .requiredOption('--id <id>', 'Id of the key to regenerate.')
    .option('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: StoreOptions & { id: string }) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const store = await findStore(tessera, subscription, options);
        const key = await tessera.configurationStores.keys.regenerate(store.name, options.id);
        return accessKeyResource(key, configurationStoreEndpoint(options.server, store));
      });
      printJson(io, json);
    });
}
