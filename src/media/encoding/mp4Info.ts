import { open } from 'node:fs/promises';
import type { AudioInfo, MediaInfo, VideoInfo } from './probe.js';

/**
 * What the output manifests need to know about an MP4 this encoder wrote, read from its `moov`
 * box instead of by ffprobe: starting ffprobe costs more than a small encode's whole tail (tens
 * of milliseconds each on an idle machine, most of a second on a busy one), and the encoder's own
 * files hold nothing the box tree does not tell. Reads H.264 (`avc1`/`avc3`) video and AAC
 * (`mp4a`) audio tracks; returns undefined for anything it cannot read, and the caller then
 * falls back to ffprobe.
 */

interface Box {
  type: string;
  /** Payload bounds inside the buffer. */
  start: number;
  end: number;
}

function* boxes(buffer: Buffer, start: number, end: number): Generator<Box> {
  let at = start;
  while (at + 8 <= end) {
    let size = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return;
      size = Number(buffer.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) return;
    yield { type, start: at + header, end: at + size };
    at += size;
  }
}

const find = (buffer: Buffer, parent: Box, type: string): Box | undefined => {
  for (const box of boxes(buffer, parent.start, parent.end)) if (box.type === type) return box;
  return undefined;
};

const path = (buffer: Buffer, parent: Box, ...types: string[]): Box | undefined =>
  types.reduce<Box | undefined>((box, type) => (box ? find(buffer, box, type) : undefined), parent);

/** mvhd/mdhd: [timescale, duration]. */
function header(buffer: Buffer, box: Box): [number, number] {
  const version = buffer.readUInt8(box.start);
  return version === 1
    ? [buffer.readUInt32BE(box.start + 20), Number(buffer.readBigUInt64BE(box.start + 24))]
    : [buffer.readUInt32BE(box.start + 12), buffer.readUInt32BE(box.start + 16)];
}

function language(buffer: Buffer, mdhd: Box): string {
  const version = buffer.readUInt8(mdhd.start);
  const packed = buffer.readUInt16BE(mdhd.start + (version === 1 ? 32 : 20));
  const code = [10, 5, 0].map((shift) => String.fromCharCode(((packed >> shift) & 0x1f) + 0x60)).join('');
  return /^[a-z]{3}$/.test(code) ? code : 'und';
}

/** Total bytes and count of the samples (stsz). */
function sampleBytes(buffer: Buffer, stsz: Box): { bytes: number; count: number } {
  const fixed = buffer.readUInt32BE(stsz.start + 4);
  const count = buffer.readUInt32BE(stsz.start + 8);
  if (fixed) return { bytes: fixed * count, count };
  let bytes = 0;
  const first = stsz.start + 12;
  for (let i = 0; i < count && first + i * 4 + 4 <= stsz.end; i++)
    bytes += buffer.readUInt32BE(first + i * 4);
  return { bytes, count };
}

const H264_PROFILES: Record<number, string> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
};

