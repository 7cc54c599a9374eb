import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { packageDash } from './dash.js';
import { packageHlsFmp4, packageHlsTs } from './hls.js';
import type { PackageLayout, PackagingJob } from './packagingJob.js';
import type { PresentationSource } from './presentation.js';
import { loadPresentation } from './presentation.js';
import { ToolError } from './runTool.js';
import type { ServedFile } from './servedFile.js';
import { IMMUTABLE_CACHE, MANIFEST_CACHE, contentTypeOf, strongEtag } from './servedFile.js';
import { packageSmooth } from './smooth.js';
import type { PackageFormat, StreamingAsset } from './types.js';
import { StreamingError } from './types.js';

/** One packaged form of one presentation of one asset version, as requests see it. */
export interface Package {
  format: PackageFormat;
  tag: string;
  manifest: ServedFile;
  /** Sub-resources by their path under `<format>-<tag>/`. */
  files: ReadonlyMap<string, ServedFile>;
  /** Smooth fragments by `<bitrate>/<stream>/<time>`. */
  fragments: ReadonlyMap<string, ServedFile>;
}

export interface PackageStoreOptions {
  cacheDir: string;
  tools: () => Promise<FfmpegTools>;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** ffmpeg runs at once across all assets (the machine also encodes). */
  concurrency?: number;
  /** A failed packaging is answered from memory for this long before it may be tried again. */
  retryAfterMs?: number;
  /** Packages kept in memory; an evicted one is re-read from the cache directory. */
  maxEntries?: number;
}

interface Entry {
  promise: Promise<Package>;
  failedAt?: number;
}

interface PackageMetadata extends PackageLayout {
  format: PackageFormat;
  tag: string;
  createdAt: number;
}

const METADATA = '.package.json';
const PACKAGERS: Record<PackageFormat, (job: PackagingJob) => Promise<PackageLayout>> = {
  'hls-fmp4': packageHlsFmp4,
  'hls-ts': packageHlsTs,
  dash: packageDash,
  smooth: packageSmooth,
};

/**
 * A file-system-safe directory name: the value percent-encoded (`nb:cid:UUID:…` →
 * `nb%3Acid%3AUUID%3A…`, readable and injective), or a hash marked with `~` (which the encoded
 * form never contains) when that is too long or would start with a dot.
 */
