import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { strongEtag } from '../../streaming/servedFile.js';
import { guidOf } from '../../ids.js';
import type { IpAllowList } from '../liveIngest.js';
import type { LiveOutput, LivePipeline } from '../livePipeline.js';
import { dashManifest } from './dashManifest.js';
import { masterPlaylist, mediaPlaylist } from './hlsPlaylists.js';
import { windowEntries } from './liveView.js';

/**
 * Live output on every node. Only the node holding the live lease runs the pipeline, and its
 * channels' timelines live in its memory; the segments, though, are files in the media folder
 * every node shares. So the holder publishes, next to them, what its live origin would answer
 * for each output (a channel's preview, a recording program's asset): the playlists and MPD as
 * text and where each segment URL's file is. Any other node answers the same URLs from that
 * snapshot and the shared files, so a player may be sent to any node. The holder's term looks
 * every 250 ms: a snapshot is written when its output changed (a segment, a slate, a cue), and
 * at least every 2 s, so that one whose holder died shows as stale.
 */

/** What the holder serves, by the control plane's reference to it. */
export type LiveOutputRef =
  | { kind: 'preview'; account: string; channelId: string; previewAllow: IpAllowList }
  | { kind: 'program'; account: string; assetId: string };

/** Where the holder's term publishes its outputs (LiveTerm calls it every 250 ms while it holds the lease). */
export interface LiveOutputMirror {
  /** The outputs the pipeline serves now: each one's snapshot is written, the others' removed. */
  publish(outputs: readonly LiveOutputRef[]): Promise<void>;
  /** Removes every snapshot (a term's start, or a clean stop). */
  clear(): Promise<void>;
}

/**
 * A track of a mirrored output: its folder and the files that URLs below
 * `live/<run>/<track>/` name.
 */
export interface MirroredTrack {
  /** The track's folder: relative to the live folder in the file, absolute once read. */
  dir: string;
  audio: boolean;
  init?: { file: string; size: number; modified: number };
  /** `[number, media time, file name, size, end in epoch seconds]`, in order. */
  segments: Array<[number, number, string, number, number]>;
}

export interface MirroredOutput {
  /** The holder's clock, epoch ms. */
  writtenAt: number;
  manifestName: string | null;
  /** A preview's `Preview.AccessControl.IP.Allow`. */
  previewAllow?: IpAllowList;
  /** HLS master playlist; absent until the output has something to describe. */
  hls?: string;
  /** DASH MPD with `now` at the epoch (MIRROR_NOW): the serving node puts its own time in. */
  dash?: string;
  /** Media playlists by slot (`video_0`, `audio`). */
  playlists: Record<string, string>;
  /** By `<run>/<track>`, as in the URLs. */
  tracks: Record<string, MirroredTrack>;
}

/** A file a URL of a mirrored output names, with what its response needs. */
export interface MirroredFile {
  path: string;
  size: number;
  audio: boolean;
  etag: string;
  /** Epoch seconds. */
  modified: number;
}

/**
 * The file of `live/<run>/<track>/<init.mp4 | n.m4s | t<time>.m4s>`, with the validators the
 * holder's own origin sends (liveOrigin.ts), so a player's cache holds across nodes.
 */
export function mirroredFile(
  output: MirroredOutput,
  target: { run: string; track: string; init: boolean; number?: number; time?: number },
): MirroredFile | undefined {
  const track = output.tracks[`${target.run}/${target.track}`];
  if (!track) return undefined;
  if (target.init) {
    const init = track.init;
    if (!init) return undefined;
    return {
      path: join(track.dir, init.file),
      size: init.size,
      audio: track.audio,
      etag: strongEtag(target.run, target.track, 'init', init.size),
      modified: init.modified,
    };
  }
  const found = track.segments.find(([number, time]) =>
    target.number !== undefined ? number === target.number : time === target.time,
  );
  if (!found) return undefined;
  const [number, , file, size, end] = found;
  return {
    path: join(track.dir, file),
    size,
    audio: track.audio,
    etag: strongEtag(target.run, target.track, number, size),
    modified: end,
  };
}

/** Which snapshot: a channel's preview, or an asset a program records. */
export interface MirrorKey {
  kind: 'preview' | 'asset';
  account: string;
  guid: string;
}

/** A snapshot read: current, or stale (its holder stopped writing: the pipeline is moving). */
export type MirrorLookup = { kind: 'live'; output: MirroredOutput } | { kind: 'stale' };

