/**
 * FLV, the container RTMP's audio, video and data messages map onto one to one: what the
 * segmenter's ffmpeg reads on its stdin (`-f flv -i pipe:0`).
 */

export const FlvTagType = { audio: 8, video: 9, script: 18 } as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

export interface FlvTag {
  type: FlvTagType;
  /** Milliseconds. */
  timestamp: number;
  data: Buffer;
}

/** The file header and the first (zero) previous-tag size. */
export function flvHeader(streams: { audio: boolean; video: boolean }): Buffer {
  const header = Buffer.alloc(13);
  header.write('FLV', 0, 'latin1');
  header[3] = 1;
  header[4] = (streams.audio ? 0x04 : 0) | (streams.video ? 0x01 : 0);
  header.writeUInt32BE(9, 5);
  return header;
}

export function flvTag(tag: FlvTag): Buffer {
  const out = Buffer.alloc(11 + tag.data.length + 4);
  out[0] = tag.type;
  out.writeUIntBE(tag.data.length, 1, 3);
  const timestamp = tag.timestamp >>> 0;
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = (timestamp >>> 24) & 0xff;
  tag.data.copy(out, 11);
  out.writeUInt32BE(11 + tag.data.length, 11 + tag.data.length);
  return out;
}

/** FLV's video codec ids (the low nibble of a video tag's first byte). */
export const VideoCodecId = { avc: 7 } as const;
/** FLV's sound formats (the high nibble of an audio tag's first byte). */
export const SoundFormat = { mp3: 2, aac: 10 } as const;

/** An enhanced-RTMP video tag (HEVC, AV1, VP9 by FourCC) sets the high bit of the first byte. */
export const isEnhancedVideo = (data: Buffer): boolean => data.length > 0 && (data[0]! & 0x80) !== 0;
export const videoCodecOf = (data: Buffer): number => (data.length > 0 ? data[0]! & 0x0f : -1);
export const isKeyFrame = (data: Buffer): boolean => data.length > 0 && data[0]! >> 4 === 1;
/** An AVC sequence header (AVCDecoderConfigurationRecord), not a picture. */
export const isAvcSequenceHeader = (data: Buffer): boolean =>
  videoCodecOf(data) === VideoCodecId.avc && data.length > 1 && data[1] === 0;
export const soundFormatOf = (data: Buffer): number => (data.length > 0 ? data[0]! >> 4 : -1);
