import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { MediaError } from '../../media/errors.js';
import { entityPath, odataString } from '../../media/mediaData.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaContext, MediaOptions } from '../media/context.js';
import { findEntity, mediaCommand, resolveAsset, resolveLocator, withMedia } from '../media/context.js';
import { azLocator, locatorPaths } from '../media/shapes.js';
import { parsePositiveInteger } from '../options.js';

/** The access policies this CLI makes, one per locator: removed with their locator. */
const POLICY_NAME = 'tessera media locator';

const TYPES = { sas: 1, streaming: 2 } as const;
/** A SAS is a short-lived link; a streaming locator is published content (the docs' 30 days). */
const DEFAULT_MINUTES = { sas: 60, streaming: 43_200 } as const;
const PERMISSIONS: Readonly<Record<string, number>> = { read: 1, write: 2, delete: 4, list: 8 };

interface CreateOptions extends MediaOptions {
  asset: string;
  type: keyof typeof TYPES;
  durationMinutes?: number;
  permissions: number;
  name?: string;
}

/** `read`, `read,write`, `rwdl`-free names, as az's `--permissions` lists them. */
function parsePermissions(value: string): number {
  let bits = 0;
  for (const word of value.split(/[\s,]+/).filter(Boolean)) {
    const bit = PERMISSIONS[word.toLowerCase()];
    if (bit === undefined)
      throw new InvalidArgumentError('expected read, write, delete or list (comma-separated).');
    bits |= bit;
  }
  if (bits === 0) throw new InvalidArgumentError('expected read, write, delete or list (comma-separated).');
  return bits;
}

async function present(ctx: MediaContext, locator: WireEntity, asset?: WireEntity) {
  const owner = asset ?? (await findEntity(ctx, 'Assets', String(locator.AssetId)));
  if (!owner) throw new Error(`the asset of locator '${String(locator.Id)}' is missing`);
  const files = await ctx.data.list(ctx.session, `${entityPath('Assets', String(owner.Id))}/Files`);
  const policy = await findEntity(ctx, 'AccessPolicies', String(locator.AccessPolicyId));
  const permissions = policy === undefined ? undefined : Number(policy.Permissions);
  return azLocator(ctx.account, locator, owner, locatorPaths(locator, files), permissions);
}

/** Deletes a policy this CLI made once no locator uses it. */
async function removeOwnPolicy(ctx: MediaContext, policyId: string): Promise<void> {
  const policy = await findEntity(ctx, 'AccessPolicies', policyId);
  if (!policy || policy.Name !== POLICY_NAME) return;
  const users = await ctx.data.list(
    ctx.session,
    `Locators?$filter=AccessPolicyId eq ${odataString(policyId)}`,
  );
  if (users.length === 0)
    await ctx.data.request(ctx.session, 'DELETE', entityPath('AccessPolicies', policyId));
}

/**
 * v2 locators: a SAS locator (a signed URL of the asset's container, for download or upload) or
 * an OnDemandOrigin streaming locator (progressive download and HLS/DASH/Smooth of `.ism`).
 */
export function registerMediaLocators(media: Command, io: CliIo): void {
  const locator = media.command('locator').description('Manage locators (SAS and streaming URLs) of assets.');

  mediaCommand(locator, 'create', 'Create a locator on an asset and print its URLs.')
    .requiredOption('--asset <id|name>', 'The asset: its id (nb:cid:UUID:…, or the guid) or name.')
    .addOption(
      new Option('--type <type>', 'sas: signed container URL; streaming: origin (HLS/DASH/Smooth).')
        .choices(Object.keys(TYPES))
        .default('streaming'),
    )
    .addOption(
      new Option('--duration-minutes <n>', 'How long it works (default: sas 60, streaming 43200).').argParser(
        parsePositiveInteger,
      ),
    )
    .addOption(
      new Option('--permissions <list>', 'read, write, delete, list (comma-separated; streaming: read only).')
        .argParser(parsePermissions)
        .default(1, 'read'),
    )
    .option('-n, --name <name>', 'Locator name.')
    .action(async (options: CreateOptions) => {
      const json = await withMedia(io, options, async (ctx) => {
        const asset = await resolveAsset(ctx, options.asset);
        const policy = await ctx.data.entity(ctx.session, 'POST', 'AccessPolicies', {
          Name: POLICY_NAME,
          DurationInMinutes: options.durationMinutes ?? DEFAULT_MINUTES[options.type],
          Permissions: options.permissions,
        });
        if (!policy) throw new Error('the API returned no access policy');
        let created: WireEntity | undefined;
        try {
          created = await ctx.data.entity(ctx.session, 'POST', 'Locators', {
            AccessPolicyId: policy.Id,
            AssetId: asset.Id,
            Type: TYPES[options.type],
            ...(options.name !== undefined ? { Name: options.name } : {}),
          });
        } catch (error) {
          await removeOwnPolicy(ctx, String(policy.Id));
          throw error;
        }
        if (!created) throw new Error('the API returned no locator');
        return present(ctx, created, asset);
      });
      printJson(io, json);
    });

  mediaCommand(locator, 'list', 'List locators, of one asset or of the account.')
    .option('--asset <id|name>', 'Only the locators of this asset.')
    .action(async (options: MediaOptions & { asset?: string }) => {
      const json = await withMedia(io, options, async (ctx) => {
        if (options.asset === undefined) {
          const all = await ctx.data.list(ctx.session, 'Locators');
          return Promise.all(all.map((l) => present(ctx, l)));
        }
        const asset = await resolveAsset(ctx, options.asset);
        const own = await ctx.data.list(ctx.session, `${entityPath('Assets', String(asset.Id))}/Locators`);
        return Promise.all(own.map((l) => present(ctx, l, asset)));
      });
      printJson(io, json);
    });

  mediaCommand(locator, 'delete', 'Delete a locator: its URLs stop working.')
    .requiredOption('--locator <id>', 'The locator id (nb:lid:UUID:…, or the guid).')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: MediaOptions & { locator: string }) => {
      await withMedia(io, options, async (ctx) => {
        const found = await resolveLocator(ctx, options.locator);
        await ctx.data.request(ctx.session, 'DELETE', entityPath('Locators', String(found.Id)));
        try {
          await removeOwnPolicy(ctx, String(found.AccessPolicyId));
        } catch (error) {
          if (!(error instanceof MediaError)) throw error;
        }
      });
    });
}
