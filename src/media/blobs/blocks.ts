import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { BlobStoreErrorCode } from './blobStore.js';
import { BLOB_LIMITS, BlobStoreError } from './blobStore.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A block id as the service accepts it: canonical base64 of 1–64 bytes. Returns the bytes in hex,
 * the staged block's file name (hex keeps `/` and `+` away from the file system).
 */
export function checkBlockId(id: string, code: BlobStoreErrorCode): string {
  const bytes = BASE64.test(id) ? Buffer.from(id, 'base64') : undefined;
  if (!bytes || bytes.length === 0 || bytes.length > BLOB_LIMITS.blockIdBytes) {
    throw new BlobStoreError(
      code,
      code === 'InvalidBlockList'
        ? 'The specified block list is invalid.'
        : 'The specified block ID is invalid. The block ID must be Base64-encoded.',
    );
  }
  return bytes.toString('hex');
}

/** A byte range of a file: a staged block, or a committed block inside the current content. */
export interface Source {
  path: string;
  start: number;
  size: number;
}

/** The sources one after the other, each read as a stream (so a blob of 50,000 blocks is never in memory). */
export function concatSources(sources: readonly Source[]): Readable {
  return Readable.from(
    (async function* () {
      for (const source of sources) {
        if (source.size === 0) continue;
        yield* createReadStream(source.path, { start: source.start, end: source.start + source.size - 1 });
      }
    })(),
    { objectMode: false },
  );
}
