import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { TesseraError } from '../../errors.js';
import { containerOf } from '../../media/ids.js';
import { entityPath, odataString } from '../../media/mediaData.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { MediaContext, MediaOptions } from '../media/context.js';
import { mediaCommand, resolveAsset, withMedia } from '../media/context.js';
import { azAsset, azFile } from '../media/shapes.js';

interface CreateOptions extends MediaOptions {
  name: string;
  alternateId?: string;
}

interface AssetOptions extends MediaOptions {
  asset: string;
}

interface UploadOptions extends AssetOptions {
  file: string;
  name?: string;
  contentType?: string;
  primary?: boolean;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.ts': 'video/mp2t',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.xml': 'application/xml',
  '.ism': 'application/xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.vtt': 'text/vtt',
};

/**
 * Records the File first (the API checks its name, its asset and a second primary file), then
 * writes the content into the asset's container through the blob store, then the File's size. A
 * File made here whose content could not be written is removed again.
 */
async function upload(ctx: MediaContext, options: UploadOptions) {
  const asset = await resolveAsset(ctx, options.asset);
  const assetId = String(asset.Id);
  const name = options.name ?? basename(options.file);
  try {
    if (!(await stat(options.file)).isFile()) throw new Error('not a file');
  } catch {
    throw new TesseraError('InvalidFile', `The file '${options.file}' could not be read.`);
  }
  const mimeType =
    options.contentType ?? MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
  const [existing] = await ctx.data.list(
    ctx.session,
    `Files?$filter=ParentAssetId eq ${odataString(assetId)} and Name eq ${odataString(name)}`,
  );
  let fileId: string;
  if (existing) {
    fileId = String(existing.Id);
    await ctx.data.request(ctx.session, 'MERGE', entityPath('Files', fileId), {
      MimeType: mimeType,
      ...(options.primary ? { IsPrimary: true } : {}),
    });
  } else {
    const created = await ctx.data.entity(ctx.session, 'POST', 'Files', {
      Name: name,
      ParentAssetId: assetId,
      ContentFileSize: 0,
      MimeType: mimeType,
      IsPrimary: options.primary === true,
      IsEncrypted: false,
    });
    if (!created) throw new Error('the API returned no file');
    fileId = String(created.Id);
  }
  let blob;
  try {
    blob = await ctx.data.blobs.put(containerOf(assetId), name, createReadStream(options.file), {
      // A local file, not a request body: no service limit applies.
      maxBytes: Number.MAX_SAFE_INTEGER,
      contentType: mimeType,
    });
  } catch (error) {
    if (!existing) await ctx.data.request(ctx.session, 'DELETE', entityPath('Files', fileId));
    throw error;
  }
  await ctx.data.request(ctx.session, 'MERGE', entityPath('Files', fileId), { ContentFileSize: blob.size });
  const file = await ctx.data.entity(ctx.session, 'GET', entityPath('Files', fileId));
  if (!file) throw new Error('the API returned no file');
  return azFile(asset, file, blob.contentMd5 ?? null);
}

/** `az ams asset …`, here `tessera media asset …`: v2 assets, on the data folder. */
export function registerMediaAssets(media: Command, io: CliIo): void {
  const asset = media.command('asset').description('Manage assets of a Media Services account.');

  mediaCommand(asset, 'create', 'Create an asset.')
    .requiredOption('-n, --name <name>', 'Asset name (v2 names need not be unique).')
    .option('--alternate-id <id>', 'Alternate id of the asset.')
    .action(async (options: CreateOptions) => {
      const json = await withMedia(io, options, async (ctx) => {
        const created = await ctx.data.entity(ctx.session, 'POST', 'Assets', {
          Name: options.name,
          Options: 0,
          ...(options.alternateId !== undefined ? { AlternateId: options.alternateId } : {}),
        });
        if (!created) throw new Error('the API returned no asset');
        return azAsset(ctx.account, created);
      });
      printJson(io, json);
    });

  mediaCommand(asset, 'upload', "Upload a file into an existing asset's container and record it as a File.")
    .requiredOption('--asset <id|name>', 'The asset: its id (nb:cid:UUID:…, or the guid) or name.')
    .requiredOption('-f, --file <path>', 'The local file to upload.')
    .option('-n, --name <name>', 'File name in the asset (default: the local file name).')
    .option('--content-type <type>', 'MIME type (default: from the extension).')
    .option('--primary', 'Make it the primary file of the asset (the input an encoder reads first).')
    .action(async (options: UploadOptions) => {
      printJson(io, await withMedia(io, options, (ctx) => upload(ctx, options)));
    });

  mediaCommand(asset, 'list', 'List the assets of an account.').action(async (options: MediaOptions) => {
    const json = await withMedia(io, options, async (ctx) =>
      (await ctx.data.list(ctx.session, 'Assets')).map((a) => azAsset(ctx.account, a)),
    );
    printJson(io, json);
  });

  mediaCommand(asset, 'show', 'Show an asset.')
    .requiredOption('--asset <id|name>', 'The asset: its id (nb:cid:UUID:…, or the guid) or name.')
    .action(async (options: AssetOptions) => {
      const json = await withMedia(io, options, async (ctx) =>
        azAsset(ctx.account, await resolveAsset(ctx, options.asset)),
      );
      printJson(io, json);
    });

  mediaCommand(asset, 'delete', 'Delete an asset with its files and locators.')
    .requiredOption('--asset <id|name>', 'The asset: its id (nb:cid:UUID:…, or the guid) or name.')
    .option('-y, --yes', 'Do not prompt for confirmation (accepted for az scripts).')
    .action(async (options: AssetOptions) => {
      await withMedia(io, options, async (ctx) => {
        const found = await resolveAsset(ctx, options.asset);
        await ctx.data.request(ctx.session, 'DELETE', entityPath('Assets', String(found.Id)));
      });
    });
}
