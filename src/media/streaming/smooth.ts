import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fragment } from './fragments.js';
import { scanFragments } from './fragments.js';
import type { FragmentEntry, PackageLayout, PackagingJob } from './packagingJob.js';
import { FFMPEG_HEAD, SEGMENT_SECONDS } from './packagingJob.js';
import type { SourceTrack } from './presentation.js';
import { ffmpegInput, runTool } from './runTool.js';
import { codecPrivateData } from './trackConfig.js';
import { StreamingError } from './types.js';

/**
 * Smooth Streaming. Each track is remuxed by ffmpeg's ismv muxer into its own fragmented MP4
 * (10 MHz timescale, one moof+mdat per key frame after SEGMENT_SECONDS, each with a tfxd box);
 * the client manifest is written here from those files' fragments, and a fragment request is
 * answered with the byte range of its moof+mdat. Smooth has one chunk list per stream, so the
 * video renditions must be GOP-aligned: packaging refuses them otherwise.
 */
const MANIFEST = 'manifest.ismc';
const TIMESCALE = 10_000_000;

interface Level {
  track: SourceTrack;
  file: string;
  bitrate: number;
  fragments: Fragment[];
}

const xmlAttribute = (value: string | number): string =>
  String(value).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function fragmentTrack(job: PackagingJob, track: SourceTrack, file: string): Promise<Fragment[]> {
  const selector = `0:${track.kind === 'video' ? 'v' : 'a'}:${track.ordinal}`;
  const args = [...FFMPEG_HEAD, '-i', ffmpegInput(track.file.path), '-map', selector, '-c', 'copy'];
  // The AAC priming frame (and B-frame delay) start before zero; Smooth times are unsigned.
  args.push('-avoid_negative_ts', 'make_zero', '-f', 'ismv');
  // Video fragments start at a key frame at least SEGMENT_SECONDS after the last one (the
  // muxer's frag_keyframe looks at video only); audio fragments are cut by duration.
  const microseconds = String(SEGMENT_SECONDS * 1_000_000);
  if (track.kind === 'video') args.push('-movflags', 'frag_keyframe', '-min_frag_duration', microseconds);
  else args.push('-frag_duration', microseconds);
  args.push(file);
  await runTool(job.tools.ffmpeg, args, job.workDir);
  const { track: config, fragments } = await scanFragments(join(job.workDir, file));
  if (config.timescale === TIMESCALE) return fragments;
  const scale = (t: number): number => Math.round((t * TIMESCALE) / config.timescale);
  return fragments.map((f) => ({ ...f, time: scale(f.time), duration: scale(f.duration) }));
}

/** `<c>` elements: `t` on the first chunk and wherever the timeline is not contiguous. */
function chunkElements(fragments: readonly Fragment[]): string[] {
  let expected: number | undefined;
  return fragments.map((f) => {
    const element = f.time === expected ? `<c d="${f.duration}"/>` : `<c t="${f.time}" d="${f.duration}"/>`;
    expected = f.time + f.duration;
    return element;
  });
}

const sameTimeline = (a: readonly Fragment[], b: readonly Fragment[]): boolean =>
  a.length === b.length && a.every((f, i) => f.time === b[i]?.time && f.duration === b[i]?.duration);