/** The AudioSpecificConfig inside esds: object type and channel configuration. */
function audioConfig(buffer: Buffer, esds: Box): { objectType: number; channels: number } | undefined {
  let at = esds.start + 4;
  // Descriptors: tag, then a size in 1–4 bytes of 7 bits each.
  const descriptor = (): { tag: number; start: number; end: number } | undefined => {
    if (at + 2 > esds.end) return undefined;
    const tag = buffer.readUInt8(at++);
    let size = 0;
    for (let i = 0; i < 4; i++) {
      const byte = buffer.readUInt8(at++);
      size = (size << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return { tag, start: at, end: Math.min(at + size, esds.end) };
  };
  const es = descriptor();
  if (es?.tag !== 3) return undefined;
  const flags = buffer.readUInt8(at + 2);
  at +=
    3 + (flags & 0x80 ? 2 : 0) + (flags & 0x40 ? 1 + buffer.readUInt8(at + 3) : 0) + (flags & 0x20 ? 2 : 0);
  const config = descriptor();
  if (config?.tag !== 4) return undefined;
  // MPEG-4 AAC (0x40) or MPEG-2 AAC (0x66–0x68); MP3 and others are left to ffprobe.
  const objectTypeIndication = buffer.readUInt8(config.start);
  if (objectTypeIndication !== 0x40 && (objectTypeIndication < 0x66 || objectTypeIndication > 0x68))
    return undefined;
  at += 13;
  const specific = descriptor();
  if (specific?.tag !== 5 || specific.end - specific.start < 2) return undefined;
  const asc = buffer.readUInt16BE(specific.start);
  return { objectType: asc >> 11, channels: (asc >> 3) & 0x0f };
}

const AAC_PROFILES: Record<number, string> = { 1: 'Main', 2: 'LC', 5: 'HE-AAC', 29: 'HE-AACv2' };

function track(
  buffer: Buffer,
  trak: Box,
  index: number,
): { video?: VideoInfo; audio?: AudioInfo } | undefined {
  const mdhd = path(buffer, trak, 'mdia', 'mdhd');
  const hdlr = path(buffer, trak, 'mdia', 'hdlr');
  const stbl = path(buffer, trak, 'mdia', 'minf', 'stbl');
  const stsd = stbl && find(buffer, stbl, 'stsd');
  const stsz = stbl && find(buffer, stbl, 'stsz');
  if (!mdhd || !hdlr || !stsd || !stsz) return undefined;
  const [timescale, duration] = header(buffer, mdhd);
  const durationMs = timescale ? Math.round((duration * 1000) / timescale) : 0;
  const { bytes, count } = sampleBytes(buffer, stsz);
  const bitrate = durationMs ? Math.round((bytes * 8000) / durationMs) : 0;
  const handler = buffer.toString('latin1', hdlr.start + 8, hdlr.start + 12);
  const entry = [...boxes(buffer, stsd.start + 8, stsd.end)][0];
  if (!entry) return undefined;
  const common = {
    index,
    timeBase: `1/${timescale}`,
    frames: count,
    startMs: 0,
    durationMs,
    bitrate,
    disposition: { default: 1 },
    tags: { language: language(buffer, mdhd) },
  };
  if (handler === 'vide' && (entry.type === 'avc1' || entry.type === 'avc3')) {
    const width = buffer.readUInt16BE(entry.start + 24);
    const height = buffer.readUInt16BE(entry.start + 26);
    const avcC = find(buffer, { type: entry.type, start: entry.start + 78, end: entry.end }, 'avcC');
    if (!avcC || !width || !height) return undefined;
    const profileIdc = buffer.readUInt8(avcC.start + 1);
    const constraints = buffer.readUInt8(avcC.start + 2);
    const levelIdc = buffer.readUInt8(avcC.start + 3);
    let profile = H264_PROFILES[profileIdc] ?? String(profileIdc);
    if (profileIdc === 66 && constraints & 0x40) profile = 'Constrained Baseline';
    return {
      video: {
        ...common,
        codec: 'h264',
        codecLongName: 'H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10',
        profile,
        fourCC: entry.type,
        level: (levelIdc / 10).toFixed(1),
        pixelFormat: 'yuv420p',
        width,
        height,
        displayWidth: width,
        displayHeight: height,
        sampleAspectRatio: [1, 1],
        displayAspectRatio: [width, height],
        frameRate: durationMs ? (count * 1000) / durationMs : 0,
        rotation: 0,
        interlaced: false,
        hasBFrames: 0,
      },
    };
  }
  if (handler === 'soun' && entry.type === 'mp4a') {
    const sampleRate = buffer.readUInt32BE(entry.start + 24) >>> 16;
    const esds = find(buffer, { type: 'mp4a', start: entry.start + 28, end: entry.end }, 'esds');
    const config = esds && audioConfig(buffer, esds);
    if (!config) return undefined;
    const channels = config.channels || buffer.readUInt16BE(entry.start + 16);
    return {
      audio: {
        ...common,
        codec: 'aac',
        codecLongName: 'AAC (Advanced Audio Coding)',
        profile: AAC_PROFILES[config.objectType] ?? 'LC',
        channels: channels === 7 ? 8 : channels,
        sampleRate,
        sampleFormat: 'fltp',
        bitsPerSample: 16,
      },
    };
  }
  return undefined;
}

const MAX_MOOV = 256 * 1024 * 1024;

export async function readMp4Info(filePath: string): Promise<MediaInfo | undefined> {
  const file = await open(filePath, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(16);
    let at = 0;
    let moov: Buffer | undefined;
    while (at + 8 <= size) {
      const { bytesRead } = await file.read(head, 0, 16, at);
      if (bytesRead < 8) break;
      let boxSize = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (boxSize === 1 && bytesRead >= 16) boxSize = Number(head.readBigUInt64BE(8));
      else if (boxSize === 0) boxSize = size - at;
      if (boxSize < 8) return undefined;
      if (type === 'moov') {
        if (boxSize > MAX_MOOV) return undefined;
        moov = Buffer.alloc(boxSize);
        await file.read(moov, 0, boxSize, at);
        break;
      }
      at += boxSize;
    }
    if (!moov) return undefined;
    const root: Box = { type: 'moov', start: 8, end: moov.length };
    const mvhd = find(moov, root, 'mvhd');
    if (!mvhd) return undefined;
    const [timescale, duration] = header(moov, mvhd);
    const durationMs = timescale ? Math.round((duration * 1000) / timescale) : 0;
    const videoStreams: VideoInfo[] = [];
    const audioStreams: AudioInfo[] = [];
    let index = 0;
    for (const trak of boxes(moov, root.start, root.end)) {
      if (trak.type !== 'trak') continue;
      const read = track(moov, trak, index++);
      if (!read) return undefined;
      if (read.video) videoStreams.push(read.video);
      if (read.audio) audioStreams.push(read.audio);
    }
    if (videoStreams.length + audioStreams.length === 0) return undefined;
    return {
      durationMs,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      formatLongName: 'QuickTime / MOV',
      size,
      bitrate: durationMs ? Math.round((size * 8000) / durationMs) : 0,
      startMs: 0,
      streamCount: index,
      tags: {},
      ...(videoStreams[0] ? { video: videoStreams[0] } : {}),
      ...(audioStreams[0] ? { audio: audioStreams[0] } : {}),
      videoStreams,
      audioStreams,
    };
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}
