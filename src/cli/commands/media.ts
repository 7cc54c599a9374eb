import type { Command } from 'commander';
import { mediaServicesResource } from '../../management/resources/mediaServicesApi.js';
import type { ServerOptions, SubscriptionOptions } from '../armContext.js';
import { groupLocation, subscriptionCommand, withServerOption, withSubscription } from '../armContext.js';
import { azResource, parseTagPairs } from '../armJson.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { registerMediaAssets } from './mediaAsset.js';
import { registerMediaChannels } from './mediaChannel.js';
import { registerMediaJobs } from './mediaJob.js';
import { registerMediaLocators } from './mediaLocator.js';
import { registerMediaPrograms } from './mediaProgram.js';
import { registerMediaStreamingEndpoints } from './mediaStreamingEndpoint.js';

interface AccountOptions extends SubscriptionOptions, ServerOptions {
  name: string;
  resourceGroup: string;
}

interface CreateOptions extends AccountOptions {
  location?: string;
  tags?: string[];
}

/**
 * `az ams …`, here `tessera media …`: accounts through the control plane (`account`); assets, jobs,
 * locators and live streaming through the v2 API's rules on the data folder (`asset`, `job`,
 * `locator`, `channel`, `program`, `streaming-endpoint`).
 */
export function registerMedia(program: Command, io: CliIo): void {
  const media = program.command('media').description('Manage Media Services.');
  const account = media.command('account').description('Manage Media Services accounts.');
  const accountCommand = (name: string, description: string) =>
    withServerOption(subscriptionCommand(account, name, description));

  accountCommand('create', 'Create a Media Services account.')
    .requiredOption('-n, --name <name>', 'Account name: 3-24 lower-case letters and digits.')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .option('-l, --location <location>', "Location, e.g. westus (default: the resource group's).")
    .option('--tags <pair...>', 'Space-separated tags: key[=value].')
    .action(async (options: CreateOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const { account: created } = await tessera.mediaServices.createOrUpdate({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: options.resourceGroup,
          name: options.name,
          location: options.location ?? (await groupLocation(tessera, subscription, options.resourceGroup)),
          tags: parseTagPairs(options.tags),
        });
        return azResource(mediaServicesResource(created, options.server));
      });
      printJson(io, json);
    });

  accountCommand('show', 'Show a Media Services account.')
    .requiredOption('-n, --name <name>', 'Account name.')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: AccountOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) =>
        azResource(
          mediaServicesResource(
            await tessera.mediaServices.get(subscription.subscriptionId, options.resourceGroup, options.name),
            options.server,
          ),
        ),
      );
      printJson(io, json);
    });

  accountCommand('list', 'List Media Services accounts.')
    .option('-g, --resource-group <name>', 'Only accounts in this resource group.')
    .action(async (options: Omit<AccountOptions, 'name' | 'resourceGroup'> & { resourceGroup?: string }) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const accounts = await tessera.mediaServices.list({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: options.resourceGroup,
        });
        return accounts.map((a) => azResource(mediaServicesResource(a, options.server)));
      });
      printJson(io, json);
    });

  accountCommand('delete', 'Delete a Media Services account.')
    .requiredOption('-n, --name <name>', 'Account name.')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: AccountOptions) => {
      await withSubscription(options, async (tessera, _tenant, subscription) => {
        await tessera.mediaServices.get(subscription.subscriptionId, options.resourceGroup, options.name);
        await tessera.mediaServices.delete(subscription.subscriptionId, options.resourceGroup, options.name);
      });
    });

  registerMediaAssets(media, io);
  registerMediaJobs(media, io);
  registerMediaLocators(media, io);
  registerMediaChannels(media, io);
  registerMediaPrograms(media, io);
  registerMediaStreamingEndpoints(media, io);
}