/** The MPD's `now` in a snapshot, replaced when it is served. */
export const MIRROR_NOW = new Date(0).toISOString();

/** Unchanged snapshots are written again this often, so that readers can tell a dead holder. */
const REFRESH_MS = 2000;
/** A snapshot older than this (by the holder's clock against the reader's) is stale. */
const STALE_MS = 10_000;
/** Readers keep a snapshot this long before reading the file again. */
const READ_CACHE_MS = 200;

const folderName = (value: string): string => value.toLowerCase().replace(/[^a-z0-9-]/g, '_');

function fileOf(ref: LiveOutputRef): string | undefined {
  const guid = ref.kind === 'preview' ? guidOf(ref.channelId) : guidOf(ref.assetId);
  if (!guid) return undefined;
  return join(folderName(ref.account), `${ref.kind === 'preview' ? 'preview' : 'asset'}-${guid}.json`);
}

/** The holder's in-memory outputs, from Tessera's pipeline. */
export function pipelineOutput(
  pipeline: Pick<LivePipeline, 'preview' | 'liveAsset'>,
): (ref: LiveOutputRef) => LiveOutput | undefined {
  return (ref) => {
    if (ref.kind === 'preview') return pipeline.preview(ref.account, guidOf(ref.channelId) ?? ref.channelId);
    const guid = guidOf(ref.assetId);
    return guid === undefined ? undefined : pipeline.liveAsset(ref.account, guid);
  };
}

export interface LiveMirrorOptions {
  /**
   * The live pipeline's folder in the shared media folder. The snapshots go to its `.mirror`
   * (no account is named so); segment paths are kept relative to it, as nodes may mount the
   * share in different places.
   */
  liveRoot: string;
  /** The holder's in-memory output for a reference (the pipeline's preview or live asset). */
  outputOf(ref: LiveOutputRef): LiveOutput | undefined;
}

export class LiveMirror implements LiveOutputMirror {
  /** Snapshots this node wrote: what they were made from, and when. */
  private readonly written = new Map<string, { fingerprint: string; at: number }>();
  private readonly initSizes = new Map<string, { size: number; modified: number }>();
  private readonly cache = new Map<string, { at: number; value: MirrorLookup | undefined }>();
  private readonly dir: string;

  constructor(private readonly options: LiveMirrorOptions) {
    this.dir = join(options.liveRoot, '.mirror');
  }

  /**
   * Writes each output's snapshot when what it shows changed (cheaply told by a fingerprint of
   * the timeline), and every REFRESH_MS anyway; removes those of outputs no longer served.
   */
  async publish(outputs: readonly LiveOutputRef[]): Promise<void> {
    const now = Date.now();
    const current = new Set<string>();
    for (const ref of outputs) {
      const file = fileOf(ref);
      const output = this.options.outputOf(ref);
      if (!file || !output) continue;
      current.add(file);
      const last = this.written.get(file);
      const fingerprint = fingerprintOf(output);
      if (last && last.fingerprint === fingerprint && now - last.at < REFRESH_MS) continue;
      const text = JSON.stringify(await this.snapshot(output, ref));
      await this.write(file, `{"writtenAt":${now},${text.slice(1)}`);
      this.written.set(file, { fingerprint, at: now });
    }
    for (const file of this.written.keys()) {
      if (current.has(file)) continue;
      this.written.delete(file);
      await rm(join(this.dir, file), { force: true });
    }
  }

  async clear(): Promise<void> {
    this.written.clear();
    this.initSizes.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * A snapshot the holder published: a channel's preview (`guid`: the channel's) or the live
   * output of an asset a program records. `fresh`: read the file again whatever the cache holds
   * (a player asks for a segment that a newer snapshot than the cached one names).
   */
  lookup(key: MirrorKey, fresh = false): Promise<MirrorLookup | undefined> {
    return this.read(join(folderName(key.account), `${key.kind}-${folderName(key.guid)}.json`), fresh);
  }

