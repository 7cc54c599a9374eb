import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  BlobChanges,
  BlobContentOptions,
  BlobProperties,
  BlobStore,
  BlockInfo,
  BlockListEntry,
  BlockLists,
  WriteOptions,
} from './blobStore.js';
import { BLOB_LIMITS, BlobStoreError } from './blobStore.js';
import { checkBlockId, concatSources, type Source } from './blocks.js';
import {
  TEMP_PREFIX,
  hashFile,
  isMissing,
  syncDir,
  syncFile,
  tempName,
  writeFileAtomic,
  writeNewFile,
} from './files.js';
import type { Written } from './files.js';
import { KeyedLock } from './keyedLock.js';
import { checkBlobName, checkContainerName, encodeBlobName } from './names.js';

/**
 * Blobs as files. One folder per container:
 *
 * ```
 * <root>/<container>/<encoded name>              the blob's record (JSON): properties + content version
 * <root>/<container>/.data/<version>.<encoded>   its content, never modified once written
 * <root>/<container>/.data/<version>~blocks      the committed block list of content made by Put Block List
 * <root>/<container>/.blocks/<encoded>/<hex id>  staged (uncommitted) blocks
 * .tmp-* files in those folders                  writes in flight; .trash-* in <root>: containers being removed
 * ```
 *
 * The record is the commit point: content is written and fsynced under a temp name, renamed to its
 * version's name, and only then does an atomic record swap make it the blob. A crash at any step
 * leaves the old blob or the new one; what it leaves unreferenced, `recover()` removes. Because a
 * version's file never changes, a reader (or ffmpeg) that opened it keeps a consistent view while
 * the blob is overwritten. One process owns a root: commits for a blob are serialized in memory.
 */

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Staged blocks nobody committed are dropped a week after the last upload, as the service does. */
const STAGED_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/**
 * Half-written files (temporary files, content whose record is not written yet) are removed at
 * start-up only when nothing has written them for this long: another process on the same folder
 * (another node sharing it, the CLI) may be writing them right now.
 */
export const IN_FLIGHT_GRACE_MS = 15 * 60 * 1000;
const TRASH_PREFIX = '.trash-';

interface BlobRecord {
  name: string;
  version: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: number;
  contentMd5?: string;
  metadata?: Record<string, string>;
  /** Blocks in the committed list (0 for Put Blob content) and their ids' base64 length. */
  blockCount: number;
  blockIdLength?: number;
}

/** Where one blob's files live. */
interface BlobPaths {
  dir: string;
  encoded: string;
  record: string;
  dataDir: string;
  stagedDir: string;
  data: (version: string) => string;
  blockList: (version: string) => string;
  /** The blob's lock and staged-cache key. */
  key: string;
}

/** A blob's staged blocks, by hex id: their sizes. Loaded from disk on first use. */
type Staged = Map<string, number>;

export interface RecoveryReport {
  tempFiles: number;
  unreferencedContent: number;
  stagedBlobsDiscarded: number;
  containersRemoved: number;
}

const newVersion = (): string => randomBytes(8).toString('hex');
const newEtag = (): string => `"0x8D${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}"`;
function newRecord(
  name: string,
  version: string,
  written: Written,
  options: BlobContentOptions,
  blocks: readonly BlockInfo[],
): BlobRecord {
  const record: BlobRecord = {
    name,
    version,
    size: written.size,
    contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
    etag: newEtag(),
    lastModified: Date.now(),
    contentMd5: options.contentMd5 ?? written.md5,
    blockCount: blocks.length,
  };
  const first = blocks[0];
  if (first) record.blockIdLength = first.id.length;
  if (options.metadata && Object.keys(options.metadata).length > 0) record.metadata = { ...options.metadata };
  return record;
}

/** Why a block may not be staged next to `staged`, if it may not. */
function stagingRefusal(
  staged: Staged,
  hex: string,
  blockId: string,
  record: BlobRecord | undefined,
): BlobStoreError | undefined {
  // The service wants one id length per blob, staged and committed alike.
  const committedLength = record?.blockIdLength;
  const stagedLength = staged.keys().next().value?.length;
  if (
    (stagedLength !== undefined && stagedLength !== hex.length) ||
    (committedLength !== undefined && committedLength !== blockId.length)
  ) {
    return new BlobStoreError('InvalidBlobOrBlock', 'The specified blob or block content is invalid.');
  }
  if (!staged.has(hex) && staged.size >= BLOB_LIMITS.uncommittedBlocks) {
    return new BlobStoreError(
      'BlockCountExceedsLimit',
      'The uncommitted block count cannot exceed the maximum limit of 100,000 blocks.',
    );
  }
  return undefined;
}

