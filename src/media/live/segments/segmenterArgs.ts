import { ffmpegInput } from '../../streaming/runTool.js';
import type { LiveLayer } from './liveLadder.js';

/**
 * The ffmpeg commands of the live pipeline. Each writes one run: per track (every video layer,
 * the audio) a folder with an fMP4 init segment, numbered media segments and the HLS playlist
 * ffmpeg keeps, which is only read to learn that a segment is complete. The manifests players
 * see are Tessera's own (origin/), built from the segments' real times.
 */

export interface TrackPlan {
  /** Its folder and its name in manifests: `video_0` (tallest) … `audio`. */
  name: string;
  kind: 'video' | 'audio';
  /** kbps, for encoded tracks. */
  targetBitrate?: number;
}

export interface SegmenterCommand {
  args: string[];
  tracks: TrackPlan[];
}

const HEAD = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];
const AUDIO_KBPS = 128;
const SLATE_VIDEO_KBPS = 300;
const SLATE_AUDIO_KBPS = 64;
const SLATE_FPS = 25;

const aac = (kbps: number) => ['-c:a', 'aac', '-b:a', `${kbps}k`, '-ar', '48000', '-ac', '2'];

/** The HLS muxer writing `<track>/init_N.mp4`, `<track>/seg_<n>.m4s`, `<track>/index.m3u8`. */
function hlsOutput(segmentSeconds: number, tracks: readonly TrackPlan[]): string[] {
  let video = 0;
  const map = tracks
    .map((t) => (t.kind === 'video' ? `v:${video++},name:${t.name}` : `a:0,name:${t.name}`))
    .join(' ');
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    // Tessera keeps the index; ffmpeg's playlist only needs to outlive a few polls.
    '-hls_list_size',
    '10',
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments+temp_file',
    '-var_stream_map',
    map,
    '-hls_fmp4_init_filename',
    'init.mp4',
    '-hls_segment_filename',
    '%v/seg_%d.m4s',
    '%v/index.m3u8',
  ];
}

export interface PublisherOptions {
  segmentSeconds: number;
  /** copy: AAC as sent; encode: another codec made AAC; silence: the stream has none. */
  audio: 'copy' | 'encode' | 'silence';
  /** copy (pass-through), or the layers of a Standard channel. */
  video: 'copy' | { layers: readonly LiveLayer[]; x264Preset: string };
}

/** A publisher's FLV on stdin → the channel's tracks. */
export function publisherCommand(options: PublisherOptions): SegmenterCommand {
  const args = [...HEAD, '-f', 'flv', '-i', 'pipe:0'];
  if (options.audio === 'silence') args.push('-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo');
  const tracks: TrackPlan[] = [];
  if (options.video === 'copy') {
    args.push('-map', '0:v:0', '-c:v', 'copy');
    tracks.push({ name: 'video_0', kind: 'video' });
  } else {
    const { layers, x264Preset } = options.video;
    const outputs = layers.map((_, i) => `[v${i}]`);
    const split = `[0:v]split=${layers.length}${layers.map((_, i) => `[s${i}]`).join('')}`;
    const scales = layers.map(
      (l, i) =>
        `[s${i}]scale=${l.width}:${l.height}:force_original_aspect_ratio=decrease,` +
        `pad=${l.width}:${l.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p${outputs[i]}`,
    );
    args.push('-filter_complex', [split, ...scales].join(';'));
    for (const output of outputs) args.push('-map', output);
    args.push(
      ...['-c:v', 'libx264', '-preset', x264Preset, '-tune', 'zerolatency', '-profile:v', 'main'],
      // Every layer's key frames at the same times, so their segments line up.
      ...['-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${options.segmentSeconds})`],
    );
    layers.forEach((layer, i) => {
      args.push(
        `-b:v:${i}`,
        `${layer.bitrate}k`,
        `-maxrate:v:${i}`,
        `${layer.bitrate}k`,
        `-bufsize:v:${i}`,
        `${layer.bitrate * 2}k`,
      );
      tracks.push({ name: `video_${i}`, kind: 'video', targetBitrate: layer.bitrate });
    });
  }
  if (options.audio === 'silence') {
    args.push('-map', '1:a:0', ...aac(AUDIO_KBPS), '-shortest');
  } else {
    args.push('-map', '0:a:0', ...(options.audio === 'copy' ? ['-c:a', 'copy'] : aac(AUDIO_KBPS)));
  }
  tracks.push({
    name: 'audio',
    kind: 'audio',
    ...(options.audio === 'copy' ? {} : { targetBitrate: AUDIO_KBPS }),
  });
  args.push(...hlsOutput(options.segmentSeconds, tracks));
  return { args, tracks };
}

export interface SlateOptions {
  segmentSeconds: number;
  width: number;
  height: number;
  /** A JPEG/PNG to show; none: a generated slate. */
  image: string | undefined;
  /** Seconds; none: until stopped. */
  durationSeconds: number | undefined;
}

/** A still picture and silence, in real time, as a run of its own. */
export function slateCommand(options: SlateOptions): SegmenterCommand {
  const { width, height } = options;
  const fit =
    `scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p`;
  const args = [...HEAD];
  if (options.image) {
    args.push('-re', '-loop', '1', '-framerate', String(SLATE_FPS), '-i', ffmpegInput(options.image));
  } else {
    // Tessera's slate: a dark field with a band across it, "stand by" without a font dependency.
    const band = Math.max(2, Math.round(height / 20) * 2);
    args.push(
      '-re',
      '-f',
      'lavfi',
      '-i',
      `color=c=0x14213d:s=${width}x${height}:r=${SLATE_FPS},` +
        `drawbox=x=0:y=${Math.round((height - band) / 2)}:w=${width}:h=${band}:color=0xfca311:t=fill`,
    );
  }
  args.push('-re', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo');
  if (options.durationSeconds !== undefined) args.push('-t', String(options.durationSeconds));
  const gop = String(SLATE_FPS * options.segmentSeconds);
  args.push(
    ...['-map', '0:v:0', '-map', '1:a:0', '-vf', fit, '-r', String(SLATE_FPS)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'main'],
    ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-b:v', `${SLATE_VIDEO_KBPS}k`],
    ...aac(SLATE_AUDIO_KBPS),
  );
  const tracks: TrackPlan[] = [
    { name: 'video_0', kind: 'video', targetBitrate: SLATE_VIDEO_KBPS },
    { name: 'audio', kind: 'audio', targetBitrate: SLATE_AUDIO_KBPS },
  ];
  args.push(...hlsOutput(options.segmentSeconds, tracks));
  return { args, tracks };
}
