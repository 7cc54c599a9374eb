import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InitInfo } from './segmentFile.js';
import { readInit, readSegmentTiming } from './segmentFile.js';
import type { TrackPlan } from './segmenterArgs.js';

/**
 * A run: what one ffmpeg wrote for a channel — a publisher's session, or a slate. Its media
 * time starts near zero; the channel places it on its own timeline at `offset` (channel
 * seconds), so a segment's channel time is `offset + tfdt / timescale`. Runs learn about new
 * segments by reading the playlists ffmpeg rewrites after each one (a segment listed there is
 * complete), then read each new segment's real time from its movie fragment.
 */

export interface LiveSegment {
  number: number;
  path: string;
  size: number;
  /** Media time and duration, in the track's timescale. */
  time: number;
  duration: number;
  /** Channel seconds. */
  start: number;
  end: number;
}

export interface RunTrack {
  plan: TrackPlan;
  dir: string;
  init: { path: string; info: InitInfo } | undefined;
  /** The init segment could not be read: the track is not shown (reported once). */
  initFailed: boolean;
  segments: LiveSegment[];
  lastNumber: number;
  /** Bits per second of the largest segment so far (manifests' peak bandwidth). */
  peakBitrate: number;
}

export type RunKind = 'live' | 'slate';

export interface ScanResult {
  found: Array<{ track: RunTrack; segment: LiveSegment }>;
  /** Files that could not be read (skipped). */
  problems: string[];
}

const SEGMENT_NAME = /^seg_(\d{1,9})\.m4s$/;
const MAP_URI = /^#EXT-X-MAP:URI="([^"/\\]+)"/;
/** ffmpeg's first segments may be shorter; a bitrate from a sliver would be meaningless. */
const MIN_SECONDS_FOR_PEAK = 0.5;

export class Run {
  readonly tracks: RunTrack[];
  ended = false;
  private scanning: Promise<ScanResult> | undefined;

  constructor(
    readonly id: string,
    readonly kind: RunKind,
    readonly dir: string,
    /** Channel seconds at the run's media time zero. */
    readonly offset: number,
    plans: readonly TrackPlan[],
  ) {
    this.tracks = plans.map((plan) => ({
      plan,
      dir: join(dir, plan.name),
      init: undefined,
      initFailed: false,
      segments: [],
      lastNumber: -1,
      peakBitrate: 0,
    }));
  }

  track(name: string): RunTrack | undefined {
    return this.tracks.find((t) => t.plan.name === name);
  }

  get videoTracks(): RunTrack[] {
    return this.tracks.filter((t) => t.plan.kind === 'video');
  }

  get audioTrack(): RunTrack | undefined {
    return this.tracks.find((t) => t.plan.kind === 'audio');
  }

  /** Channel seconds where the run's last known segment (of any track) ends; its offset before. */
  get end(): number {
    let end = this.offset;
    for (const track of this.tracks) end = Math.max(end, track.segments.at(-1)?.end ?? end);
    return end;
  }

  /**
   * Reads ffmpeg's playlists: the segments that appeared since the last scan, per track in order,
   * and what could not be read (each reported once). A scan already under way is waited for, and
   * its segments are not reported twice.
   */
  async scan(): Promise<ScanResult> {
    if (this.scanning) {
      await this.scanning;
      return { found: [], problems: [] };
    }
    this.scanning = this.readPlaylists();
    try {
      return await this.scanning;
    } finally {
      this.scanning = undefined;
    }
  }

  private async readPlaylists(): Promise<ScanResult> {
    const found: ScanResult['found'] = [];
    const problems: string[] = [];
    for (const track of this.tracks) {
      let text: string;
      try {
        text = await readFile(join(track.dir, 'index.m3u8'), 'utf8');
      } catch {
        continue; // not written yet
      }
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        const map = MAP_URI.exec(trimmed);
        if (map && !track.init && !track.initFailed) {
          const path = join(track.dir, map[1]!);
          try {
            track.init = { path, info: await readInit(path) };
          } catch (error) {
            track.initFailed = true;
            problems.push(`${track.plan.name}/${map[1]}: ${(error as Error).message}`);
          }
          continue;
        }
        const name = SEGMENT_NAME.exec(trimmed);
        if (!name || !track.init) continue;
        const number = Number(name[1]);
        if (number <= track.lastNumber) continue;
        const path = join(track.dir, trimmed);
        const { timescale, defaultSampleDuration } = track.init.info;
        let timing: Awaited<ReturnType<typeof readSegmentTiming>>;
        try {
          timing = await readSegmentTiming(path, defaultSampleDuration);
        } catch (error) {
          // Skipped for good: a player would fail on it too.
          track.lastNumber = number;
          problems.push(`${track.plan.name}/${trimmed}: ${(error as Error).message}`);
          continue;
        }
        const start = this.offset + timing.time / timescale;
        const segment: LiveSegment = {
          number,
          path,
          size: timing.size,
          time: timing.time,
          duration: timing.duration,
          start,
          end: start + timing.duration / timescale,
        };
        const seconds = timing.duration / timescale;
        if (seconds >= MIN_SECONDS_FOR_PEAK) {
          track.peakBitrate = Math.max(track.peakBitrate, Math.ceil((timing.size * 8) / seconds));
        }
        track.segments.push(segment);
        track.lastNumber = number;
        found.push({ track, segment });
      }
    }
    return { found, problems };
  }

  /** A track's segment by number (HLS URLs) or by media time (DASH URLs). */
  segmentOf(track: RunTrack, by: { number?: number; time?: number }): LiveSegment | undefined {
    const { segments } = track;
    const key = (s: LiveSegment) => (by.number !== undefined ? s.number : s.time);
    const wanted = by.number ?? by.time;
    if (wanted === undefined) return undefined;
    let low = 0;
    let high = segments.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = key(segments[middle]!);
      if (value === wanted) return segments[middle];
      if (value < wanted) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** Deletes the segments that end before `channelTime`; returns how many went. */
  async trimBefore(channelTime: number): Promise<number> {
    let removed = 0;
    for (const track of this.tracks) {
      let keep = 0;
      while (keep < track.segments.length && track.segments[keep]!.end < channelTime) keep++;
      if (keep === 0) continue;
      const gone = track.segments.splice(0, keep);
      removed += gone.length;
      await Promise.all(gone.map((s) => rm(s.path, { force: true })));
    }
    return removed;
  }

  get empty(): boolean {
    return this.tracks.every((t) => t.segments.length === 0);
  }

  /** Removes the run's folder (an ended run with nothing left in the window). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
