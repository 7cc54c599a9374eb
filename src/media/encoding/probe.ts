import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EncodingError, abortError, encodingErrorCodes } from './errors.js';
import type { FfmpegTools } from './ffmpegBinary.js';
import { parseRational } from './times.js';

/** What every track reports, for the input metadata file. Bitrates are bits per second. */
interface TrackInfo {
  /** The stream's index in the file. */
  index: number;
  codec: string;
  codecLongName: string;
  profile?: string;
  /** "1/12800". */
  timeBase: string;
  frames?: number;
  startMs: number;
  durationMs?: number;
  bitrate: number;
  disposition: Record<string, number>;
  tags: Record<string, string>;
}

export interface VideoInfo extends TrackInfo {
  /** "avc1"; "[0][0][0][0]" when the container has none. */
  fourCC: string;
  level?: string;
  pixelFormat: string;
  /** Coded size. */
  width: number;
  height: number;
  /** The picture as shown: sample aspect ratio applied, then the rotation. */
  displayWidth: number;
  displayHeight: number;
  sampleAspectRatio: [number, number];
  displayAspectRatio: [number, number];
  frameRate: number;
  /** Degrees clockwise the player must turn the picture (ffmpeg turns it while decoding). */
  rotation: number;
  interlaced: boolean;
  hasBFrames: number;
}

export interface AudioInfo extends TrackInfo {
  channels: number;
  channelLayout?: string;
  sampleRate: number;
  sampleFormat?: string;
  bitsPerSample: number;
}

export interface MediaInfo {
  durationMs: number;
  /** ffmpeg's demuxer names: "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  formatLongName: string;
  size: number;
  /** Overall bits per second. */
  bitrate: number;
  startMs: number;
  streamCount: number;
  tags: Record<string, string>;
  /** The first video stream (cover art excluded) and the first audio stream: the ones encoded. */
  video?: VideoInfo;
  audio?: AudioInfo;
  videoStreams: VideoInfo[];
  audioStreams: AudioInfo[];
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  codec_tag_string?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_aspect_ratio?: string;
  display_aspect_ratio?: string;
  field_order?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  time_base?: string;
  start_time?: string;
  duration?: string;
  bit_rate?: string;
  nb_frames?: string;
  has_b_frames?: number;
  sample_fmt?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  bits_per_sample?: number;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    format_long_name?: string;
    nb_streams?: number;
    start_time?: string;
    duration?: string;
    size?: string;
    bit_rate?: string;
    tags?: Record<string, string>;
  };
}

