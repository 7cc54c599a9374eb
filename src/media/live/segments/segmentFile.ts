import { open } from 'node:fs/promises';
import {
  Mp4FormatError,
  childBoxes,
  findChild,
  findPath,
  readBox,
  topLevelBoxes,
} from '../../streaming/mp4Boxes.js';
import { fragmentTiming } from '../../streaming/fragments.js';
import { codecString, readTracks } from '../../streaming/trackConfig.js';

/**
 * What the live packager needs from the fragmented MP4 files ffmpeg writes: from an init segment
 * the track's timescale and what a manifest advertises (codec string, picture size, channels);
 * from a media segment its exact decode time and duration (the tfdt and trun of its movie
 * fragments), which DASH's SegmentTimeline and the channel's timeline are built on, rather than
 * the rounded EXTINF of ffmpeg's playlist.
 */

export interface InitInfo {
  kind: 'video' | 'audio';
  timescale: number;
  /** The movie's default sample duration (trex), for fragments that state none. */
  defaultSampleDuration: number;
  codec: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
}

export interface SegmentTiming {
  /** Decode time of the first sample, in the track's timescale. */
  time: number;
  /** In the track's timescale. */
  duration: number;
}

/** moov and moof boxes are metadata: a live segment's are a few KiB. */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;

export async function readInit(path: string): Promise<InitInfo> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const moovBox = (await topLevelBoxes(file, size)).find((box) => box.type === 'moov');
    if (!moovBox) throw new Mp4FormatError('no moov box in the init segment');
    const moov = await readBox(file, moovBox, MAX_METADATA_BYTES);
    const [track] = readTracks(moov);
    if (!track) throw new Mp4FormatError('the init segment has no track');
    const common = {
      timescale: track.timescale,
      defaultSampleDuration: trexDuration(moov),
      codec: codecString(track),
    };
    if (track.handler === 'vide') return { kind: 'video', ...common, ...sampleEntrySize(moov) };
    if (track.handler === 'soun') {
      return {
        kind: 'audio',
        ...common,
        ...(track.aac ? { channels: track.aac.channels, sampleRate: track.aac.sampleRate } : {}),
      };
    }
    throw new Mp4FormatError(`unexpected ${track.handler} track in a live init segment`);
  } finally {
    await file.close();
  }
}

function trexDuration(moov: Buffer): number {
  const root = childBoxes(moov, 0, moov.length)[0];
  const trex = root && findPath(moov, root, ['mvex', 'trex']);
  return trex && trex.payload + 16 <= trex.end ? moov.readUInt32BE(trex.payload + 12) : 0;
}

/** Width and height of a VisualSampleEntry (at 24 and 26 bytes into its payload). */
function sampleEntrySize(moov: Buffer): { width?: number; height?: number } {
  const root = childBoxes(moov, 0, moov.length)[0];
  const trak = root && findChild(moov, root, 'trak');
  const stsd = trak && findPath(moov, trak, ['mdia', 'minf', 'stbl', 'stsd']);
  const [entry] = stsd ? childBoxes(moov, stsd.payload + 8, stsd.end) : [];
  if (!entry || entry.payload + 28 > entry.end) return {};
  return { width: moov.readUInt16BE(entry.payload + 24), height: moov.readUInt16BE(entry.payload + 26) };
}

/** The time of a segment's first fragment and the summed duration of all its fragments. */
export async function readSegmentTiming(
  path: string,
  defaultSampleDuration: number,
): Promise<SegmentTiming & { size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    let time: number | undefined;
    let duration = 0;
    for (const box of await topLevelBoxes(file, size)) {
      if (box.type !== 'moof') continue;
      const moof = await readBox(file, box, MAX_METADATA_BYTES);
      const timing = fragmentTiming(moof, defaultSampleDuration);
      time ??= timing.time;
      duration += timing.duration;
    }
    if (time === undefined) throw new Mp4FormatError('the segment has no movie fragment with a tfdt');
    return { time, duration, size };
  } finally {
    await file.close();
  }
}
