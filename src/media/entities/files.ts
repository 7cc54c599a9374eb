import { mediaErrors } from '../errors.js';
import { containerOf, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { EntitySetRules, RuleContext } from './rules.js';

/** What adding a file needs: the encoder adds files outside any request. */
export type FileContext = Pick<RuleContext, 'writer' | 'now'>;
import {
  checkWriteOnce,
  merged,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredString,
} from './values.js';

/** Blob names that Media Services accepted as file names: no path, no control characters. */
const isFileName = (name: string): boolean =>
  name.length >= 1 &&
  name.length <= 260 &&
  ![...name].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20);

export interface FileInput {
  name: string;
  parentAssetId: string;
  size?: number;
  mimeType?: string | null;
  isPrimary?: boolean;
}

function assetOf(ctx: FileContext, assetId: string): EntityRecord {
  const asset = ctx.writer.get('Assets', assetId);
  if (!asset) throw mediaErrors.badRequest(`The asset '${assetId}' does not exist.`);
  return asset;
}

const filesOf = (ctx: FileContext, assetId: string) =>
  ctx.writer.list('Files').filter((f) => f.ParentAssetId === assetId);

function checkPrimary(ctx: FileContext, assetId: string, exceptId?: string): void {
  if (filesOf(ctx, assetId).some((f) => f.IsPrimary === true && f.Id !== exceptId)) {
    throw mediaErrors.conflict(`The asset '${assetId}' already has a primary file.`);
  }
}

/** Used by CreateFileInfos and the encoder as well as by POST Files. */
export function addFile(ctx: FileContext, input: FileInput, extra: Partial<EntityRecord> = {}): EntityRecord {
  if (!isFileName(input.name)) {
    throw mediaErrors.invalidProperty(
      'Name',
      'a file name of 1 to 260 characters without path separators is expected.',
    );
  }
  assetOf(ctx, input.parentAssetId);
  if (filesOf(ctx, input.parentAssetId).some((f) => f.Name === input.name)) {
    throw mediaErrors.conflict(
      `The asset '${input.parentAssetId}' already has a file named '${input.name}'.`,
    );
  }
  if (input.isPrimary) checkPrimary(ctx, input.parentAssetId);
  const file: EntityRecord = {
    Id: newId('cid'),
    Name: input.name,
    ContentFileSize: input.size ?? 0,
    ParentAssetId: input.parentAssetId,
    EncryptionVersion: null,
    EncryptionScheme: null,
    IsEncrypted: false,
    EncryptionKeyId: null,
    InitializationVector: null,
    IsPrimary: input.isPrimary ?? false,
    LastModified: ctx.now,
    Created: ctx.now,
    MimeType: input.mimeType ?? null,
    ContentChecksum: null,
    ...extra,
  };
  ctx.writer.insert('Files', file);
  return file;
}

const encryptionFields = {
  IsEncrypted: (v: Readonly<Record<string, unknown>>) => optionalBoolean(v, 'IsEncrypted') ?? false,
  EncryptionScheme: (v: Readonly<Record<string, unknown>>) => optionalString(v, 'EncryptionScheme', 256),
  EncryptionVersion: (v: Readonly<Record<string, unknown>>) => optionalString(v, 'EncryptionVersion', 64),
  EncryptionKeyId: (v: Readonly<Record<string, unknown>>) => optionalString(v, 'EncryptionKeyId', 128),
  InitializationVector: (v: Readonly<Record<string, unknown>>) =>
    optionalString(v, 'InitializationVector', 128),
  MimeType: (v: Readonly<Record<string, unknown>>) => optionalString(v, 'MimeType', 256),
  ContentChecksum: (v: Readonly<Record<string, unknown>>) => optionalString(v, 'ContentChecksum', 256),
};

function size(values: Readonly<Record<string, unknown>>): number | undefined {
  const value = optionalNumber(values, 'ContentFileSize');
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw mediaErrors.invalidProperty('ContentFileSize', 'a non-negative integer is expected.');
  }
  return value;
}

export const files: EntitySetRules = {
  set: 'Files',
  navigations: { ParentAsset: { kind: 'reference', set: 'Assets', property: 'ParentAssetId' } },
  create(ctx, body) {
    const values = body.values;
    const extra: Partial<EntityRecord> = {};
    for (const [name, read] of Object.entries(encryptionFields)) {
      const value = read(values);
      if (value !== undefined) extra[name] = value;
    }
    return addFile(
      ctx,
      {
        name: requiredString(values, 'Name', 260),
        parentAssetId: requiredString(values, 'ParentAssetId', 128),
        size: size(values),
        isPrimary: optionalBoolean(values, 'IsPrimary'),
      },
      extra,
    );
  },
  update(ctx, existing, body, replace) {
    checkWriteOnce(existing, body.values, ['Name', 'ParentAssetId']);
    if (optionalBoolean(body.values, 'IsPrimary') === true) {
      checkPrimary(ctx, existing.ParentAssetId as string, existing.Id as string);
    }
    return merged(
      existing,
      body.values,
      {
        ...encryptionFields,
        ContentFileSize: (v) => size(v) ?? 0,
        IsPrimary: (v) => optionalBoolean(v, 'IsPrimary') ?? false,
      },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    ctx.writer.remove('Files', existing.Id as string);
    const container = containerOf(existing.ParentAssetId as string);
    const name = existing.Name as string;
    ctx.afterCommit(async () => {
      await ctx.services.blobs.delete(container, name);
    });
  },
};

/**
 * `CreateFileInfos?assetid='…'`: a File for every blob of the asset's container that has none,
 * and the sizes of those that have one brought up to date.
 */
export async function createFileInfos(ctx: RuleContext, assetId: string): Promise<void> {
  assetOf(ctx, assetId);
  const blobs = await ctx.services.blobs.list(containerOf(assetId));
  const existing = new Map(filesOf(ctx, assetId).map((f) => [f.Name as string, f]));
  for (const blob of blobs) {
    const file = existing.get(blob.name);
    if (!file) {
      addFile(ctx, {
        name: blob.name,
        parentAssetId: assetId,
        size: blob.size,
        mimeType: blob.contentType || null,
      });
    } else if (file.ContentFileSize !== blob.size) {
      ctx.writer.update('Files', { ...file, ContentFileSize: blob.size, LastModified: ctx.now });
    }
  }
}
