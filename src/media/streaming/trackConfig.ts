import type { Box } from './mp4Boxes.js';
import { Mp4FormatError, childBoxes, findChild, findPath } from './mp4Boxes.js';

/**
 * What a player needs to know about a track before its first fragment: the codec string of an
 * HLS master playlist (`avc1.42c00d`, `mp4a.40.2`) and Smooth's CodecPrivateData, both read
 * from the sample entry's avcC / esds (ffprobe shows neither the AVC constraint flags nor the
 * AudioSpecificConfig).
 */
export interface TrackConfig {
  trackId: number;
  /** `vide`, `soun`, … */
  handler: string;
  timescale: number;
  sampleEntry: string;
  avc?: { profile: number; compatibility: number; level: number; sps: Buffer[]; pps: Buffer[] };
  aac?: { objectType: number; audioSpecificConfig: Buffer; channels: number; sampleRate: number };
}

/** The tracks of a moov box (the buffer starts at the moov box). */
export function readTracks(moov: Buffer): TrackConfig[] {
  const root = childBoxes(moov, 0, moov.length).find((box) => box.type === 'moov');
  if (!root) throw new Mp4FormatError('no moov box');
  return childBoxes(moov, root.payload, root.end)
    .filter((box) => box.type === 'trak')
    .map((trak) => readTrack(moov, trak));
}

function readTrack(buf: Buffer, trak: Box): TrackConfig {
  const tkhd = findChild(buf, trak, 'tkhd');
  const mdhd = findPath(buf, trak, ['mdia', 'mdhd']);
  const hdlr = findPath(buf, trak, ['mdia', 'hdlr']);
  const stsd = findPath(buf, trak, ['mdia', 'minf', 'stbl', 'stsd']);
  if (!tkhd || !mdhd || !hdlr || !stsd) throw new Mp4FormatError('a track lacks tkhd, mdhd, hdlr or stsd');
  const trackId = buf.readUInt32BE(tkhd.payload + (buf[tkhd.payload] === 1 ? 20 : 12));
  const timescale = buf.readUInt32BE(mdhd.payload + (buf[mdhd.payload] === 1 ? 20 : 12));
  const handler = buf.toString('latin1', hdlr.payload + 8, hdlr.payload + 12);
  const [entry] = childBoxes(buf, stsd.payload + 8, stsd.end);
  if (!entry) throw new Mp4FormatError(`track ${trackId} has no sample entry`);
  const config: TrackConfig = { trackId, handler, timescale, sampleEntry: entry.type };
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    // VisualSampleEntry: 78 bytes of fixed fields, then child boxes.
    const avcC = childBoxes(buf, entry.payload + 78, entry.end).find((box) => box.type === 'avcC');
    if (avcC) config.avc = readAvcC(buf.subarray(avcC.payload, avcC.end));
  } else if (entry.type === 'mp4a') {
    // AudioSampleEntry: 28 bytes (version 0), 44 (QuickTime version 1) or 64 (version 2).
    const version = buf.readUInt16BE(entry.payload + 8);
    const fixed = version === 1 ? 44 : version === 2 ? 64 : 28;
    const channels = buf.readUInt16BE(entry.payload + 16);
    const sampleRate = buf.readUInt32BE(entry.payload + 24) >>> 16;
    const esds = childBoxes(buf, entry.payload + fixed, entry.end).find((box) => box.type === 'esds');
    if (esds) {
      const audioSpecificConfig = readEsds(buf.subarray(esds.payload + 4, esds.end));
      config.aac = {
        objectType: audioObjectType(audioSpecificConfig),
        audioSpecificConfig,
        channels,
        sampleRate,
      };
    }
  }
  return config;
}

function readAvcC(avcC: Buffer): NonNullable<TrackConfig['avc']> {
  if (avcC.length < 7) throw new Mp4FormatError('truncated avcC');
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  let offset = 5;
  const spsCount = avcC.readUInt8(offset++) & 0x1f;
  for (let i = 0; i < spsCount; i++) {
    const length = avcC.readUInt16BE(offset);
    sps.push(avcC.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  const ppsCount = avcC.readUInt8(offset++);
  for (let i = 0; i < ppsCount; i++) {
    const length = avcC.readUInt16BE(offset);
    pps.push(avcC.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (offset > avcC.length || sps.length === 0) throw new Mp4FormatError('malformed avcC');
  return { profile: avcC.readUInt8(1), compatibility: avcC.readUInt8(2), level: avcC.readUInt8(3), sps, pps };
}

/** The DecoderSpecificInfo (AudioSpecificConfig) inside an ES_Descriptor. */
function readEsds(descriptors: Buffer): Buffer {
  let offset = 0;
  const readDescriptor = (): { tag: number; start: number; end: number } => {
    const tag = descriptors.readUInt8(offset++);
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const byte = descriptors.readUInt8(offset++);
      length = (length << 7) | (byte & 0x7f);
      if ((byte & 0x80) === 0) break;
    }
    return { tag, start: offset, end: offset + length };
  };
  const es = readDescriptor();
  if (es.tag !== 0x03) throw new Mp4FormatError('esds without an ES_Descriptor');
  offset += 2;
  const flags = descriptors.readUInt8(offset++);
  if (flags & 0x80) offset += 2;
  if (flags & 0x40) offset += 1 + descriptors.readUInt8(offset);
  if (flags & 0x20) offset += 2;
  const decoderConfig = readDescriptor();
  if (decoderConfig.tag !== 0x04) throw new Mp4FormatError('esds without a DecoderConfigDescriptor');
  offset += 13;
  while (offset < decoderConfig.end) {
    const descriptor = readDescriptor();
    if (descriptor.tag === 0x05) return Buffer.from(descriptors.subarray(descriptor.start, descriptor.end));
    offset = descriptor.end;
  }
  throw new Mp4FormatError('esds without an AudioSpecificConfig');
}

function audioObjectType(asc: Buffer): number {
  if (asc.length < 1) throw new Mp4FormatError('empty AudioSpecificConfig');
  const first = asc.readUInt8(0) >> 3;
  if (first !== 31) return first;
  if (asc.length < 2) throw new Mp4FormatError('truncated AudioSpecificConfig');
  return 32 + (((asc.readUInt8(0) & 0x07) << 3) | (asc.readUInt8(1) >> 5));
}

const hex2 = (value: number): string => value.toString(16).padStart(2, '0');

/** RFC 6381 codec string of a track (HLS CODECS, DASH @codecs). */
export function codecString(track: TrackConfig): string {
  if (track.avc) {
    const { profile, compatibility, level } = track.avc;
    return `${track.sampleEntry}.${hex2(profile)}${hex2(compatibility)}${hex2(level)}`;
  }
  if (track.aac) return `mp4a.40.${track.aac.objectType}`;
  throw new Mp4FormatError(`no codec configuration for ${track.sampleEntry}`);
}

/** Smooth Streaming's CodecPrivateData: Annex B SPS+PPS for H.264, the AudioSpecificConfig for AAC. */
export function codecPrivateData(track: TrackConfig): string {
  if (track.avc) {
    const startCode = '00000001';
    return [...track.avc.sps, ...track.avc.pps]
      .map((unit) => startCode + unit.toString('hex'))
      .join('')
      .toUpperCase();
  }
  if (track.aac) return track.aac.audioSpecificConfig.toString('hex').toUpperCase();
  throw new Mp4FormatError(`no codec configuration for ${track.sampleEntry}`);
}
