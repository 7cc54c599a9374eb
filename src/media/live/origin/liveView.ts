import type { Run, RunTrack } from '../segments/run.js';
import type { ChannelTimeline, OutputEntry } from '../timeline/channelTimeline.js';

/**
 * What the live origin reads of a channel, and which part of it one URL shows: the preview
 * (everything in the DVR window) or a program (from its start, within its archive window).
 */
export interface LiveSource {
  /** Wall-clock ms of channel time 0 (DASH's availabilityStartTime). */
  readonly epochMs: number;
  /** Seconds the segmenter aims for. */
  readonly segmentSeconds: number;
  /** EXT-X-TARGETDURATION: the longest segment yet, rounded up; never shrinks. */
  readonly targetDuration: number;
  readonly timeline: ChannelTimeline;
  run(id: string): Run | undefined;
  /** The run whose tracks describe the channel now (the latest publisher's, else a slate). */
  describingRun(): Run | undefined;
}

export interface LiveView {
  /** Channel seconds before which nothing is shown (a program's start); -Infinity for the preview. */
  from: number;
  /** The DVR window, seconds. */
  windowSeconds: number;
}

/** The entries of a slot that a view shows now. */
export function windowEntries(entries: readonly OutputEntry[], view: LiveView): OutputEntry[] {
  const edge = entries.at(-1)?.segment.end;
  if (edge === undefined) return [];
  const lower = Math.max(view.from, edge - view.windowSeconds);
  let first = entries.length;
  while (first > 0 && entries[first - 1]!.segment.end > lower) first--;
  return entries.slice(first);
}

/** Where a run track's files are, relative to `<name>.ism/`. */
export const trackPath = (run: Run, track: RunTrack): string => `live/${run.id}/${track.plan.name}`;

/** Bits per second to advertise for a track: what it has peaked at, or what it was encoded for. */
export function trackBandwidth(track: RunTrack): number {
  const target = (track.plan.targetBitrate ?? 0) * 1000;
  return Math.max(track.peakBitrate, target, track.plan.kind === 'audio' ? 64_000 : 100_000);
}
