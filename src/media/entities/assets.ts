import { mediaErrors } from '../errors.js';
import { containerOf, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { checkWriteOnce, enumValue, merged, optionalString } from './values.js';

export const AssetState = { Initialized: 0, Published: 1, Deleted: 2 } as const;
/** None, StorageEncrypted, CommonEncryptionProtected, EnvelopeEncryptionProtected. */
const OPTIONS = [0, 1, 2, 4];
/** AssetFormatOption: None, AdaptiveStreaming. */
const FORMAT_OPTIONS = [0, 1];
const ACTIVE_JOB_STATES = new Set([0, 1, 2, 6]);

/** Used by the job rules too: an output asset is an asset like any other. */
export function newAsset(
  ctx: RuleContext,
  input: { name: string; options?: number; alternateId?: string | null; formatOption?: number },
): EntityRecord {
  const asset: EntityRecord = {
    Id: newId('cid'),
    State: AssetState.Initialized,
    Created: ctx.now,
    LastModified: ctx.now,
    AlternateId: input.alternateId ?? null,
    Name: input.name,
    Options: input.options ?? 0,
    FormatOption: input.formatOption ?? 0,
    StorageAccountName: ctx.account.name,
  };
  ctx.writer.insert('Assets', asset);
  return asset;
}

/** Jobs still running that read or write the asset: it may not go while they do. */
function activeJobsUsing(ctx: RuleContext, assetId: string): string[] {
  return ctx.writer
    .linksTo('Assets', assetId)
    .filter((l) => l.sourceSet === 'Jobs')
    .map((l) => ctx.writer.get('Jobs', l.sourceId))
    .filter((job): job is EntityRecord => job !== undefined && ACTIVE_JOB_STATES.has(job.State as number))
    .map((job) => job.Id as string);
}

/** Deletes an asset with its files, locators and links; its container goes after the commit. */
export function removeAsset(ctx: RuleContext, asset: EntityRecord): void {
  const id = asset.Id as string;
  const jobs = activeJobsUsing(ctx, id);
  if (jobs.length > 0) {
    throw mediaErrors.badRequest(
      `The asset '${id}' is used by job '${jobs[0]}', which has not finished. Cancel the job or wait for it to end.`,
    );
  }
  // A program holds its asset for as long as it exists, recording or not (its archive is the asset).
  const program = ctx.writer.list('Programs').find((p) => p.AssetId === id);
  if (program) {
    throw mediaErrors.badRequest(
      `The asset '${id}' is used by program '${String(program.Id)}'. Delete the program first.`,
    );
  }
  for (const file of ctx.writer.list('Files'))
    if (file.ParentAssetId === id) ctx.writer.remove('Files', file.Id as string);
  for (const locator of ctx.writer.list('Locators')) {
    if (locator.AssetId === id) ctx.writer.remove('Locators', locator.Id as string);
  }
  for (const nav of ['ContentKeys', 'DeliveryPolicies', 'ParentAssets']) {
    for (const link of ctx.writer.targets('Assets', id, nav)) ctx.writer.unlink(link);
  }
  for (const link of ctx.writer.linksTo('Assets', id)) ctx.writer.unlink(link);
  ctx.writer.remove('Assets', id);
  const container = containerOf(id);
  ctx.afterCommit(() => ctx.services.blobs.deleteContainer(container));
}

export const assets: EntitySetRules = {
  set: 'Assets',
  navigations: {
    Files: { kind: 'foreignKey', set: 'Files', property: 'ParentAssetId' },
    Locators: { kind: 'foreignKey', set: 'Locators', property: 'AssetId' },
    ContentKeys: { kind: 'link', set: 'ContentKeys', writable: true },
    DeliveryPolicies: { kind: 'link', set: 'AssetDeliveryPolicies', writable: true },
    ParentAssets: { kind: 'link', set: 'Assets', writable: true },
    StorageAccount: { kind: 'reference', set: 'StorageAccounts', property: 'StorageAccountName' },
  },
  create(ctx, body) {
    const values = body.values;
    const storage = optionalString(values, 'StorageAccountName');
    if (storage !== undefined && storage !== '' && storage !== ctx.account.name) {
      throw mediaErrors.invalidProperty(
        'StorageAccountName',
        `the account has no storage account '${storage}'.`,
      );
    }
    const asset = newAsset(ctx, {
      name: optionalString(values, 'Name', 512) ?? '',
      options: enumValue(values, 'Options', OPTIONS, 0),
      alternateId: optionalString(values, 'AlternateId', 4000) ?? null,
      formatOption: enumValue(values, 'FormatOption', FORMAT_OPTIONS, 0),
    });
    return asset;
  },
  update(ctx, existing, body, replace) {
    checkWriteOnce(existing, body.values, ['Options', 'StorageAccountName', 'FormatOption']);
    const next = merged(
      existing,
      body.values,
      {
        Name: (v) => optionalString(v, 'Name', 512) ?? '',
        AlternateId: (v) => optionalString(v, 'AlternateId'),
      },
      replace,
      ctx.now,
    );
    return next;
  },
  remove: removeAsset,
  present(record, { urls }) {
    return { ...record, Uri: urls.container(record.Id as string) };
  },
};