const notFound = (): BlobStoreError =>
  new BlobStoreError('BlobNotFound', 'The specified blob does not exist.');

export class FileBlobStore implements BlobStore {
  private readonly locks = new KeyedLock();
  private readonly staged = new Map<string, Staged>();

  constructor(readonly rootDir: string) {}

  // ---- paths -------------------------------------------------------------------------------

  private containerDir(container: string): string {
    checkContainerName(container);
    return join(this.rootDir, container);
  }

  private blobPaths(container: string, name: string): BlobPaths {
    checkBlobName(name);
    const dir = this.containerDir(container);
    const encoded = encodeBlobName(name);
    return {
      dir,
      encoded,
      record: join(dir, encoded),
      dataDir: join(dir, '.data'),
      stagedDir: join(dir, '.blocks', encoded),
      data: (version: string) => join(dir, '.data', `${version}.${encoded}`),
      blockList: (version: string) => join(dir, '.data', `${version}~blocks`),
      key: `${container}/${encoded}`,
    };
  }

  // ---- records -----------------------------------------------------------------------------

  private async readRecord(path: string): Promise<BlobRecord | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as BlobRecord;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private properties(container: string, record: BlobRecord): BlobProperties {
    const props: BlobProperties = {
      container,
      name: record.name,
      size: record.size,
      contentType: record.contentType,
      etag: record.etag,
      lastModified: record.lastModified,
    };
    if (record.contentMd5 !== undefined) props.contentMd5 = record.contentMd5;
    if (record.metadata !== undefined) props.metadata = record.metadata;
    return props;
  }

  /**
   * Makes `record` the blob (under the blob's lock) and removes what it replaced: the previous
   * content and, as the service does on any commit, the blob's staged blocks.
   */
  private async commit(
    paths: BlobPaths,
    record: BlobRecord,
    previous: BlobRecord | undefined,
  ): Promise<void> {
    await writeFileAtomic(paths.dir, paths.encoded, JSON.stringify(record));
    if (previous && previous.version !== record.version) await this.removeContent(paths, previous);
    await this.discardStaged(paths);
  }

  private async removeContent(paths: BlobPaths, record: BlobRecord) {
    await rm(paths.data(record.version), { force: true });
    if (record.blockCount > 0) await rm(paths.blockList(record.version), { force: true });
  }