export function safeSegment(value: string): string {
  const encoded = encodeURIComponent(value).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  if (encoded.length > 0 && encoded.length <= 120 && !encoded.startsWith('.')) return encoded;
  return `~${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/** The URL tag of an asset version's presentation: sub-resource URLs carry it, so they never go stale. */
export function packageTag(asset: StreamingAsset, source: PresentationSource): string {
  return createHash('sha256')
    .update(`${asset.assetKey}\0${asset.version}\0${source.key}`)
    .digest('hex')
    .slice(0, 12);
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** A counting semaphore: packaging jobs queue for a slot. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly slots: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((go) => this.waiting.push(go));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Packages on first use and serves from the cache afterwards. One promise per (asset, version,
 * format, presentation): concurrent first requests wait for the same work, and a package that
 * exists on disk (from an earlier run) is loaded instead of rebuilt. A package is built in a
 * temporary directory beside its final place and renamed into it, so a failure or a crash never
 * leaves a half package where requests look.
 */
export class PackageStore {
  private readonly entries = new Map<string, Entry>();
  private readonly limiter: Limiter;
  private readonly retryAfterMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: PackageStoreOptions) {
    this.limiter = new Limiter(options.concurrency ?? 2);
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  get(asset: StreamingAsset, source: PresentationSource, format: PackageFormat): Promise<Package> {
    const key = `${asset.assetKey}\0${asset.version}\0${format}\0${source.key}`;
    const existing = this.entries.get(key);
    if (existing && (existing.failedAt === undefined || Date.now() - existing.failedAt < this.retryAfterMs)) {
      // Most recently used last, so eviction takes the least recently used.
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing.promise;
    }
    const entry: Entry = { promise: this.obtain(asset, source, format) };
    entry.promise.catch(() => {
      entry.failedAt = Date.now();
    });
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry.promise;
  }

  private directories(asset: StreamingAsset, source: PresentationSource, format: PackageFormat) {
    const assetDir = join(this.options.cacheDir, safeSegment(asset.assetKey));
    const versionDir = join(assetDir, safeSegment(asset.version));
    const formatDir = join(versionDir, format);
    return { assetDir, versionDir, formatDir, finalDir: join(formatDir, safeSegment(source.key || '_all')) };
  }

  private async obtain(
    asset: StreamingAsset,
    source: PresentationSource,
    format: PackageFormat,
  ): Promise<Package> {
    const dirs = this.directories(asset, source, format);
    try {
      return await load(dirs.finalDir);
    } catch (error) {
      if (!isMissing(error)) throw this.failure(error, asset, format);
    }
    try {
      return await this.limiter.run(() => this.build(asset, source, format, dirs));
    } catch (error) {
      throw this.failure(error, asset, format);
    }
  }

  private async build(
    asset: StreamingAsset,
    source: PresentationSource,
    format: PackageFormat,
    dirs: ReturnType<PackageStore['directories']>,
  ): Promise<Package> {
    // While this waited for a slot, another process sharing the cache may have built it.
    try {
      return await load(dirs.finalDir);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const started = Date.now();
    await mkdir(dirs.formatDir, { recursive: true });
    await removeAbandonedWork(dirs.formatDir);
    const workDir = join(dirs.formatDir, `.tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(workDir);
    try {
      const tools = await this.options.tools();
      const presentation = await loadPresentation(asset, source, tools);
      const tag = packageTag(asset, source);
      const layout = await PACKAGERS[format]({
        presentation,
        tools,
        workDir,
        urlPrefix: `${format}-${tag}/`,
      });
      const metadata: PackageMetadata = { ...layout, format, tag, createdAt: Date.now() };
      await writeFile(join(workDir, METADATA), JSON.stringify(metadata));
      try {
        await rename(workDir, dirs.finalDir);
      } catch (error) {
        // Another process sharing the cache finished first: its package is as good as ours.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
      this.options.log?.info(
        { assetKey: asset.assetKey, version: asset.version, format, ms: Date.now() - started },
        'streaming: packaged',
      );
      await this.forgetOtherVersions(asset, dirs.assetDir, dirs.versionDir);
      return await load(dirs.finalDir);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Older versions of an asset are never served again: drop them from memory and disk. */
  private async forgetOtherVersions(
    asset: StreamingAsset,
    assetDir: string,
    versionDir: string,
  ): Promise<void> {
    const prefix = `${asset.assetKey}\0`;
    const current = `${prefix}${asset.version}\0`;
    for (const key of this.entries.keys()) {
      if (key.startsWith(prefix) && !key.startsWith(current)) this.entries.delete(key);
    }
    try {
      for (const name of await readdir(assetDir)) {
        const dir = join(assetDir, name);
        if (dir !== versionDir) await rm(dir, { recursive: true, force: true });
      }
    } catch {
      // Best effort: a leftover directory costs disk space, never correctness.
    }
  }

  /** The client-facing error for a failed packaging; the details go to the log. */
  private failure(error: unknown, asset: StreamingAsset, format: PackageFormat): StreamingError {
    if (error instanceof StreamingError) {
      this.options.log?.info(
        { assetKey: asset.assetKey, format, reason: error.message },
        'streaming: not packageable',
      );
      return error;
    }
    this.options.log?.error(
      {
        assetKey: asset.assetKey,
        version: asset.version,
        format,
        err: error,
        ...(error instanceof ToolError ? { stderr: error.detail } : {}),
      },
      'streaming: packaging failed',
    );
    return new StreamingError(500, 'Packaging the asset for streaming failed.');
  }
}

/** Longer than any packaging can run (ffmpeg runs time out sooner), so the owner is gone. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** Temporary directories a crashed process left beside the packages. */
async function removeAbandonedWork(formatDir: string): Promise<void> {
  for (const name of await readdir(formatDir)) {
    if (!name.startsWith('.tmp-')) continue;
    const dir = join(formatDir, name);
    try {
      if (Date.now() - (await stat(dir)).mtimeMs > ABANDONED_AFTER_MS)
        await rm(dir, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove: either way not this request's concern.
    }
  }
}

/** Reads a finished package directory into the maps requests are served from. */
async function load(dir: string): Promise<Package> {
  const metadata = JSON.parse(await readFile(join(dir, METADATA), 'utf8')) as PackageMetadata;
  const lastModified = new Date(metadata.createdAt).toUTCString();
  const { tag, format } = metadata;
  const isAudio = (rel: string): boolean => metadata.audioPrefixes.some((prefix) => rel.startsWith(prefix));
  const served = (
    rel: string,
    size: number,
    offset: number,
    contentType: string,
    cacheControl: string,
  ): ServedFile => ({
    path: join(dir, rel),
    offset,
    size,
    contentType,
    cacheControl,
    etag: strongEtag(tag, rel, offset, size),
    lastModified,
  });
  const manifestSize = (await stat(join(dir, metadata.manifest))).size;
  const manifest = served(metadata.manifest, manifestSize, 0, metadata.manifestType, MANIFEST_CACHE);
  const files = new Map<string, ServedFile>();
  const fragments = new Map<string, ServedFile>();
  if (metadata.fragments) {
    for (const f of metadata.fragments) {
      fragments.set(
        f.key,
        served(f.file, f.size, f.offset, f.audio ? 'audio/mp4' : 'video/mp4', IMMUTABLE_CACHE),
      );
    }
  } else {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const rel = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
      if (rel === METADATA || rel === metadata.manifest) continue;
      const size = (await stat(join(dir, rel))).size;
      let type = contentTypeOf(rel);
      if (type === 'video/mp4' && isAudio(rel)) type = 'audio/mp4';
      files.set(rel, served(rel, size, 0, type, IMMUTABLE_CACHE));
    }
  }
  return { format, tag, manifest, files, fragments };
}
