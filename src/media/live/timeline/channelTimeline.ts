import type { LiveSegment, Run, RunTrack } from '../segments/run.js';

/**
 * A channel's output: what players see, as one append-only list of segments per output track
 * ("slot": `video_0`…`video_{n-1}`, `audio`). Runs produce segments; spans say which run is on
 * air when (a publisher's session, a slate over it, the session again), so a segment is shown
 * when it falls inside a span of its run and hidden otherwise (the picture the slate replaces).
 * Because slots only grow, each entry keeps its sequence number, its discontinuity count and its
 * cue tags for as long as it is in a window: playlists built from it are stable across reloads,
 * as HLS requires. A slate has one layer; it fills every video slot.
 */

export interface Span {
  /** Numbers DASH periods: stable for as long as the span is in a window. */
  id: number;
  run: Run;
  /** Channel seconds. */
  from: number;
  /** Channel seconds; undefined while on air. */
  to: number | undefined;
}

export interface AdBreak {
  cueId: number;
  /** Channel seconds. */
  start: number;
  plannedDuration: number;
  /** Channel seconds, once EndAdvertisement came (or the planned end). */
  endedAt: number | undefined;
  /** Wall-clock ms of `start` (EXT-X-DATERANGE's START-DATE). */
  startWallMs: number;
  /** Per slot: the out cue is placed ('out'), the in cue too ('done'). */
  placed: Map<string, 'out' | 'done'>;
}

export const breakEnd = (b: AdBreak): number => b.endedAt ?? b.start + b.plannedDuration;

export interface CueMark {
  adBreak: AdBreak;
  kind: 'out' | 'cont' | 'in';
  /** Seconds into the break at this segment. */
  elapsed: number;
}

export interface OutputEntry {
  /** EXT-X-MEDIA-SEQUENCE of this segment. */
  seq: number;
  /** Discontinuities in the slot up to and including this entry (EXT-X-DISCONTINUITY-SEQUENCE). */
  cc: number;
  discontinuity: boolean;
  span: Span;
  track: RunTrack;
  segment: LiveSegment;
  cues: CueMark[];
}

interface SlotState {
  entries: OutputEntry[];
  nextSeq: number;
  cc: number;
  lastSpan: Span | undefined;
  lastStart: number;
}

/** A segment belongs to a span when it starts within it, give or take half its length. */
function inSpan(span: Span, segment: LiveSegment): boolean {
  const half = (segment.end - segment.start) / 2;
  return segment.start >= span.from - half && (span.to === undefined || segment.start < span.to - half);
}

export class ChannelTimeline {
  private readonly slots = new Map<string, SlotState>();
  private spans: Span[] = [];
  private breaks: AdBreak[] = [];
  private nextSpanId = 1;

  /** `videoSlots`: the channel's layers (1 for pass-through). */
  constructor(readonly videoSlots: number) {
    for (const name of this.slotNames) {
      this.slots.set(name, { entries: [], nextSeq: 0, cc: 0, lastSpan: undefined, lastStart: -Infinity });
    }
  }

  get slotNames(): string[] {
    return [...Array.from({ length: this.videoSlots }, (_, i) => `video_${i}`), 'audio'];
  }

  entries(slot: string): readonly OutputEntry[] {
    return this.slots.get(slot)?.entries ?? [];
  }

  /** The span on air now, if any. */
  get current(): Span | undefined {
    const last = this.spans.at(-1);
    return last && last.to === undefined ? last : undefined;
  }

  /** Puts `run` on air from `from` (closing the span on air there). */
  open(run: Run, from: number): Span {
    this.close(from);
    const span: Span = { id: this.nextSpanId++, run, from, to: undefined };
    this.spans.push(span);
    return span;
  }

  /** Takes the span on air off at `at`. */
  close(at: number): void {
    const current = this.current;
    if (current) current.to = Math.max(at, current.from);
  }

  /** The latest end of what the video slots show (where the next thing on air starts). */
  get videoEdge(): number | undefined {
    return this.slots.get('video_0')?.entries.at(-1)?.segment.end;
  }

