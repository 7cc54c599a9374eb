import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, TransformCallback } from 'node:stream';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobStoreError } from './blobStore.js';

/**
 * The file-system steps every write of the store is made of: content goes to a temp file that is
 * fsynced before a rename makes it visible, and the folder is fsynced after, so a crash leaves
 * either the old state or the new one, never a part.
 */

/** Temp files start with this; recovery removes any it finds. */
export const TEMP_PREFIX = '.tmp-';

export const tempName = (): string => `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`;

/** Counts and hashes what passes, and fails the stream past `maxBytes`. */
class Meter extends Transform {
  private readonly md5 = createHash('md5');
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(
        new BlobStoreError(
          'RequestBodyTooLarge',
          'The request body is too large and exceeds the maximum permissible limit.',
        ),
      );
      return;
    }
    this.md5.update(chunk);
    done(null, chunk);
  }
  digest(): string {
    return this.md5.digest('base64');
  }
}

/** What the sink may hold while a write is in flight: the chunks that arrive meanwhile go out in one writev. */
const SINK_BUFFER = 1024 * 1024;
/** Dirty bytes after which the sink starts flushing them in the background (see FileSink). */
const SYNC_EVERY = 8 * 1024 * 1024;

/**
 * Writes into an open file and fsyncs it before finishing; the caller closes the handle. Chunks
 * that arrive while a write is in flight are written together (writev): a request body comes in
 * TLS-record-sized pieces, and one thread-pool round trip each would leave the disk idle between
 * them. Every SYNC_EVERY bytes a datasync starts without being waited for, so that the kernel
 * writes the content back while the rest of the body arrives and the closing fsync has little
 * left to do; its failure fails the write at the end.
 */
class FileSink extends Writable {
  private unsynced = 0;
  private flushing: Promise<void> | undefined;
  private flushError: unknown;

  constructor(private readonly handle: FileHandle) {
    super({ highWaterMark: SINK_BUFFER });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => done(), done);
  }
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    done: (error?: Error | null) => void,
  ): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => done(), done);
  }
  override _final(done: (error?: Error | null) => void): void {
    this.finish().then(() => done(), done);
  }
  private async finish(): Promise<void> {
    await this.flushing;
    if (this.flushError !== undefined) throw this.flushError;
    await this.handle.sync();
  }
  private async writeAll(buffers: Buffer[]): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    let { bytesWritten } = await this.handle.writev(buffers);
    // A short write (rare for files): the rest, a buffer at a time.
    if (bytesWritten < total) {
      let skip = bytesWritten;
      for (const buffer of buffers) {
        if (skip >= buffer.length) {
          skip -= buffer.length;
          continue;
        }
        let offset = skip;
        skip = 0;
        while (offset < buffer.length) {
          ({ bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset));
          offset += bytesWritten;
        }
      }
    }
    this.unsynced += total;
    if (this.unsynced >= SYNC_EVERY && this.flushing === undefined) {
      this.unsynced = 0;
      this.flushing = this.handle.datasync().then(
        () => {
          this.flushing = undefined;
        },
        (error: unknown) => {
          this.flushing = undefined;
          this.flushError ??= error;
        },
      );
    }
  }
}

export interface Written {
  size: number;
  /** Base64 MD5 of what was written. */
  md5: string;
}

/**
 * Streams `body` into a new file at `path` (which must not exist) and fsyncs it. On any failure
 * (limit, MD5 mismatch, a source that errors or is aborted) the file is removed before the error
 * is rethrown. Backpressure is the pipeline's: memory stays at a few chunks whatever the size.
 */
export async function writeNewFile(
  path: string,
  body: Readable,
  options: { maxBytes: number; expectedMd5?: string },
): Promise<Written> {
  const handle = await open(path, 'wx', 0o600);
  try {
    const meter = new Meter(options.maxBytes);
    await pipeline(body, meter, new FileSink(handle));
    const md5 = meter.digest();
    if (options.expectedMd5 !== undefined && options.expectedMd5 !== md5) {
      throw new BlobStoreError(
        'Md5Mismatch',
        'The MD5 value specified in the request did not match with the MD5 value calculated by the server.',
      );
    }
    await handle.close();
    return { size: meter.bytes, md5 };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
}

/** Size and base64 MD5 of a file, read once as a stream. */
export async function hashFile(path: string): Promise<Written> {
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    size += chunk.length;
  }
  return { size, md5: md5.digest('base64') };
}

export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a folder's entries (a rename, an unlink) durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `dir/name` with `content` all at once: temp file, fsync, rename, fsync the folder. */
export async function writeFileAtomic(dir: string, name: string, content: string): Promise<void> {
  const temp = join(dir, tempName());
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(temp, join(dir, name));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

export const isMissing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
