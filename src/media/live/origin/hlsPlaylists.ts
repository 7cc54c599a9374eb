import { breakEnd } from '../timeline/channelTimeline.js';
import type { AdBreak, OutputEntry } from '../timeline/channelTimeline.js';
import { spliceInsert } from '../timeline/scte35.js';
import type { LiveSource, LiveView } from './liveView.js';
import { trackBandwidth, trackPath, windowEntries } from './liveView.js';

/**
 * Live HLS (protocol version 7, fMP4 segments): a master playlist naming one media playlist per
 * video layer and the audio as an EXT-X-MEDIA rendition, and sliding-window media playlists.
 * A change of run is an EXT-X-DISCONTINUITY with its own EXT-X-MAP and EXT-X-PROGRAM-DATE-TIME;
 * ad breaks are marked the two ways players and ad inserters read them: EXT-X-CUE-OUT /
 * EXT-X-CUE-OUT-CONT / EXT-X-CUE-IN, and EXT-X-DATERANGE with the SCTE-35 splice_insert.
 */

const seconds = (value: number): string => (Math.round(value * 1000) / 1000).toString();
const iso = (ms: number): string => new Date(ms).toISOString();

/** Undefined until the channel has a run with its init segments (nothing to describe yet). */
export function masterPlaylist(source: LiveSource): string | undefined {
  const run = source.describingRun();
  if (!run) return undefined;
  const audio = run.audioTrack;
  const audioInfo = audio?.init?.info;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio && audioInfo) {
    lines.push(
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES' +
        `${audioInfo.channels ? `,CHANNELS="${audioInfo.channels}"` : ''},URI="live/audio.m3u8"`,
    );
  }
  let variants = 0;
  for (const slot of source.timeline.slotNames.filter((n) => n !== 'audio')) {
    // A slate has one layer for every slot; describe each slot by the run's matching track.
    const track = run.track(slot) ?? run.videoTracks[0];
    const info = track?.init?.info;
    if (!track || !info) continue;
    const bandwidth = trackBandwidth(track) + (audio && audioInfo ? trackBandwidth(audio) : 0);
    const codecs = audioInfo ? `${info.codec},${audioInfo.codec}` : info.codec;
    const resolution = info.width && info.height ? `,RESOLUTION=${info.width}x${info.height}` : '';
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth}${resolution},CODECS="${codecs}"${audioInfo ? ',AUDIO="audio"' : ''}`,
      `live/${slot}.m3u8`,
    );
    variants++;
  }
  return variants > 0 ? lines.join('\n') + '\n' : undefined;
}

/** Undefined when the slot has nothing in the view yet. */
export function mediaPlaylist(source: LiveSource, slot: string, view: LiveView): string | undefined {
  const entries = windowEntries(source.timeline.entries(slot), view);
  const [first] = entries;
  if (!first) return undefined;
  const target = Math.max(
    source.targetDuration,
    ...entries.map((e) => Math.round(e.segment.end - e.segment.start)),
  );
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${first.seq}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${first.cc}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let previous: OutputEntry | undefined;
  for (const entry of entries) {
    const path = trackPath(entry.span.run, entry.track);
    const relative = path.slice('live/'.length);
    if (previous && entry.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (!previous || previous.track !== entry.track) {
      lines.push(`#EXT-X-MAP:URI="${relative}/init.mp4"`);
    }
    if (!previous || entry.discontinuity) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${iso(source.epochMs + entry.segment.start * 1000)}`);
    }
    for (const cue of entry.cues) lines.push(...cueTags(cue.kind, cue.adBreak, cue.elapsed));
    lines.push(
      `#EXTINF:${(entry.segment.end - entry.segment.start).toFixed(6)},`,
      `${relative}/${entry.segment.number}.m4s`,
    );
    previous = entry;
  }
  return lines.join('\n') + '\n';
}

const dateRangeId = (adBreak: AdBreak): string => `splice-${adBreak.cueId}-${adBreak.startWallMs}`;

function cueTags(kind: 'out' | 'cont' | 'in', adBreak: AdBreak, elapsed: number): string[] {
  const start = iso(adBreak.startWallMs);
  if (kind === 'out') {
    const scte = spliceInsert({
      eventId: adBreak.cueId,
      outOfNetwork: true,
      durationSeconds: adBreak.plannedDuration,
    });
    return [
      `#EXT-X-DATERANGE:ID="${dateRangeId(adBreak)}",START-DATE="${start}",` +
        `PLANNED-DURATION=${seconds(adBreak.plannedDuration)},SCTE35-OUT=0x${scte.toString('hex').toUpperCase()}`,
      `#EXT-X-CUE-OUT:${seconds(adBreak.plannedDuration)}`,
    ];
  }
  if (kind === 'cont') {
    return [
      `#EXT-X-CUE-OUT-CONT:ElapsedTime=${seconds(elapsed)},Duration=${seconds(adBreak.plannedDuration)}`,
    ];
  }
  const scte = spliceInsert({ eventId: adBreak.cueId, outOfNetwork: false });
  const duration = Math.max(0, breakEnd(adBreak) - adBreak.start);
  return [
    `#EXT-X-DATERANGE:ID="${dateRangeId(adBreak)}",START-DATE="${start}",` +
      `DURATION=${seconds(duration)},SCTE35-IN=0x${scte.toString('hex').toUpperCase()}`,
    '#EXT-X-CUE-IN',
  ];
}
