/**
 * What the live bench reads of an HLS media playlist: its target duration and, per segment, the
 * media sequence number, the URI (relative to the playlist), the EXTINF duration, the init
 * segment (EXT-X-MAP) it needs, and whether a discontinuity precedes it.
 */

export interface PlaylistSegment {
  sequence: number;
  uri: string;
  duration: number;
  map: string | undefined;
  discontinuity: boolean;
}

export interface MediaPlaylist {
  targetDuration: number;
  mediaSequence: number;
  segments: PlaylistSegment[];
  ended: boolean;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error(`not an HLS playlist: ${text.slice(0, 80)}`);
  let targetDuration = NaN;
  let mediaSequence = 0;
  let map: string | undefined;
  let duration: number | undefined;
  let discontinuity = false;
  let ended = false;
  const segments: PlaylistSegment[] = [];
  for (const line of lines) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) map = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).split(',')[0]);
    else if (line && !line.startsWith('#')) {
      if (duration === undefined) throw new Error(`a segment without EXTINF: ${line}`);
      segments.push({ sequence: mediaSequence + segments.length, uri: line, duration, map, discontinuity });
      duration = undefined;
      discontinuity = false;
    }
  }
  if (!Number.isFinite(targetDuration)) throw new Error('the playlist has no EXT-X-TARGETDURATION');
  return { targetDuration, mediaSequence, segments, ended };
}

/**
 * Every segment one channel's playlist listed over many polls, by media sequence number: what a
 * player polling it would have been offered. A number listed twice with different URIs, a number
 * missing between the first and the last, or a discontinuity is a segment lost to the player.
 */
export class PlaylistHistory {
  readonly segments = new Map<number, PlaylistSegment & { firstSeenMs: number }>();
  /** Sequence numbers whose URI changed between polls. */
  readonly rewritten = new Set<number>();
  polls = 0;
  targetDuration = 0;

  add(playlist: MediaPlaylist, atMs: number): void {
    this.polls++;
    this.targetDuration = Math.max(this.targetDuration, playlist.targetDuration);
    for (const segment of playlist.segments) {
      const known = this.segments.get(segment.sequence);
      if (!known) this.segments.set(segment.sequence, { ...segment, firstSeenMs: atMs });
      else if (known.uri !== segment.uri) this.rewritten.add(segment.sequence);
    }
  }

  /** Segments first listed within [fromMs, toMs], in order. */
  between(fromMs: number, toMs: number): Array<PlaylistSegment & { firstSeenMs: number }> {
    return [...this.segments.values()]
      .filter((s) => s.firstSeenMs >= fromMs && s.firstSeenMs <= toMs)
      .sort((a, b) => a.sequence - b.sequence);
  }

  /** Sequence numbers missing between the first and the last of `segments`. */
  static gaps(segments: ReadonlyArray<{ sequence: number }>): number {
    const first = segments[0]?.sequence;
    const last = segments.at(-1)?.sequence;
    if (first === undefined || last === undefined) return 0;
    return last - first + 1 - segments.length;
  }

  /**
   * Segments the segmenter wrote that the playlist skipped: consecutive entries of one run whose
   * file numbers (`<run>/<track>/<n>.m4s`) do not follow each other.
   */
  static skippedFiles(segments: ReadonlyArray<{ uri: string }>): number {
    let skipped = 0;
    for (let i = 1; i < segments.length; i++) {
      const previous = /^(.*\/)(\d+)\.m4s$/.exec(segments[i - 1]!.uri);
      const current = /^(.*\/)(\d+)\.m4s$/.exec(segments[i]!.uri);
      if (!previous || !current || previous[1] !== current[1]) continue;
      skipped += Math.max(0, Number(current[2]) - Number(previous[2]) - 1);
    }
    return skipped;
  }
}