  /** Offers a new segment of a run; appended to its slots when its run is on air then. */
  append(run: Run, track: RunTrack, segment: LiveSegment): boolean {
    const span = this.spans.findLast((s) => s.run === run && inSpan(s, segment));
    if (!span) return false;
    const targets =
      track.plan.kind === 'audio'
        ? ['audio']
        : run.kind === 'slate'
          ? this.slotNames.filter((n) => n !== 'audio')
          : [track.plan.name];
    let appended = false;
    for (const name of targets) {
      const slot = this.slots.get(name);
      // A segment older than what the slot already shows would play out of order: dropped.
      if (!slot || segment.start < slot.lastStart - 1e-3 || slot.entries.at(-1)?.segment === segment)
        continue;
      const discontinuity = slot.lastSpan !== undefined && slot.lastSpan !== span;
      if (discontinuity) slot.cc++;
      slot.entries.push({
        seq: slot.nextSeq++,
        cc: slot.cc,
        discontinuity,
        span,
        track,
        segment,
        cues: this.cuesFor(name, segment),
      });
      slot.lastSpan = span;
      slot.lastStart = segment.start;
      appended = true;
    }
    return appended;
  }

  /** Starts an ad break at `start`; the slots mark it on their next segments. */
  startBreak(cueId: number, start: number, plannedDuration: number, startWallMs: number): AdBreak {
    const adBreak: AdBreak = {
      cueId,
      start,
      plannedDuration,
      endedAt: undefined,
      startWallMs,
      placed: new Map(),
    };
    this.breaks.push(adBreak);
    return adBreak;
  }

  /** Ends a break early; false when no break of that id is running. */
  endBreak(cueId: number, at: number): boolean {
    const adBreak = this.breaks.findLast((b) => b.cueId === cueId && b.endedAt === undefined);
    if (!adBreak || breakEnd(adBreak) <= at) return false;
    adBreak.endedAt = Math.max(at, adBreak.start);
    return true;
  }

  /** Breaks that start in [from, to) (DASH events of a period). */
  breaksBetween(from: number, to: number): AdBreak[] {
    return this.breaks.filter((b) => b.start >= from && b.start < to);
  }

  private cuesFor(slot: string, segment: LiveSegment): CueMark[] {
    const marks: CueMark[] = [];
    const half = (segment.end - segment.start) / 2;
    for (const adBreak of this.breaks) {
      const state = adBreak.placed.get(slot);
      if (state === 'done') continue;
      if (state === undefined) {
        if (segment.start < adBreak.start - half) continue;
        // A break so short that it ended before this segment leaves an out and an in together.
        adBreak.placed.set(slot, 'out');
        marks.push({ adBreak, kind: 'out', elapsed: 0 });
        if (segment.start < breakEnd(adBreak) - half) continue;
      }
      const elapsed = Math.max(0, segment.start - adBreak.start);
      if (segment.start >= breakEnd(adBreak) - half) {
        adBreak.placed.set(slot, 'done');
        marks.push({ adBreak, kind: 'in', elapsed });
      } else if (state === 'out') {
        marks.push({ adBreak, kind: 'cont', elapsed });
      }
    }
    return marks;
  }

  /** Forgets the entries (and spans and breaks) that end before `channelTime`. */
  trim(channelTime: number): void {
    for (const slot of this.slots.values()) {
      let keep = 0;
      while (keep < slot.entries.length && slot.entries[keep]!.segment.end < channelTime) keep++;
      if (keep > 0) slot.entries.splice(0, keep);
    }
    const inUse = new Set<Span>();
    for (const slot of this.slots.values()) for (const e of slot.entries) inUse.add(e.span);
    this.spans = this.spans.filter((s) => s.to === undefined || s.to >= channelTime || inUse.has(s));
    this.breaks = this.breaks.filter((b) => breakEnd(b) >= channelTime);
  }

  /** Runs that a span or an entry still refers to. */
  runsInUse(): Set<Run> {
    const runs = new Set<Run>(this.spans.map((s) => s.run));
    for (const slot of this.slots.values()) for (const e of slot.entries) runs.add(e.span.run);
    return runs;
  }
}