const number = (value: string | number | undefined): number | undefined => {
  if (value === undefined || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

const seconds = (value: string | undefined): number | undefined => {
  const n = number(value);
  return n === undefined ? undefined : Math.round(n * 1000);
};

function ratio(value: string | undefined, fallback: [number, number]): [number, number] {
  const [n, d] = (value ?? '').split(':').map(Number);
  return n && d && Number.isFinite(n) && Number.isFinite(d) ? [n, d] : fallback;
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** H.264 reports level 31 for 3.1 (and 9 for 1b); other codecs' numbers are kept as they are. */
function formatLevel(codec: string, level: number | undefined): string | undefined {
  if (level === undefined || level < 0) return undefined;
  if (codec !== 'h264') return String(level);
  if (level === 9) return '1b';
  return (level / 10).toFixed(1);
}

function rotationOf(stream: FfprobeStream): number {
  const fromSideData = stream.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation;
  // ffprobe reports the display matrix's counter-clockwise angle (-90 for a phone held upright);
  // the old `rotate` tag is clockwise.
  const clockwise = fromSideData !== undefined ? -fromSideData : Number(stream.tags?.rotate ?? 0);
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

function track(stream: FfprobeStream): TrackInfo {
  const startMs = seconds(stream.start_time) ?? 0;
  const durationMs = seconds(stream.duration);
  const frames = number(stream.nb_frames);
  return {
    index: stream.index ?? 0,
    codec: stream.codec_name ?? 'unknown',
    codecLongName: stream.codec_long_name ?? stream.codec_name ?? 'unknown',
    ...(stream.profile && stream.profile !== 'unknown' ? { profile: stream.profile } : {}),
    timeBase: stream.time_base ?? '1/1000',
    ...(frames !== undefined ? { frames } : {}),
    startMs,
    ...(durationMs !== undefined ? { durationMs } : {}),
    bitrate: number(stream.bit_rate) ?? 0,
    disposition: stream.disposition ?? {},
    tags: stream.tags ?? {},
  };
}

function videoInfo(stream: FfprobeStream): VideoInfo | undefined {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) return undefined;
  const sar = ratio(stream.sample_aspect_ratio, [1, 1]);
  const rotation = rotationOf(stream);
  const shownWidth = Math.round((width * sar[0]) / sar[1]);
  const turned = rotation === 90 || rotation === 270;
  const divisor = gcd(shownWidth, height) || 1;
  const codec = stream.codec_name ?? 'unknown';
  const level = formatLevel(codec, stream.level);
  return {
    ...track(stream),
    fourCC: stream.codec_tag_string ?? '[0][0][0][0]',
    ...(level !== undefined ? { level } : {}),
    pixelFormat: stream.pix_fmt ?? 'unknown',
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    sampleAspectRatio: sar,
    displayAspectRatio: ratio(stream.display_aspect_ratio, [shownWidth / divisor, height / divisor]),
    frameRate: parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate) ?? 25,
    rotation,
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(stream.field_order ?? ''),
    hasBFrames: stream.has_b_frames ?? 0,
  };
}

function audioInfo(stream: FfprobeStream): AudioInfo | undefined {
  const channels = stream.channels ?? 0;
  const sampleRate = number(stream.sample_rate) ?? 0;
  if (channels <= 0 || sampleRate <= 0) return undefined;
  return {
    ...track(stream),
    channels,
    ...(stream.channel_layout ? { channelLayout: stream.channel_layout } : {}),
    sampleRate,
    ...(stream.sample_fmt ? { sampleFormat: stream.sample_fmt } : {}),
    bitsPerSample: stream.bits_per_sample ?? 0,
  };
}

/** ffprobe's JSON, read into the shape the planner and the metadata files use. Pure. */
export function mediaInfoFromFfprobe(output: FfprobeOutput, fileSize: number): MediaInfo {
  const streams = output.streams ?? [];
  const format = output.format ?? {};
  const videoStreams = streams
    .filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
    .map(videoInfo)
    .filter((v): v is VideoInfo => v !== undefined);
  const audioStreams = streams
    .filter((s) => s.codec_type === 'audio')
    .map(audioInfo)
    .filter((a): a is AudioInfo => a !== undefined);
  const trackDurations = [...videoStreams, ...audioStreams].map((t) => t.durationMs ?? 0);
  const durationMs = seconds(format.duration) ?? Math.max(0, ...trackDurations);
  const size = number(format.size) ?? fileSize;
  const bitrate = number(format.bit_rate) ?? (durationMs > 0 ? Math.round((size * 8000) / durationMs) : 0);
  const video = videoStreams[0];
  const audio = audioStreams[0];
  // Containers without per-stream bitrates (Matroska, WebM): the video gets what the audio leaves.
  if (video && !video.bitrate && bitrate) video.bitrate = Math.max(0, bitrate - (audio?.bitrate ?? 0));
  return {
    durationMs,
    formatName: format.format_name ?? 'unknown',
    formatLongName: format.format_long_name ?? format.format_name ?? 'unknown',
    size,
    bitrate,
    startMs: seconds(format.start_time) ?? 0,
    streamCount: format.nb_streams ?? streams.length,
    tags: format.tags ?? {},
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
    videoStreams,
    audioStreams,
  };
}

/** ffmpeg's complaint without its "[mov,mp4,… @ 0x…] " and "path: " prefixes, one clause per line. */
export function ffmpegComplaint(stderr: string, path?: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .map((line) => (path && line.startsWith(`${path}: `) ? line.slice(path.length + 2) : line))
    .filter((line) => line.length > 0);
  return [...new Set(lines)].slice(-4).join('; ') || 'no reason given';
}

/**
 * The streams and format of a media file, by ffprobe. A missing, empty or unreadable file is an
 * EncodingError (ErrorDownloadingInputAssetMalformedContent) that names the file and says why.
 */
export async function probe(
  tools: FfmpegTools,
  path: string,
  options: { signal?: AbortSignal; name?: string } = {},
): Promise<MediaInfo> {
  const name = options.name ?? basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new EncodingError(encodingErrorCodes.inputMalformed, `The input file '${name}' does not exist.`);
  }
  if (size === 0)
    throw new EncodingError(encodingErrorCodes.inputMalformed, `The input file '${name}' is empty.`);
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  const { stdout, stderr, error } = await new Promise<{
    stdout: string;
    stderr: string;
    error: Error | null;
  }>((resolve) => {
    execFile(
      tools.ffprobe,
      args,
      { maxBuffer: 32 * 1024 * 1024, timeout: 60_000, ...(options.signal ? { signal: options.signal } : {}) },
      (err, out, errText) => resolve({ stdout: String(out), stderr: String(errText), error: err }),
    );
  });
  if (options.signal?.aborted) throw abortError(options.signal);
  if (error) {
    throw new EncodingError(
      encodingErrorCodes.inputMalformed,
      `The input file '${name}' is not media that ffmpeg can read (ffmpeg: ${ffmpegComplaint(stderr, path)}).`,
    );
  }
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(stdout) as FfprobeOutput;
  } catch {
    throw new EncodingError(
      encodingErrorCodes.processing,
      `ffprobe printed no readable description of '${name}'.`,
    );
  }
  return mediaInfoFromFfprobe(parsed, size);
}
