import type { Command } from 'commander';
import { resourceGroupNotFound } from '../../management/resourceGroups.js';
import { resourceGroupResource } from '../../management/resources/resourceGroupsApi.js';
import type { SubscriptionOptions } from '../armContext.js';
import { subscriptionCommand, withSubscription } from '../armContext.js';
import { parseTagPairs } from '../armJson.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';

interface NameOptions extends SubscriptionOptions {
  name: string;
}

interface CreateOptions extends NameOptions {
  location: string;
  tags?: string[];
}

/** az's shape for a resource group: the ARM resource plus `managedBy`. */
const azGroup = (group: Parameters<typeof resourceGroupResource>[0]) => ({
  ...resourceGroupResource(group),
  managedBy: null,
});

/** `az group …`: resource groups of a subscription. */
export function registerGroup(program: Command, io: CliIo): void {
  const group = program.command('group').description('Manage resource groups.');

  subscriptionCommand(group, 'create', 'Create a new resource group (or update its tags).')
    .requiredOption('-n, --name <name>', 'Name of the new resource group.')
    .requiredOption('-l, --location <location>', 'Location, e.g. westus.')
    .option('--tags <pair...>', 'Space-separated tags: key[=value].')
    .action(async (options: CreateOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const { group: created } = await tessera.resourceGroups.createOrUpdate({
          subscriptionId: subscription.subscriptionId,
          name: options.name,
          location: options.location,
          tags: parseTagPairs(options.tags),
        });
        return azGroup(created);
      });
      printJson(io, json);
    });

  subscriptionCommand(group, 'show', 'Get a resource group.')
    .requiredOption('-n, --name <name>', 'Name of the resource group.')
    .action(async (options: NameOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) =>
        azGroup(await tessera.resourceGroups.get(subscription.subscriptionId, options.name)),
      );
      printJson(io, json);
    });

  subscriptionCommand(group, 'list', 'List resource groups.').action(async (options: SubscriptionOptions) => {
    const json = await withSubscription(options, async (tessera, _tenant, subscription) =>
      (await tessera.resourceGroups.list(subscription.subscriptionId)).map(azGroup),
    );
    printJson(io, json);
  });

  subscriptionCommand(group, 'exists', 'Check whether a resource group exists.')
    .requiredOption('-n, --name <name>', 'Name of the resource group.')
    .action(async (options: NameOptions) => {
      const found = await withSubscription(options, async (tessera, _tenant, subscription) =>
        tessera.resourceGroups.find(subscription.subscriptionId, options.name),
      );
      io.stdout.write(`${found ? 'true' : 'false'}\n`);
    });

  subscriptionCommand(
    group,
    'delete',
    'Delete a resource group, the resources in it and the role assignments on them.',
  )
    .requiredOption('-n, --name <name>', 'Name of the resource group.')
    .option('-y, --yes', 'Do not prompt for confirmation (there is no prompt; accepted for az scripts).')
    .action(async (options: NameOptions) => {
      await withSubscription(options, async (tessera, _tenant, subscription) => {
        const deleted = await tessera.resourceGroups.delete(subscription.subscriptionId, options.name);
        if (!deleted) throw resourceGroupNotFound(options.name);
      });
    });
}
