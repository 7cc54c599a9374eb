import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageLayout, PackagingJob } from './packagingJob.js';
import { FFMPEG_HEAD, SEGMENT_SECONDS } from './packagingJob.js';
import { ffmpegInput, runTool } from './runTool.js';

/**
 * MPEG-DASH: ffmpeg's dash muxer writes the MPD (SegmentTemplate with a SegmentTimeline, one
 * adaptation set for the video renditions and one for the audio) and the fMP4 segments in one
 * run. The segment templates are then prefixed with the package's URL prefix, so that relative
 * to the manifest URL (`<name>.ism/manifest(format=mpd-time-csf)`) they name `<name>.ism/dash-<tag>/…`.
 */
const MANIFEST = 'manifest.mpd';

export async function packageDash(job: PackagingJob): Promise<PackageLayout> {
  const { presentation, tools, workDir, urlPrefix } = job;
  const tracks = [...presentation.videos, ...(presentation.audio ? [presentation.audio] : [])];
  const files = [...new Set(tracks.map((t) => t.file.path))];
  const args: string[] = [...FFMPEG_HEAD];
  for (const path of files) args.push('-i', ffmpegInput(path));
  for (const track of tracks) {
    args.push(
      '-map',
      `${files.indexOf(track.file.path)}:${track.kind === 'video' ? 'v' : 'a'}:${track.ordinal}`,
    );
  }
  // Output stream indices: the videos first, then the audio.
  const sets: string[] = [];
  const videoIds = presentation.videos.map((_, i) => i);
  if (videoIds.length > 0) sets.push(`id=${sets.length},streams=${videoIds.join(',')}`);
  const audioId = presentation.audio ? videoIds.length : undefined;
  if (audioId !== undefined) sets.push(`id=${sets.length},streams=${audioId}`);
  args.push('-c', 'copy', '-f', 'dash', '-seg_duration', String(SEGMENT_SECONDS));
  args.push('-use_template', '1', '-use_timeline', '1', '-adaptation_sets', sets.join(' '));
  args.push('-init_seg_name', 'init-$RepresentationID$.m4s');
  args.push('-media_seg_name', 'chunk-$RepresentationID$-$Number%05d$.m4s');
  args.push(MANIFEST);
  await runTool(tools.ffmpeg, args, workDir);

  const path = join(workDir, MANIFEST);
  const mpd = await readFile(path, 'utf8');
  const rewritten = mpd.replace(/(\s(?:initialization|media)=")/g, `$1${urlPrefix}`);
  if (rewritten === mpd) throw new Error('ffmpeg wrote an MPD without segment templates');
  await writeFile(path, rewritten);
  return {
    manifest: MANIFEST,
    manifestType: 'application/dash+xml',
    audioPrefixes: audioId === undefined ? [] : [`init-${audioId}.`, `chunk-${audioId}-`],
  };
}