export async function packageSmooth(job: PackagingJob): Promise<PackageLayout> {
  const { presentation, urlPrefix } = job;
  const videoLevels: Level[] = [];
  const usedBitrates = new Set<number>();
  const uniqueBitrate = (bitrate: number): number => {
    let b = Math.max(1, Math.round(bitrate));
    while (usedBitrates.has(b)) b++;
    usedBitrates.add(b);
    return b;
  };
  for (const [i, track] of presentation.videos.entries()) {
    const file = `video_${i}.ismv`;
    const fragments = await fragmentTrack(job, track, file);
    videoLevels.push({ track, file, bitrate: uniqueBitrate(track.bitrate), fragments });
  }
  const [first] = videoLevels;
  if (first && videoLevels.some((level) => !sameTimeline(level.fragments, first.fragments))) {
    throw new StreamingError(
      400,
      'Smooth Streaming needs GOP-aligned video renditions; the key frames of this asset’s renditions differ.',
    );
  }
  let audioLevel: Level | undefined;
  if (presentation.audio) {
    const file = 'audio.ismv';
    const fragments = await fragmentTrack(job, presentation.audio, file);
    audioLevel = {
      track: presentation.audio,
      file,
      bitrate: Math.max(1, Math.round(presentation.audio.bitrate)),
      fragments,
    };
  }

  const entries: FragmentEntry[] = [];
  const end = (fragments: readonly Fragment[]): number => {
    const last = fragments[fragments.length - 1];
    return last ? last.time + last.duration : 0;
  };
  const duration = Math.max(end(first?.fragments ?? []), end(audioLevel?.fragments ?? []));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" Duration="${duration}" TimeScale="${TIMESCALE}">`,
  ];
  if (first) {
    const maxWidth = Math.max(...videoLevels.map((l) => l.track.width ?? 0));
    const maxHeight = Math.max(...videoLevels.map((l) => l.track.height ?? 0));
    lines.push(
      `<StreamIndex Type="video" Name="video" Chunks="${first.fragments.length}" QualityLevels="${videoLevels.length}" ` +
        `Url="${xmlAttribute(urlPrefix)}QualityLevels({bitrate})/Fragments(video={start time})" ` +
        `MaxWidth="${maxWidth}" MaxHeight="${maxHeight}" DisplayWidth="${maxWidth}" DisplayHeight="${maxHeight}">`,
    );
    for (const [index, level] of videoLevels.entries()) {
      lines.push(
        `<QualityLevel Index="${index}" Bitrate="${level.bitrate}" FourCC="H264" ` +
          `MaxWidth="${level.track.width ?? 0}" MaxHeight="${level.track.height ?? 0}" ` +
          `CodecPrivateData="${codecPrivateData(level.track.config)}"/>`,
      );
      for (const f of level.fragments) {
        entries.push({
          key: `${level.bitrate}/video/${f.time}`,
          file: level.file,
          offset: f.offset,
          size: f.size,
          audio: false,
        });
      }
    }
    lines.push(...chunkElements(first.fragments), '</StreamIndex>');
  }
  if (audioLevel) {
    const { track } = audioLevel;
    const language = track.language ? ` Language="${xmlAttribute(track.language)}"` : '';
    lines.push(
      `<StreamIndex Type="audio" Name="audio" Chunks="${audioLevel.fragments.length}" QualityLevels="1"${language} ` +
        `Url="${xmlAttribute(urlPrefix)}QualityLevels({bitrate})/Fragments(audio={start time})">`,
      `<QualityLevel Index="0" Bitrate="${audioLevel.bitrate}" FourCC="AACL" AudioTag="255" ` +
        `SamplingRate="${track.sampleRate ?? track.config.aac?.sampleRate ?? 48000}" ` +
        `Channels="${track.channels ?? track.config.aac?.channels ?? 2}" BitsPerSample="16" PacketSize="4" ` +
        `CodecPrivateData="${codecPrivateData(track.config)}"/>`,
      ...chunkElements(audioLevel.fragments),
      '</StreamIndex>',
    );
    for (const f of audioLevel.fragments) {
      entries.push({
        key: `${audioLevel.bitrate}/audio/${f.time}`,
        file: audioLevel.file,
        offset: f.offset,
        size: f.size,
        audio: true,
      });
    }
  }
  lines.push('</SmoothStreamingMedia>');
  await writeFile(join(job.workDir, MANIFEST), lines.join('\n') + '\n');
  return {
    manifest: MANIFEST,
    manifestType: 'text/xml; charset=utf-8',
    audioPrefixes: [],
    fragments: entries,
  };
}