  private async snapshot(output: LiveOutput, ref: LiveOutputRef): Promise<Omit<MirroredOutput, 'writtenAt'>> {
    const { source, view } = output;
    const playlists: Record<string, string> = {};
    const tracks: Record<string, MirroredTrack> = {};
    const epochSeconds = source.epochMs / 1000;
    for (const slot of source.timeline.slotNames) {
      const playlist = mediaPlaylist(source, slot, view);
      if (playlist !== undefined) playlists[slot] = playlist;
      for (const entry of windowEntries(source.timeline.entries(slot), view)) {
        const track = entry.track;
        const key = `${entry.span.run.id}/${track.plan.name}`;
        if (tracks[key]) continue;
        const init = track.init ? await this.initFile(track.init.path) : undefined;
        tracks[key] = {
          dir: this.relative(track.dir),
          audio: track.plan.kind === 'audio',
          ...(init && track.init ? { init: { file: relative(track.dir, track.init.path), ...init } } : {}),
          // Every segment the track still has, as the holder's origin finds them (not only the window's).
          segments: track.segments.map((segment) => [
            segment.number,
            segment.time,
            relative(track.dir, segment.path),
            segment.size,
            Math.floor(epochSeconds + segment.end),
          ]),
        };
      }
    }
    const hls = masterPlaylist(source);
    const dash = dashManifest(source, view, 0);
    return {
      manifestName: output.manifestName,
      ...(ref.kind === 'preview' ? { previewAllow: ref.previewAllow } : {}),
      ...(hls !== undefined ? { hls } : {}),
      ...(dash !== undefined ? { dash } : {}),
      playlists,
      tracks,
    };
  }

  /** An init segment's size and time: it never changes within a run, so it is read once. */
  private async initFile(path: string): Promise<{ size: number; modified: number } | undefined> {
    let known = this.initSizes.get(path);
    if (!known) {
      const found = await stat(path).catch(() => undefined);
      if (!found) return undefined;
      known = { size: found.size, modified: Math.floor(found.mtimeMs / 1000) };
      this.initSizes.set(path, known);
    }
    return known;
  }

  private relative(path: string): string {
    return relative(this.options.liveRoot, path).split(sep).join('/');
  }

  private async write(file: string, text: string): Promise<void> {
    const path = join(this.dir, file);
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, path);
  }

  private async read(file: string, fresh = false): Promise<MirrorLookup | undefined> {
    const now = Date.now();
    const cached = this.cache.get(file);
    if (!fresh && cached && now - cached.at < READ_CACHE_MS) return cached.value;
    const value = await this.load(file);
    this.cache.set(file, { at: Date.now(), value });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }

  private async load(file: string): Promise<MirrorLookup | undefined> {
    let parsed: MirroredOutput;
    try {
      parsed = JSON.parse(await readFile(join(this.dir, file), 'utf8')) as MirroredOutput;
    } catch {
      // None (no holder serves this output), or being replaced: the next read sees it.
      return undefined;
    }
    if (typeof parsed.writtenAt !== 'number' || typeof parsed.tracks !== 'object') return undefined;
    if (Date.now() - parsed.writtenAt > STALE_MS) return { kind: 'stale' };
    const root = resolve(this.options.liveRoot);
    const tracks: Record<string, MirroredTrack> = {};
    for (const [key, track] of Object.entries(parsed.tracks)) {
      const dir = resolve(root, track.dir);
      // Only files of the live folder are ever served: a folder below it, plain file names in it.
      if (isAbsolute(track.dir) || !dir.startsWith(root + sep)) continue;
      const plain = (file: string) => basename(file) === file && file !== '' && file !== '.' && file !== '..';
      const init = track.init && plain(track.init.file) ? track.init : undefined;
      tracks[key] = {
        dir,
        audio: track.audio === true,
        ...(init ? { init } : {}),
        segments: Array.isArray(track.segments) ? track.segments.filter(([, , file]) => plain(file)) : [],
      };
    }
    return { kind: 'live', output: { ...parsed, tracks } };
  }
}

/**
 * What an output's snapshot is made of, in a few numbers: the view, each slot's first and last
 * entries, the run the master playlist describes, the ad breaks. A change the fingerprint would
 * miss still reaches the snapshot at its next refresh.
 */
function fingerprintOf(output: LiveOutput): string {
  const { source, view } = output;
  const run = source.describingRun();
  const parts: unknown[] = [
    view.from,
    view.windowSeconds,
    source.targetDuration,
    run?.id,
    !!run?.audioTrack?.init,
  ];
  for (const slot of source.timeline.slotNames) {
    const entries = source.timeline.entries(slot);
    const last = entries.at(-1);
    parts.push(slot, entries.length, entries[0]?.segment.number, last?.segment.number, last?.span.id);
  }
  for (const adBreak of source.timeline.breaksBetween(-Infinity, Infinity)) {
    parts.push(adBreak.cueId, adBreak.start, adBreak.endedAt);
  }
  return JSON.stringify(parts);
}
