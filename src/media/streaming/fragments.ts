import { open } from 'node:fs/promises';
import type { Box } from './mp4Boxes.js';
import { Mp4FormatError, childBoxes, findChild, findPath, readBox, topLevelBoxes } from './mp4Boxes.js';
import type { TrackConfig } from './trackConfig.js';
import { readTracks } from './trackConfig.js';

/** One movie fragment (moof + mdat) of a fragmented MP4, as Smooth Streaming serves it. */
export interface Fragment {
  offset: number;
  size: number;
  /** Decode time of the first sample and the fragment's duration, in the track's timescale. */
  time: number;
  duration: number;
}

export interface FragmentedTrack {
  track: TrackConfig;
  fragments: Fragment[];
}

/** Smooth's time-extension box (tfxd): the fragment's absolute time and duration. */
const TFXD = '6d1d9b0542d544e680e2141daff757b2';
/** moov and moof are metadata: a few MiB at most even for long titles. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/**
 * The fragments of a single-track fragmented MP4 (ffmpeg's ismv muxer), with their byte ranges
 * and times. Times come from tfxd when present, else tfdt, else the running sum of the sample
 * durations; durations always from the trun sample durations (or the defaults).
 */
export async function scanFragments(path: string): Promise<FragmentedTrack> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const boxes = await topLevelBoxes(file, size);
    const moovBox = boxes.find((box) => box.type === 'moov');
    if (!moovBox) throw new Mp4FormatError('no moov box');
    const moov = await readBox(file, moovBox, MAX_METADATA_BYTES);
    const tracks = readTracks(moov);
    const [track] = tracks;
    if (!track || tracks.length !== 1) throw new Mp4FormatError('expected exactly one track');
    const trexDuration = defaultDurationFromTrex(moov);
    const fragments: Fragment[] = [];
    let nextTime = 0;
    for (let i = 0; i < boxes.length; i++) {
      const moofBox = boxes[i];
      if (moofBox?.type !== 'moof') continue;
      const mdat = boxes[i + 1];
      if (mdat?.type !== 'mdat')
        throw new Mp4FormatError(`moof at ${moofBox.start} is not followed by an mdat`);
      const moof = await readBox(file, moofBox, MAX_METADATA_BYTES);
      const timing = fragmentTiming(moof, trexDuration);
      const time = timing.time ?? nextTime;
      fragments.push({
        offset: moofBox.start,
        size: mdat.end - moofBox.start,
        time,
        duration: timing.duration,
      });
      nextTime = time + timing.duration;
    }
    if (fragments.length === 0) throw new Mp4FormatError('the file holds no movie fragments');
    return { track, fragments };
  } finally {
    await file.close();
  }
}

function defaultDurationFromTrex(moov: Buffer): number {
  const root = childBoxes(moov, 0, moov.length)[0];
  const trex = root && findPath(moov, root, ['mvex', 'trex']);
  return trex ? moov.readUInt32BE(trex.payload + 12) : 0;
}

/**
 * One movie fragment's decode time (Smooth's tfxd when present, else tfdt) and the summed duration
 * of its samples; shared by on-demand packaging and the live pipeline's segments.
 */
export function fragmentTiming(
  moof: Buffer,
  trexDuration: number,
): { time: number | undefined; duration: number } {
  const root: Box = { type: 'moof', start: 0, payload: 8, end: moof.length };
  const traf = findChild(moof, root, 'traf');
  if (!traf) throw new Mp4FormatError('moof without traf');
  let defaultDuration = trexDuration;
  let duration = 0;
  let tfdtTime: number | undefined;
  let tfxdTime: number | undefined;
  for (const box of childBoxes(moof, traf.payload, traf.end)) {
    const p = box.payload;
    if (box.type === 'tfhd') {
      const flags = moof.readUIntBE(p + 1, 3);
      let offset = p + 8;
      if (flags & 0x01) offset += 8;
      if (flags & 0x02) offset += 4;
      if (flags & 0x08) defaultDuration = moof.readUInt32BE(offset);
    } else if (box.type === 'trun') {
      const flags = moof.readUIntBE(p + 1, 3);
      const count = moof.readUInt32BE(p + 4);
      let offset = p + 8;
      if (flags & 0x001) offset += 4;
      if (flags & 0x004) offset += 4;
      const fieldBytes = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
      if (offset + count * fieldBytes > box.end) throw new Mp4FormatError('truncated trun');
      if (flags & 0x100) {
        for (let i = 0; i < count; i++) duration += moof.readUInt32BE(offset + i * fieldBytes);
      } else {
        duration += count * defaultDuration;
      }
    } else if (box.type === 'tfdt') {
      tfdtTime = moof[p] === 1 ? Number(moof.readBigUInt64BE(p + 4)) : moof.readUInt32BE(p + 4);
    } else if (box.type === 'uuid' && moof.toString('hex', box.start + 8, box.start + 24) === TFXD) {
      tfxdTime = moof[p] === 1 ? Number(moof.readBigUInt64BE(p + 4)) : moof.readUInt32BE(p + 4);
    }
  }
  return { time: tfxdTime ?? tfdtTime, duration };
}
