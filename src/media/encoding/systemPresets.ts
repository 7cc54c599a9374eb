import type { AudioCodec, OutputSpec, Preset, VideoCodec, VideoLayer } from './preset.js';
import { px } from './preset.js';

/**
 * Media Encoder Standard's system presets, with the layer tables Microsoft published for each
 * ("Sample Presets for Media Encoder Standard", articles/media-services/previous/
 * media-services-mes-preset-*.md, and "Perform advanced encoding" for the two audio presets).
 * The adaptive presets have no table: their ladder is computed from the input (ladder.ts).
 */

const MP4_NAME = '{Basename}_{Width}x{Height}_{VideoBitrate}.mp4';
const AUDIO_NAME = '{Basename}_AAC_{AudioBitrate}.mp4';

interface LayerOptions {
  profile?: VideoLayer['profile'];
  level?: string;
  baseline?: boolean;
  frameRate?: number;
}

/** A layer as the published presets write it: VBV peak = average, 5 s buffer, 3 B and 3 reference frames. */
function layer(bitrate: number, width: number, height: number, options: LayerOptions = {}): VideoLayer {
  const baseline = options.baseline ?? false;
  return {
    bitrate,
    maxBitrate: bitrate,
    bufferWindowSec: 5,
    width: px(width),
    height: px(height),
    ...(options.frameRate !== undefined ? { frameRate: options.frameRate } : {}),
    profile: baseline ? 'Baseline' : (options.profile ?? 'Auto'),
    ...(options.level !== undefined ? { level: options.level } : {}),
    bFrames: baseline ? 0 : 3,
    referenceFrames: 3,
    adaptiveBFrame: !baseline,
    entropyMode: baseline ? 'Cavlc' : 'Cabac',
    slices: 0,
  };
}

const video = (layers: VideoLayer[], keyFrameIntervalSec = 2): VideoCodec => ({
  keyFrameIntervalSec,
  // Single-bitrate presets let the encoder add IDR frames at scene changes; MES refused that for
  // multiple layers, whose GOPs must line up.
  sceneChangeDetection: layers.length === 1,
  complexity: 'Balanced',
  stretchMode: 'AutoSize',
  layers,
});

const aac = (bitrate: number, channels = 2, profile: 'AACLC' | 'HEAACV2' = 'AACLC'): AudioCodec => ({
  kind: 'aac',
  profile,
  channels,
  samplingRate: 48000,
  bitrate,
});

const STEREO = aac(128);
const SURROUND = aac(384, 6);
const mp4Output: OutputSpec = { fileName: MP4_NAME, format: 'mp4', streams: 'both' };

function encoded(systemName: string, codec: VideoCodec, audio: AudioCodec): Preset {
  return { systemName, source: { deinterlace: true }, video: codec, audio, images: [], outputs: [mp4Output] };
}

const MBR_1080P = [
  layer(6000, 1920, 1080),
  layer(4700, 1920, 1080),
  layer(3400, 1280, 720),
  layer(2250, 960, 540),
  layer(1500, 960, 540),
  layer(1000, 640, 360),
  layer(650, 640, 360),
  layer(400, 320, 180),
];
const MBR_720P = [
  layer(3400, 1280, 720),
  layer(2250, 960, 540),
  layer(1500, 960, 540),
  layer(1000, 640, 360),
  layer(650, 640, 360),
  layer(400, 320, 180),
];
const MBR_4K = [
  layer(20000, 4096, 2304),
  layer(18000, 3840, 2160),
  layer(16000, 3840, 2160),
  layer(14000, 3840, 2160),
  layer(12000, 2560, 1440),
  layer(10000, 2560, 1440),
  layer(8000, 2560, 1440),
  layer(6000, 1920, 1080),
  layer(4700, 1920, 1080),
  layer(3400, 1280, 720),
  layer(2250, 960, 540),
  layer(1000, 640, 360),
];
const MBR_16X9_SD = [
  layer(1900, 848, 480),
  layer(1300, 848, 480),
  layer(900, 640, 360),
  layer(650, 640, 360),
  layer(400, 432, 240),
];
const MBR_4X3_SD = [
  layer(1600, 640, 480),
  layer(1300, 640, 480),
  layer(800, 480, 360),
  layer(600, 480, 360),
  layer(400, 360, 240),
];
const MBR_16X9_IOS = [
  layer(8500, 1920, 1080, { profile: 'High', level: '4' }),
  layer(6500, 1280, 720, { profile: 'Main', level: '3.1' }),
  layer(5000, 1280, 720, { profile: 'Main', level: '3.1' }),
  layer(3500, 960, 540, { profile: 'Main', level: '3.1' }),
  layer(1200, 640, 360, { baseline: true, level: '3.1' }),
  layer(600, 640, 360, { baseline: true, level: '3' }),
  layer(400, 480, 270, { baseline: true, level: '3' }),
  layer(200, 416, 214, { baseline: true, level: '3' }),
];
const MBR_4X3_IOS = [
  layer(8500, 1920, 1440, { profile: 'High', level: '5' }),
  layer(6500, 1280, 960, { profile: 'Main', level: '3.2' }),
  layer(5000, 1280, 960, { profile: 'Main', level: '3.2' }),
  layer(3500, 960, 720, { profile: 'Main', level: '3.1' }),
  layer(1200, 640, 480, { baseline: true, level: '3.1' }),
  layer(600, 640, 480, { baseline: true, level: '3' }),
  layer(400, 480, 360, { baseline: true, level: '3' }),
  layer(200, 400, 300, { baseline: true, level: '3' }),
];

