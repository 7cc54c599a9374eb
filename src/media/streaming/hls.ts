import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import type { PackageLayout, PackagingJob } from './packagingJob.js';
import { FFMPEG_HEAD, SEGMENT_SECONDS } from './packagingJob.js';
import type { SourceTrack } from './presentation.js';
import { ffmpegInput, runTool } from './runTool.js';

/**
 * HLS. Two flavours: fMP4 segments (protocol version 7, audio as an EXT-X-MEDIA rendition
 * group; for `m3u8-aapl` and `m3u8-cmaf`) and MPEG-TS segments with the audio muxed into every
 * variant (protocol version 3; for `m3u8-aapl-v3`, whose players predate EXT-X-MAP). ffmpeg
 * writes each media playlist and its segments; the master playlist is written here, from the
 * probed tracks and the segments' real sizes.
 */
const MASTER = 'master.m3u8';

interface MediaPlaylistStats {
  /** Bits per second of the largest segment, and of the whole playlist. */
  peak: number;
  average: number;
}

const m3u8Attribute = (value: string): string => `"${value.replace(/["\r\n]/g, '')}"`;

/** ffmpeg's hls muxer into `dir`, run from that directory so every URI it writes is relative. */
async function segment(
  tools: FfmpegTools,
  dir: string,
  tracks: readonly SourceTrack[],
  type: 'fmp4' | 'mpegts',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files = [...new Set(tracks.map((t) => t.file.path))];
  const args: string[] = [...FFMPEG_HEAD];
  for (const path of files) args.push('-i', ffmpegInput(path));
  for (const track of tracks) {
    args.push(
      '-map',
      `${files.indexOf(track.file.path)}:${track.kind === 'video' ? 'v' : 'a'}:${track.ordinal}`,
    );
  }
  args.push('-c', 'copy', '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS));
  args.push('-hls_playlist_type', 'vod', '-hls_list_size', '0', '-hls_segment_type', type);
  if (type === 'fmp4')
    args.push('-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', 'seg_%d.m4s');
  else args.push('-hls_segment_filename', 'seg_%d.ts');
  args.push('index.m3u8');
  await runTool(tools.ffmpeg, args, dir);
}

/** Peak and average bit rates of a media playlist's segments (EXTINF durations, file sizes). */
async function playlistStats(dir: string): Promise<MediaPlaylistStats> {
  const lines = (await readFile(join(dir, 'index.m3u8'), 'utf8')).split(/\r?\n/);
  let duration: number | undefined;
  let peak = 0;
  let totalBits = 0;
  let totalSeconds = 0;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && duration !== undefined) {
      const bits = (await stat(join(dir, line))).size * 8;
      if (duration > 0) peak = Math.max(peak, bits / duration);
      totalBits += bits;
      totalSeconds += duration;
      duration = undefined;
    }
  }
  if (totalSeconds === 0) throw new Error(`ffmpeg wrote no segments into ${dir}`);
  return { peak: Math.ceil(peak), average: Math.ceil(totalBits / totalSeconds) };
}

function videoAttributes(video: SourceTrack): string {
  let attrs = '';
  if (video.width && video.height) attrs += `,RESOLUTION=${video.width}x${video.height}`;
  if (video.frameRate) attrs += `,FRAME-RATE=${video.frameRate.toFixed(3)}`;
  return attrs;
}

export async function packageHlsFmp4(job: PackagingJob): Promise<PackageLayout> {
  const { presentation, tools, workDir, urlPrefix } = job;
  const { videos, audio } = presentation;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  let audioStats: MediaPlaylistStats | undefined;
  if (audio) {
    await segment(tools, join(workDir, 'audio'), [audio], 'fmp4');
    audioStats = await playlistStats(join(workDir, 'audio'));
    if (videos.length > 0) {
      let media = `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME=${m3u8Attribute(audio.name ?? audio.language ?? 'audio')}`;
      if (audio.language) media += `,LANGUAGE=${m3u8Attribute(audio.language)}`;
      media += ',DEFAULT=YES,AUTOSELECT=YES';
      if (audio.channels) media += `,CHANNELS="${audio.channels}"`;
      lines.push(`${media},URI="${urlPrefix}audio/index.m3u8"`);
    }
  }
  for (const [i, video] of videos.entries()) {
    const dir = join(workDir, `video_${i}`);
    await segment(tools, dir, [video], 'fmp4');
    const stats = await playlistStats(dir);
    const peak = stats.peak + (audioStats?.peak ?? 0);
    const average = stats.average + (audioStats?.average ?? 0);
    const codecs = audio ? `${video.codec},${audio.codec}` : video.codec;
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${average}${videoAttributes(video)},CODECS="${codecs}"${audio ? ',AUDIO="audio"' : ''}`,
      `${urlPrefix}video_${i}/index.m3u8`,
    );
  }
  if (videos.length === 0 && audio && audioStats) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${audioStats.peak},AVERAGE-BANDWIDTH=${audioStats.average},CODECS="${audio.codec}"`,
      `${urlPrefix}audio/index.m3u8`,
    );
  }
  await writeFile(join(workDir, MASTER), lines.join('\n') + '\n');
  return { manifest: MASTER, manifestType: 'application/vnd.apple.mpegurl', audioPrefixes: ['audio/'] };
}

export async function packageHlsTs(job: PackagingJob): Promise<PackageLayout> {
  const { presentation, tools, workDir, urlPrefix } = job;
  const { videos, audio } = presentation;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const [i, video] of videos.entries()) {
    const dir = join(workDir, `video_${i}`);
    await segment(tools, dir, audio ? [video, audio] : [video], 'mpegts');
    const stats = await playlistStats(dir);
    const codecs = audio ? `${video.codec},${audio.codec}` : video.codec;
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${stats.peak},AVERAGE-BANDWIDTH=${stats.average}${videoAttributes(video)},CODECS="${codecs}"`,
      `${urlPrefix}video_${i}/index.m3u8`,
    );
  }
  if (videos.length === 0 && audio) {
    const dir = join(workDir, 'audio');
    await segment(tools, dir, [audio], 'mpegts');
    const stats = await playlistStats(dir);
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${stats.peak},AVERAGE-BANDWIDTH=${stats.average},CODECS="${audio.codec}"`,
      `${urlPrefix}audio/index.m3u8`,
    );
  }
  await writeFile(join(workDir, MASTER), lines.join('\n') + '\n');
  return { manifest: MASTER, manifestType: 'application/vnd.apple.mpegurl', audioPrefixes: ['audio/'] };
}