  private async discardStaged(paths: BlobPaths): Promise<boolean> {
    // Whatever this process knows, another process sharing the folder may have staged blocks.
    this.staged.delete(paths.key);
    try {
      await rm(paths.stagedDir, { recursive: true });
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /**
   * The blob's staged blocks: remembered from this process's last look, or (`fresh`) read from
   * disk. The folder may be shared (nodes behind a load balancer stage the blocks of one upload
   * on different nodes), so what is remembered may lack blocks staged or hold blocks discarded
   * elsewhere: it serves only to let a valid upload through quickly, and a refusal or a commit
   * reads the disk.
   */
  private async loadStaged(paths: BlobPaths, fresh = false): Promise<Staged> {
    const cached = fresh ? undefined : this.staged.get(paths.key);
    if (cached) return cached;
    const staged: Staged = new Map();
    let entries: string[] = [];
    try {
      entries = await readdir(paths.stagedDir);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      staged.set(entry, (await stat(join(paths.stagedDir, entry))).size);
    }
    this.staged.set(paths.key, staged);
    return staged;
  }

  private async readCommittedList(paths: BlobPaths, record: BlobRecord | undefined): Promise<BlockInfo[]> {
    if (!record || record.blockCount === 0) return [];
    return JSON.parse(await readFile(paths.blockList(record.version), 'utf8')) as BlockInfo[];
  }

  // ---- writes ------------------------------------------------------------------------------

  async put(
    container: string,
    name: string,
    body: Readable,
    options: BlobContentOptions & WriteOptions,
  ): Promise<BlobProperties> {
    const paths = this.blobPaths(container, name);
    await mkdir(paths.dataDir, { recursive: true });
    const temp = join(paths.dataDir, tempName());
    const written = await writeNewFile(temp, body, options);
    return this.install(container, name, paths, temp, written, options);
  }

  /** Gives a written temp file its version's name and commits a record for it. */
  private async install(
    container: string,
    name: string,
    paths: BlobPaths,
    temp: string,
    written: Written,
    options: BlobContentOptions,
  ): Promise<BlobProperties> {
    const version = newVersion();
    try {
      await rename(temp, paths.data(version));
      await syncDir(paths.dataDir);
    } catch (error) {
      await rm(temp, { force: true });
      await rm(paths.data(version), { force: true });
      throw error;
    }
    const record = newRecord(name, version, written, options, []);
    await this.locks.run(paths.key, async () =>
      this.swap(paths, record, await this.readRecord(paths.record)),
    );
    return this.properties(container, record);
  }

  /** `commit`, and when it fails, removal of the new content unless the swap happened after all. */
  private async swap(paths: BlobPaths, record: BlobRecord, previous: BlobRecord | undefined): Promise<void> {
    try {
      await this.commit(paths, record, previous);
    } catch (error) {
      const now = await this.readRecord(paths.record).catch(() => undefined);
      if (now?.version !== record.version) await this.removeContent(paths, record);
      throw error;
    }
  }

  async putBlock(
    container: string,
    name: string,
    blockId: string,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ size: number; contentMd5: string }> {
    const paths = this.blobPaths(container, name);
    const hex = checkBlockId(blockId, 'InvalidBlockId');
    // In the container's folder, not the staged one: a commit removes that folder, even mid-upload.
    await mkdir(paths.dir, { recursive: true });
    const temp = join(paths.dir, tempName());
    const written = await writeNewFile(temp, body, options);
    try {
      await this.locks.run(paths.key, async () => {
        const record = await this.readRecord(paths.record);
        let staged = await this.loadStaged(paths);
        let refusal = stagingRefusal(staged, hex, blockId, record);
        if (refusal) {
          staged = await this.loadStaged(paths, true);
          refusal = stagingRefusal(staged, hex, blockId, record);
        }
        if (refusal) throw refusal;
        await mkdir(paths.stagedDir, { recursive: true });
        await rename(temp, join(paths.stagedDir, hex));
        await syncDir(paths.stagedDir);
        staged.set(hex, written.size);
        this.staged.set(paths.key, staged);
      });
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { size: written.size, contentMd5: written.md5 };
  }

  async commitBlocks(
    container: string,
    name: string,
    blockIds: readonly BlockListEntry[],
    options: BlobContentOptions,
  ): Promise<BlobProperties> {
    const paths = this.blobPaths(container, name);
    if (blockIds.length > BLOB_LIMITS.committedBlocks) {
      throw new BlobStoreError('BlockListTooLong', 'The block list may not contain more than 50,000 blocks.');
    }
    const entries = blockIds.map((entry) =>
      typeof entry === 'string' ? { id: entry, from: 'latest' } : entry,
    );
    for (const entry of entries) checkBlockId(entry.id, 'InvalidBlockList');
    await mkdir(paths.dataDir, { recursive: true });
    // Held through assembly: a block staged meanwhile must not change what is being read.
    return this.locks.run(paths.key, async () => {
      const previous = await this.readRecord(paths.record);
      const staged = await this.loadStaged(paths, true);
      const committed = new Map<string, { offset: number; size: number }>();
      let offset = 0;
      for (const block of await this.readCommittedList(paths, previous)) {
        if (!committed.has(block.id)) committed.set(block.id, { offset, size: block.size });
        offset += block.size;
      }
      const sources: Source[] = [];
      const list: BlockInfo[] = [];
      for (const entry of entries) {
        const hex = Buffer.from(entry.id, 'base64').toString('hex');
        const stagedSize = entry.from === 'committed' ? undefined : staged.get(hex);
        const fromCommitted = entry.from === 'uncommitted' ? undefined : committed.get(entry.id);
        if (stagedSize !== undefined) {
          sources.push({ path: join(paths.stagedDir, hex), start: 0, size: stagedSize });
          list.push({ id: entry.id, size: stagedSize });
        } else if (fromCommitted !== undefined && previous) {
          sources.push({
            path: paths.data(previous.version),
            start: fromCommitted.offset,
            size: fromCommitted.size,
          });
          list.push({ id: entry.id, size: fromCommitted.size });
        } else {
          throw new BlobStoreError('InvalidBlockList', 'The specified block list is invalid.');
        }
      }
      const ids = new Set(list.map((b) => b.id.length));
      if (ids.size > 1) throw new BlobStoreError('InvalidBlockList', 'The specified block list is invalid.');
      const version = newVersion();
      const temp = join(paths.dataDir, tempName());
      const written = await writeNewFile(temp, concatSources(sources), {
        maxBytes: Number.POSITIVE_INFINITY,
      });
      try {
        await rename(temp, paths.data(version));
        if (list.length > 0) await writeFileAtomic(paths.dataDir, `${version}~blocks`, JSON.stringify(list));
        else await syncDir(paths.dataDir);
      } catch (error) {
        await rm(temp, { force: true });
        await rm(paths.data(version), { force: true });
        await rm(paths.blockList(version), { force: true });
        throw error;
      }
      const record = newRecord(name, version, written, options, list);
      await this.swap(paths, record, previous);
      return this.properties(container, record);
    });
  }

  async update(container: string, name: string, changes: BlobChanges): Promise<BlobProperties | undefined> {
    const paths = this.blobPaths(container, name);
    return this.locks.run(paths.key, async () => {
      const record = await this.readRecord(paths.record);
      if (!record) return undefined;
      const next: BlobRecord = { ...record, etag: newEtag(), lastModified: Date.now() };
      if (changes.contentType !== undefined) next.contentType = changes.contentType;
      if (changes.contentMd5 === null) delete next.contentMd5;
      else if (changes.contentMd5 !== undefined) next.contentMd5 = changes.contentMd5;
      if (changes.metadata !== undefined) {
        if (Object.keys(changes.metadata).length > 0) next.metadata = { ...changes.metadata };
        else delete next.metadata;
      }
      await writeFileAtomic(paths.dir, paths.encoded, JSON.stringify(next));
      return this.properties(container, next);
    });
  }

  async adopt(
    container: string,
    name: string,
    localFile: string,
    contentType?: string,
  ): Promise<BlobProperties> {
    const paths = this.blobPaths(container, name);
    await mkdir(paths.dataDir, { recursive: true });
    const temp = join(paths.dataDir, tempName());
    try {
      await rename(localFile, temp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(localFile, temp);
      await unlink(localFile).catch(() => undefined);
    }
    let written: Written;
    try {
      // The fsync makes the moved (or copied) bytes durable before a record names them.
      written = await hashFile(temp);
      await syncFile(temp);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return this.install(container, name, paths, temp, written, contentType ? { contentType } : {});
  }

  // ---- reads -------------------------------------------------------------------------------

  async stat(container: string, name: string): Promise<BlobProperties | undefined> {
    const paths = this.blobPaths(container, name);
    const record = await this.readRecord(paths.record);
    return record && this.properties(container, record);
  }

  async blockLists(container: string, name: string): Promise<BlockLists | undefined> {
    const paths = this.blobPaths(container, name);
    return this.locks.run(paths.key, async () => {
      const record = await this.readRecord(paths.record);
      const staged = await this.loadStaged(paths, true);
      if (!record && staged.size === 0) return undefined;
      const uncommitted = [...staged].map(([hex, size]) => ({
        id: Buffer.from(hex, 'hex').toString('base64'),
        size,
      }));
      return { committed: await this.readCommittedList(paths, record), uncommitted };
    });
  }

  /**
   * Opens the content the record names. An overwrite between reading the record and opening its
   * file removes that file; the record is then read again.
   */
  private async openContent(container: string, name: string): Promise<FileHandle> {
    const paths = this.blobPaths(container, name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await this.readRecord(paths.record);
      if (!record) throw notFound();
      try {
        return await open(paths.data(record.version), 'r');
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    throw notFound();
  }

  read(container: string, name: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough();
    this.openContent(container, name).then(
      (handle) => {
        if (out.destroyed) {
          void handle.close();
          return;
        }
        const source = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
        pipeline(source, out).catch(() => undefined);
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  async localPath(container: string, name: string): Promise<string> {
    const paths = this.blobPaths(container, name);
    const record = await this.readRecord(paths.record);
    if (!record) throw notFound();
    return paths.data(record.version);
  }

  async list(container: string): Promise<BlobProperties[]> {
    const dir = this.containerDir(container);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const blobs: BlobProperties[] = [];
    const names = entries.filter((entry) => !entry.startsWith('.'));
    // In slices: a container of thousands of blobs must not open thousands of files at once.
    for (let i = 0; i < names.length; i += 64) {
      const records = await Promise.all(names.slice(i, i + 64).map((n) => this.readRecord(join(dir, n))));
      for (const record of records) if (record) blobs.push(this.properties(container, record));
    }
    return blobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- deletes -----------------------------------------------------------------------------

  async delete(container: string, name: string): Promise<boolean> {
    const paths = this.blobPaths(container, name);
    return this.locks.run(paths.key, async () => {
      const record = await this.readRecord(paths.record);
      if (record) {
        await unlink(paths.record);
        await syncDir(paths.dir);
        await this.removeContent(paths, record);
      }
      const hadStaged = await this.discardStaged(paths);
      return record !== undefined || hadStaged;
    });
  }

  async deleteContainer(container: string): Promise<void> {
    const dir = this.containerDir(container);
    const trash = join(this.rootDir, `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      // The rename makes the whole container vanish at once; the removal can then take its time.
      await rename(dir, trash);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const key of this.staged.keys()) if (key.startsWith(`${container}/`)) this.staged.delete(key);
    await syncDir(this.rootDir);
    await rm(trash, { recursive: true, force: true });
  }

  // ---- start-up ----------------------------------------------------------------------------

  /**
   * Run once at start-up, before serving: removes temp files of interrupted writes, content no
   * record names (a crash between the content's rename and the record swap, or before the old
   * content's removal), staged blocks a week after their last upload or older than the blob's last
   * commit (a crash before the commit discarded them), and containers whose removal was cut short.
   * Temp files and unreferenced content go only once nothing has written them for
   * IN_FLIGHT_GRACE_MS: the folder may be shared with processes that are writing them now.
   */
  async recover(now = Date.now()): Promise<RecoveryReport> {
    const report: RecoveryReport = {
      tempFiles: 0,
      unreferencedContent: 0,
      stagedBlobsDiscarded: 0,
      containersRemoved: 0,
    };
    await mkdir(this.rootDir, { recursive: true });
    this.staged.clear();
    for (const entry of await readdir(this.rootDir, { withFileTypes: true })) {
      if (entry.name.startsWith(TRASH_PREFIX)) {
        await rm(join(this.rootDir, entry.name), { recursive: true, force: true });
        report.containersRemoved++;
      } else if (entry.isDirectory() && !entry.name.startsWith('.')) {
        await this.recoverContainer(join(this.rootDir, entry.name), now, report);
      }
    }
    return report;
  }

  private async recoverContainer(dir: string, now: number, report: RecoveryReport): Promise<void> {
    const records = new Map<string, BlobRecord>();
    const abandoned = async (path: string) => {
      const written = await mtimeOf(path);
      return written !== undefined && now - written > IN_FLIGHT_GRACE_MS;
    };
    for (const entry of await readdir(dir)) {
      if (entry.startsWith(TEMP_PREFIX)) {
        if (!(await abandoned(join(dir, entry)))) continue;
        await rm(join(dir, entry), { force: true });
        report.tempFiles++;
      } else if (!entry.startsWith('.')) {
        const record = await this.readRecord(join(dir, entry));
        if (record) records.set(entry, record);
      }
    }
    const referenced = new Set<string>();
    for (const [encoded, record] of records) {
      referenced.add(`${record.version}.${encoded}`);
      if (record.blockCount > 0) referenced.add(`${record.version}~blocks`);
    }
    for (const entry of await readdirIfAny(join(dir, '.data'))) {
      // Content is written before the record naming it: unreferenced may mean not yet referenced.
      if (referenced.has(entry) || !(await abandoned(join(dir, '.data', entry)))) continue;
      await rm(join(dir, '.data', entry), { force: true });
      if (entry.startsWith(TEMP_PREFIX)) report.tempFiles++;
      else report.unreferencedContent++;
    }
    for (const encoded of await readdirIfAny(join(dir, '.blocks'))) {
      const stagedDir = join(dir, '.blocks', encoded);
      let newest = 0;
      for (const entry of await readdirIfAny(stagedDir)) {
        const path = join(stagedDir, entry);
        if (entry.startsWith(TEMP_PREFIX)) {
          if (!(await abandoned(path))) continue;
          await rm(path, { force: true });
          report.tempFiles++;
        } else {
          newest = Math.max(newest, (await stat(path)).mtimeMs);
        }
      }
      const committedAfter = (records.get(encoded)?.lastModified ?? 0) >= newest;
      if (newest === 0 || now - newest > STAGED_LIFETIME_MS || committedAfter) {
        await rm(stagedDir, { recursive: true, force: true });
        if (newest !== 0) report.stagedBlobsDiscarded++;
      }
    }
  }
}

/** A file's last write; undefined when it is gone (another process removed it meanwhile). */
async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function readdirIfAny(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}
