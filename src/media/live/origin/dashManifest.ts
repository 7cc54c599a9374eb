import { escapeXml } from '../../encoding/xml.js';
import type { RunTrack } from '../segments/run.js';
import type { OutputEntry, Span } from '../timeline/channelTimeline.js';
import { spliceInsert } from '../timeline/scte35.js';
import type { LiveSource, LiveView } from './liveView.js';
import { trackBandwidth, trackPath, windowEntries } from './liveView.js';

/**
 * Live DASH: a dynamic MPD (ISO BMFF live profile) with one Period per span of the window (a
 * publisher's session, a slate, the session again), each Representation a SegmentTemplate with
 * an explicit SegmentTimeline of the segments' real times and `$Time$` addressing, so a hole in
 * a run never shifts the numbering. Period ids and starts come from the span, so they stay the
 * same across refreshes. Ad breaks are SCTE-35 events (`urn:scte:scte35:2014:xml+bin`) of the
 * period they start in. UTCTiming is given inline so that players never ask a public time server.
 */

const duration = (value: number): string => `PT${(Math.round(value * 1000) / 1000).toString()}S`;
const iso = (ms: number): string => new Date(ms).toISOString();
const SCTE35_SCHEME = 'urn:scte:scte35:2014:xml+bin';

interface PeriodPlan {
  span: Span;
  /** Video entries by run track (a slate's one track feeds every slot: listed once). */
  video: Map<RunTrack, OutputEntry[]>;
  audio: OutputEntry[];
}

function periods(source: LiveSource, view: LiveView): PeriodPlan[] {
  const plans = new Map<Span, PeriodPlan>();
  const plan = (span: Span): PeriodPlan => {
    let found = plans.get(span);
    if (!found) plans.set(span, (found = { span, video: new Map(), audio: [] }));
    return found;
  };
  for (const slot of source.timeline.slotNames) {
    for (const entry of windowEntries(source.timeline.entries(slot), view)) {
      const period = plan(entry.span);
      if (slot === 'audio') {
        period.audio.push(entry);
        continue;
      }
      const list = period.video.get(entry.track);
      if (!list) period.video.set(entry.track, [entry]);
      else if (list.at(-1)!.segment !== entry.segment) list.push(entry);
    }
  }
  return [...plans.values()].sort((a, b) => a.span.from - b.span.from);
}

function segmentTemplate(
  span: Span,
  track: RunTrack,
  entries: readonly OutputEntry[],
  indent: string,
): string {
  const info = track.init?.info;
  if (!info) return '';
  const timescale = info.timescale;
  // The media time at the period's start.
  const pto = Math.max(0, Math.round((span.from - span.run.offset) * timescale));
  const path = trackPath(span.run, track);
  let out =
    `${indent}<SegmentTemplate timescale="${timescale}" presentationTimeOffset="${pto}" ` +
    `initialization="${path}/init.mp4" media="${path}/t$Time$.m4s">\n${indent}  <SegmentTimeline>\n`;
  for (const entry of entries) {
    out += `${indent}    <S t="${entry.segment.time}" d="${entry.segment.duration}"/>\n`;
  }
  return out + `${indent}  </SegmentTimeline>\n${indent}</SegmentTemplate>\n`;
}

function eventStream(source: LiveSource, period: PeriodPlan, next: PeriodPlan | undefined): string {
  const breaks = source.timeline.breaksBetween(period.span.from, next ? next.span.from : Infinity);
  if (breaks.length === 0) return '';
  let out = `    <EventStream schemeIdUri="${SCTE35_SCHEME}" timescale="1000">\n`;
  for (const adBreak of breaks) {
    const binary = spliceInsert({
      eventId: adBreak.cueId,
      outOfNetwork: true,
      durationSeconds: adBreak.plannedDuration,
    }).toString('base64');
    out +=
      `      <Event presentationTime="${Math.round((adBreak.start - period.span.from) * 1000)}" ` +
      `duration="${Math.round(adBreak.plannedDuration * 1000)}" id="${adBreak.cueId}">` +
      `<scte35:Signal><scte35:Binary>${binary}</scte35:Binary></scte35:Signal></Event>\n`;
  }
  return out + '    </EventStream>\n';
}

/** Undefined when the view has nothing to show yet. */
export function dashManifest(
  source: LiveSource,
  view: LiveView,
  nowMs: number = Date.now(),
): string | undefined {
  const plans = periods(source, view).filter((p) => p.video.size > 0 || p.audio.length > 0);
  if (plans.length === 0) return undefined;
  const segment = source.segmentSeconds;
  let body = '';
  plans.forEach((period, index) => {
    body += `  <Period id="p${period.span.id}" start="${duration(period.span.from)}">\n`;
    body += eventStream(source, period, plans[index + 1]);
    if (period.video.size > 0) {
      body +=
        '    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" ' +
        'startWithSAP="1">\n';
      for (const [track, entries] of period.video) {
        const info = track.init?.info;
        if (!info) continue;
        const size = info.width && info.height ? ` width="${info.width}" height="${info.height}"` : '';
        body +=
          `      <Representation id="${escapeXml(track.plan.name)}" bandwidth="${trackBandwidth(track)}" ` +
          `codecs="${escapeXml(info.codec)}"${size}>\n`;
        body += segmentTemplate(period.span, track, entries, '        ');
        body += '      </Representation>\n';
      }
      body += '    </AdaptationSet>\n';
    }
    const audioTrack = period.audio[0]?.track;
    const audioInfo = audioTrack?.init?.info;
    if (audioTrack && audioInfo) {
      body +=
        '    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" ' +
        'startWithSAP="1">\n';
      body +=
        `      <Representation id="audio" bandwidth="${trackBandwidth(audioTrack)}" ` +
        `codecs="${escapeXml(audioInfo.codec)}"${audioInfo.sampleRate ? ` audioSamplingRate="${audioInfo.sampleRate}"` : ''}>\n`;
      if (audioInfo.channels) {
        body +=
          '        <AudioChannelConfiguration ' +
          `schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${audioInfo.channels}"/>\n`;
      }
      body += segmentTemplate(period.span, audioTrack, period.audio, '        ');
      body += '      </Representation>\n    </AdaptationSet>\n';
    }
    body += '  </Period>\n';
  });
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:scte35="http://www.scte.org/schemas/35/2016" ' +
    'profiles="urn:mpeg:dash:profile:isoff-live:2011" type="dynamic" ' +
    `availabilityStartTime="${iso(source.epochMs)}" publishTime="${iso(nowMs)}" ` +
    `minimumUpdatePeriod="${duration(segment)}" minBufferTime="${duration(segment)}" ` +
    `timeShiftBufferDepth="${duration(view.windowSeconds)}" ` +
    `suggestedPresentationDelay="${duration(segment * 3)}" maxSegmentDuration="${duration(source.targetDuration)}">\n` +
    body +
    `  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="${iso(nowMs)}"/>\n` +
    '</MPD>\n'
  );
}
