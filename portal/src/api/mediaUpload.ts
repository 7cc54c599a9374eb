import type { Asset } from './mediaServices.js';
import {
  LocatorType,
  Permission,
  createAccessPolicy,
  createAsset,
  createFileInfos,
  createLocator,
  deleteAccessPolicy,
  deleteAsset,
  deleteLocator,
} from './mediaServices.js';

/**
 * A file uploaded as the v2 REST samples do it: an asset, a write access policy, a SAS locator
 * naming the asset's blob container, the file's blocks PUT there straight from the browser (Put
 * Block, then Put Block List), then CreateFileInfos, which records the blob as the asset's File.
 * The locator and its policy are deleted at the end, so the write grant does not outlive the
 * upload; a failed or canceled upload deletes the asset too, leaving nothing half-made.
 */

export interface UploadProgress {
  loaded: number;
  total: number;
}

export class UploadCanceled extends Error {
  override readonly name = 'UploadCanceled';
  constructor() {
    super('The upload was canceled; nothing was kept.');
  }
}

/** The Blob service version the requests speak (one the endpoint and the service both take). */
const BLOB_VERSION = '2015-02-21';
const KiB = 1024;
const MiB = 1024 * KiB;
/** About a hundred blocks per file for a smooth progress bar, between 64 KiB and 4 MiB each. */
export const blockSizeFor = (size: number): number =>
  Math.min(4 * MiB, Math.max(64 * KiB, Math.ceil(size / 100 / KiB) * KiB));

/** Block ids must all be the same length in one blob: base64 of a zero-padded counter. */
export const blockId = (index: number): string => btoa(`block-${String(index).padStart(6, '0')}`);

export const blockListXml = (ids: readonly string[]): string =>
  '<?xml version="1.0" encoding="utf-8"?><BlockList>' +
  ids.map((id) => `<Latest>${id}</Latest>`).join('') +
  '</BlockList>';

/** The Blob service's own message (`<Error><Code>…</Code><Message>…</Message></Error>`). */
async function blobError(response: Response): Promise<Error> {
  const xml = await response.text().catch(() => '');
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(xml)?.[1]?.trim();
  const code = /<Code>([\s\S]*?)<\/Code>/.exec(xml)?.[1]?.trim();
  return new Error(
    message
      ? `The blob endpoint refused the upload: ${message}${code ? ` (${code})` : ''}`
      : `The blob endpoint answered ${response.status} to the upload.`,
  );
}

/**
 * The SAS URL must be on this origin: the portal's policy (connect-src 'self') lets the browser
 * send the file nowhere else, and a token-less PUT elsewhere is not what the person asked for.
 */
export function checkSameOrigin(containerUrl: string): void {
  const origin = new URL(containerUrl, location.href).origin;
  if (origin !== location.origin) {
    throw new Error(
      `The upload URL the service gave (${origin}) is not this portal's origin (${location.origin}); the portal sends files only to its own origin.`,
    );
  }
}

async function putBlocks(
  containerUrl: string,
  sas: string,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  const blobUrl = `${containerUrl}/${encodeURIComponent(file.name)}${sas}`;
  const size = blockSizeFor(file.size);
  const ids: string[] = [];
  onProgress({ loaded: 0, total: file.size });
  for (let offset = 0, index = 0; offset < file.size || index === 0; offset += size, index++) {
    const id = blockId(index);
    const response = await fetch(`${blobUrl}&comp=block&blockid=${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'x-ms-version': BLOB_VERSION },
      body: file.slice(offset, offset + size),
      credentials: 'omit',
      signal,
    });
    if (!response.ok) throw await blobError(response);
    ids.push(id);
    onProgress({ loaded: Math.min(file.size, offset + size), total: file.size });
  }
  const committed = await fetch(`${blobUrl}&comp=blocklist`, {
    method: 'PUT',
    headers: {
      'x-ms-version': BLOB_VERSION,
      'x-ms-blob-content-type': file.type || 'application/octet-stream',
      'content-type': 'application/xml',
    },
    body: blockListXml(ids),
    credentials: 'omit',
    signal,
  });
  if (!committed.ok) throw await blobError(committed);
}

/** Uploads one file as a new asset named after it; `signal` cancels (UploadCanceled). */
export async function uploadFile(
  account: string,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<Asset> {
  const asset = await createAsset(account, file.name);
  let policyId: string | undefined;
  let locatorId: string | undefined;
  try {
    policyId = await createAccessPolicy(account, 'Portal upload', Permission.Write, 120);
    const locator = await createLocator(account, asset.id, policyId, LocatorType.Sas);
    locatorId = locator.id;
    checkSameOrigin(locator.baseUri);
    await putBlocks(locator.baseUri, locator.contentAccessComponent, file, onProgress, signal);
    if (signal.aborted) throw new UploadCanceled();
    await createFileInfos(account, asset.id);
    return asset;
  } catch (error) {
    await deleteAsset(account, asset.id).catch(() => undefined);
    if (signal.aborted) throw new UploadCanceled();
    throw error;
  } finally {
    if (locatorId) await deleteLocator(account, locatorId).catch(() => undefined);
    if (policyId) await deleteAccessPolicy(account, policyId).catch(() => undefined);
  }
}
