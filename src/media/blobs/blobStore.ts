import type { Readable } from 'node:stream';

/**
 * The storage behind asset containers. Media Services kept an asset's files as block blobs in the
 * container `asset-<guid>`; the blob endpoint, CreateFileInfos and the encoder all go through this
 * interface, so a shared folder or an object store can take the file system's place later.
 */

export interface BlobProperties {
  container: string;
  name: string;
  size: number;
  contentType: string;
  /** The ETag header value, quotes included: `"0x8D…"`. */
  etag: string;
  /** Epoch milliseconds. */
  lastModified: number;
  /** Base64 MD5 of the content, when known (computed on write, or what the client set). */
  contentMd5?: string;
  /** `x-ms-meta-*` pairs; names as the client sent them, lower-cased by HTTP. */
  metadata?: Readonly<Record<string, string>>;
}

/** One block of a blob's block list: its base64 id and its length in bytes. */
export interface BlockInfo {
  id: string;
  size: number;
}

/**
 * An entry of a Put Block List: a bare id means `Latest` (the uncommitted block of that id if
 * there is one, else the committed one), as the service resolves it.
 */
export type BlockListEntry = string | { id: string; from: 'latest' | 'committed' | 'uncommitted' };

export interface BlockLists {
  committed: BlockInfo[];
  uncommitted: BlockInfo[];
}

export interface WriteOptions {
  maxBytes: number;
  /** Base64 MD5 the body must hash to (the request's Content-MD5); a mismatch discards the write. */
  expectedMd5?: string;
}

export interface BlobContentOptions {
  contentType?: string;
  /** The blob's stored Content-MD5 when the client sets one (x-ms-blob-content-md5); else computed. */
  contentMd5?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** What Set Blob Properties / Set Blob Metadata change; an absent field keeps its value. */
export interface BlobChanges {
  contentType?: string;
  /** null clears it. */
  contentMd5?: string | null;
  metadata?: Readonly<Record<string, string>>;
}

export interface BlobStore {
  put(
    container: string,
    name: string,
    body: Readable,
    options: BlobContentOptions & WriteOptions,
  ): Promise<BlobProperties>;
  /** Stages a block (replacing a staged block of the same id); returns its size and base64 MD5. */
  putBlock(
    container: string,
    name: string,
    blockId: string,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ size: number; contentMd5: string }>;
  commitBlocks(
    container: string,
    name: string,
    blockIds: readonly BlockListEntry[],
    options: BlobContentOptions,
  ): Promise<BlobProperties>;
  /** The committed list of the blob and its staged blocks; undefined when it has neither. */
  blockLists(container: string, name: string): Promise<BlockLists | undefined>;
  stat(container: string, name: string): Promise<BlobProperties | undefined>;
  /** Changes properties or metadata in place (new ETag, same content); undefined when no blob. */
  update(container: string, name: string, changes: BlobChanges): Promise<BlobProperties | undefined>;
  /** `end` inclusive. The stream fails with BlobStoreError `BlobNotFound` when there is no blob. */
  read(container: string, name: string, range?: { start: number; end: number }): Readable;
  /** A path ffmpeg can open (the file itself for this backend). */
  localPath(container: string, name: string): Promise<string>;
  /** Committed blobs, sorted by name. A container never written to lists empty. */
  list(container: string): Promise<BlobProperties[]>;
  /** Removes the blob and its staged blocks; false when there was neither. */
  delete(container: string, name: string): Promise<boolean>;
  deleteContainer(container: string): Promise<void>;
  /** Writes a whole file produced locally (encoder outputs) into a container, by move when possible. */
  adopt(container: string, name: string, localFile: string, contentType?: string): Promise<BlobProperties>;
}

/** Limits of the Blob service (block blobs, service versions 2016-05-31 to 2019-07-07). */
export const BLOB_LIMITS = {
  /** Longest blob name, in characters. */
  nameLength: 1024,
  /** Blocks in one committed block list. */
  committedBlocks: 50_000,
  /** Staged blocks per blob (the service's 100,000 uncommitted blocks). */
  uncommittedBlocks: 100_000,
  /** Longest block id, before base64. */
  blockIdBytes: 64,
} as const;

export type BlobStoreErrorCode =
  | 'InvalidResourceName'
  | 'OutOfRangeInput'
  | 'RequestBodyTooLarge'
  | 'Md5Mismatch'
  | 'InvalidBlockId'
  | 'InvalidBlobOrBlock'
  | 'InvalidBlockList'
  | 'BlockListTooLong'
  | 'BlockCountExceedsLimit'
  | 'BlobNotFound';

/** A refusal the caller caused; the HTTP layer maps each code to the Blob service's error. */
export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
  constructor(
    readonly code: BlobStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