const table: Preset[] = [
  encoded('H264 Multiple Bitrate 1080p Audio 5.1', video(MBR_1080P), SURROUND),
  encoded('H264 Multiple Bitrate 1080p', video(MBR_1080P), STEREO),
  encoded('H264 Multiple Bitrate 16x9 for iOS', video(MBR_16X9_IOS, 3), aac(64, 2, 'HEAACV2')),
  encoded('H264 Multiple Bitrate 16x9 SD Audio 5.1', video(MBR_16X9_SD), SURROUND),
  encoded('H264 Multiple Bitrate 16x9 SD', video(MBR_16X9_SD), STEREO),
  encoded('H264 Multiple Bitrate 4K Audio 5.1', video(MBR_4K), SURROUND),
  encoded('H264 Multiple Bitrate 4K', video(MBR_4K), STEREO),
  encoded('H264 Multiple Bitrate 4x3 for iOS', video(MBR_4X3_IOS, 3), aac(64, 2, 'HEAACV2')),
  encoded('H264 Multiple Bitrate 4x3 SD Audio 5.1', video(MBR_4X3_SD), SURROUND),
  encoded('H264 Multiple Bitrate 4x3 SD', video(MBR_4X3_SD), STEREO),
  encoded('H264 Multiple Bitrate 720p Audio 5.1', video(MBR_720P), SURROUND),
  encoded('H264 Multiple Bitrate 720p', video(MBR_720P), STEREO),
  encoded('H264 Single Bitrate 1080p Audio 5.1', video([layer(6750, 1920, 1080)]), SURROUND),
  encoded('H264 Single Bitrate 1080p', video([layer(6750, 1920, 1080)]), STEREO),
  encoded('H264 Single Bitrate 4K Audio 5.1', video([layer(18000, 3840, 2160)]), SURROUND),
  encoded('H264 Single Bitrate 4K', video([layer(18000, 3840, 2160)]), STEREO),
  encoded('H264 Single Bitrate 4x3 SD Audio 5.1', video([layer(1800, 640, 480)]), SURROUND),
  encoded('H264 Single Bitrate 4x3 SD', video([layer(1800, 640, 480)]), STEREO),
  encoded('H264 Single Bitrate 16x9 SD Audio 5.1', video([layer(2200, 848, 480)]), SURROUND),
  encoded('H264 Single Bitrate 16x9 SD', video([layer(2200, 848, 480)]), STEREO),
  encoded('H264 Single Bitrate 720p Audio 5.1', video([layer(4500, 1280, 720)]), SURROUND),
  encoded(
    'H264 Single Bitrate 720p for Android',
    video([layer(2000, 1280, 720, { baseline: true, level: '3.1' })], 5),
    aac(192),
  ),
  encoded('H264 Single Bitrate 720p', video([layer(4500, 1280, 720)]), STEREO),
  encoded(
    'H264 Single Bitrate High Quality SD for Android',
    video([layer(500, 480, 360, { baseline: true, level: '3' })], 5),
    STEREO,
  ),
  encoded(
    'H264 Single Bitrate Low Quality SD for Android',
    video([layer(56, 176, 144, { baseline: true, level: '2', frameRate: 12 })], 5),
    aac(24, 2, 'HEAACV2'),
  ),
  {
    systemName: 'Adaptive Streaming',
    adaptive: 'AdaptiveStreaming',
    source: { deinterlace: true },
    video: video([]),
    audio: STEREO,
    images: [],
    // Video and audio in separate MP4s: what dynamic packaging prefers.
    outputs: [
      { fileName: MP4_NAME, format: 'mp4', streams: 'video' },
      { fileName: AUDIO_NAME, format: 'mp4', streams: 'audio' },
    ],
  },
  {
    systemName: 'Content Adaptive Multiple Bitrate MP4',
    adaptive: 'ContentAdaptiveMultipleBitrateMP4',
    source: { deinterlace: true },
    video: video([]),
    audio: STEREO,
    images: [],
    outputs: [mp4Output],
  },
  {
    systemName: 'AAC Good Quality Audio',
    source: { deinterlace: true },
    audio: aac(192),
    images: [],
    outputs: [{ fileName: AUDIO_NAME, format: 'mp4', streams: 'both' }],
  },
  {
    systemName: 'AAC Audio',
    source: { deinterlace: true },
    audio: STEREO,
    images: [],
    outputs: [{ fileName: AUDIO_NAME, format: 'mp4', streams: 'both' }],
  },
];

// Both adaptive presets produce GOP-aligned layers by definition.
for (const preset of table) if (preset.adaptive && preset.video) preset.video.sceneChangeDetection = false;

/** Other spellings clients sent (the v3 enum's word order, "SD 16x9"). */
const aliases: Record<string, string> = {
  'h264 single bitrate sd 16x9': 'H264 Single Bitrate 16x9 SD',
  'h264 single bitrate sd 4x3': 'H264 Single Bitrate 4x3 SD',
  'h264 multiple bitrate sd 16x9': 'H264 Multiple Bitrate 16x9 SD',
  'h264 multiple bitrate sd 4x3': 'H264 Multiple Bitrate 4x3 SD',
};

const byName = new Map(table.map((preset) => [preset.systemName!.toLowerCase(), preset]));

/** Every system preset name, as Microsoft spelled it. */
export const SYSTEM_PRESETS: readonly string[] = Object.freeze(table.map((preset) => preset.systemName!));

/** A fresh copy of the named system preset (names compare case-insensitively), or undefined. */
export function systemPreset(name: string): Preset | undefined {
  const key = name.trim().replace(/\s+/g, ' ').toLowerCase();
  const preset = byName.get(key) ?? byName.get(aliases[key]?.toLowerCase() ?? '');
  return preset ? structuredClone(preset) : undefined;
}
