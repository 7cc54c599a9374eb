import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../blobs/blobStore.js';
import type { FfmpegTools } from '../../encoding/ffmpegBinary.js';
import type { EncodedFileMetadata } from '../../encoding/metadataFiles.js';
import { outputManifestXml } from '../../encoding/metadataFiles.js';
import { probe } from '../../encoding/probe.js';
import { serverManifestXml } from '../../encoding/serverManifest.js';
import { ffmpegInput, runTool } from '../../streaming/runTool.js';
import type { RecordedFile } from '../liveIngest.js';
import type { LiveSegment, Run, RunTrack } from '../segments/run.js';

/**
 * Turns what a program recorded into an asset that plays on demand: per video layer one MP4
 * (the layer and the audio, `-c copy`), a server manifest (`<name>.ism`, the primary file, as
 * the encoder's adaptive outputs have) and the output metadata (`<name>_manifest.xml`), written
 * into the asset's container through the BlobStore. Each publisher's run is joined first (its
 * init segment followed by its media segments is a fragmented MP4), runs are then concatenated
 * (a reconnect inside the program becomes one file), and the result is a progressive MP4 that
 * dynamic packaging and the encoder read like any upload.
 */

export interface RecordingPart {
  run: Run;
  video: Array<{ track: RunTrack; segments: LiveSegment[] }>;
  audio: { track: RunTrack; segments: LiveSegment[] } | undefined;
}

export interface RecordingTarget {
  tools: FfmpegTools;
  blobs: BlobStore;
  container: string;
  /** A folder for scratch files (removed afterwards). */
  workRoot: string;
  /** `<name>` of `<name>.ism`. */
  baseName: string;
  /** Pass-through: one MP4 named `<name>.mp4`; encoded layers are named by size and bitrate. */
  passThrough: boolean;
}

const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

async function joinSegments(out: string, init: string, segments: readonly LiveSegment[]): Promise<void> {
  await copyFile(init, out);
  for (const segment of segments) {
    await pipeline(createReadStream(segment.path), createWriteStream(out, { flags: 'a' }));
  }
}

/** One run's layer and audio, as a progressive MP4 whose first sample is at (about) zero. */
async function muxPart(
  tools: FfmpegTools,
  dir: string,
  index: number,
  video: { track: RunTrack; segments: LiveSegment[] },
  audio: RecordingPart['audio'],
): Promise<string | undefined> {
  const videoInit = video.track.init;
  if (!videoInit || video.segments.length === 0) return undefined;
  const videoFile = join(dir, `part${index}_${video.track.plan.name}.fmp4`);
  await joinSegments(videoFile, videoInit.path, video.segments);
  const inputs = ['-i', ffmpegInput(videoFile)];
  const maps = ['-map', '0:v:0'];
  // Media times of the run, so that picture and sound keep their relation exactly (-copyts).
  let start = video.segments[0]!.time / videoInit.info.timescale;
  const audioInit = audio?.track.init;
  if (audio && audioInit && audio.segments.length > 0) {
    const audioFile = join(dir, `part${index}_audio.fmp4`);
    if (!(await exists(audioFile))) await joinSegments(audioFile, audioInit.path, audio.segments);
    inputs.push('-i', ffmpegInput(audioFile));
    maps.push('-map', '1:a:0');
    start = Math.min(start, audio.segments[0]!.time / audioInit.info.timescale);
  }
  const out = join(dir, `part${index}_${video.track.plan.name}.mp4`);
  await runTool(tools.ffmpeg, [
    ...HEAD,
    '-copyts',
    ...inputs,
    ...maps,
    '-c',
    'copy',
    '-output_ts_offset',
    (-start).toFixed(6),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    ffmpegInput(out),
  ]);
  return out;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The recording's files, adopted into the container; [] when the program recorded nothing. */
export async function recordProgram(
  parts: readonly RecordingPart[],
  target: RecordingTarget,
): Promise<RecordedFile[]> {
  const layers = parts[0]?.video.map((v) => v.track.plan.name) ?? [];
  if (layers.length === 0) return [];
  await mkdir(target.workRoot, { recursive: true });
  const dir = await mkdtemp(join(target.workRoot, 'recording-'));
  try {
    const made: Array<{ name: string; path: string; track: RunTrack }> = [];
    for (const layer of layers) {
      const pieces: string[] = [];
      for (const [index, part] of parts.entries()) {
        const video = part.video.find((v) => v.track.plan.name === layer);
        if (!video) continue;
        const piece = await muxPart(target.tools, dir, index, video, part.audio);
        if (piece) pieces.push(piece);
      }
      if (pieces.length === 0) continue;
      const track = parts[0]!.video.find((v) => v.track.plan.name === layer)!.track;
      const name = fileName(target, track);
      const path = join(dir, `out_${layer}.mp4`);
      if (pieces.length === 1) {
        await copyFile(pieces[0]!, path);
      } else {
        // The concat demuxer's list: paths quoted as it wants them.
        const list = join(dir, `${layer}.txt`);
        await writeFile(list, pieces.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''));
        await runTool(target.tools.ffmpeg, [
          ...HEAD,
          ...['-f', 'concat', '-safe', '0', '-i', ffmpegInput(list)],
          ...['-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', ffmpegInput(path)],
        ]);
      }
      made.push({ name, path, track });
    }
    if (made.length === 0) return [];
    return await storeRecording(made, target, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fileName(target: RecordingTarget, track: RunTrack): string {
  if (target.passThrough) return `${target.baseName}.mp4`;
  const info = track.init?.info;
  const kbps = track.plan.targetBitrate ?? 0;
  return `${target.baseName}_${info?.width ?? 0}x${info?.height ?? 0}_${kbps}.mp4`;
}

async function storeRecording(
  made: ReadonlyArray<{ name: string; path: string; track: RunTrack }>,
  target: RecordingTarget,
  dir: string,
): Promise<RecordedFile[]> {
  const metadata: EncodedFileMetadata[] = [];
  const video = [];
  let audio: { src: string; bitrate: number } | undefined;
  for (const file of made) {
    const info = await probe(target.tools, file.path, { name: file.name });
    const { size } = await stat(file.path);
    metadata.push({
      name: file.name,
      size,
      info,
      ...(file.track.plan.targetBitrate !== undefined
        ? { targetVideoBitrate: file.track.plan.targetBitrate }
        : {}),
    });
    const v = info.videoStreams[0];
    if (v) {
      const bitrate = v.bitrate || Math.round((size * 8) / Math.max(info.durationMs / 1000, 0.001));
      video.push({ src: file.name, bitrate, width: v.width, height: v.height, trackId: 1 });
    }
    const a = info.audioStreams[0];
    if (a && !audio) audio = { src: file.name, bitrate: a.bitrate || 128_000 };
  }
  const ism = `${target.baseName}.ism`;
  const manifest = `${target.baseName}_manifest.xml`;
  const sidecars = [
    {
      name: ism,
      content: serverManifestXml({ video, audio: audio ? [{ ...audio, trackId: 2 }] : [] }),
      mimeType: 'application/octet-stream',
    },
    { name: manifest, content: outputManifestXml(target.baseName, metadata), mimeType: 'application/xml' },
  ];
  const files: RecordedFile[] = [];
  for (const file of made) {
    const blob = await target.blobs.adopt(target.container, file.name, file.path, 'video/mp4');
    files.push({ name: file.name, size: blob.size, mimeType: 'video/mp4', isPrimary: false });
  }
  for (const sidecar of sidecars) {
    const path = join(dir, sidecar.name);
    await writeFile(path, sidecar.content, 'utf8');
    const blob = await target.blobs.adopt(target.container, sidecar.name, path, sidecar.mimeType);
    // The server manifest is what streaming opens and what a job encodes from (its largest MP4).
    files.push({
      name: sidecar.name,
      size: blob.size,
      mimeType: sidecar.mimeType,
      isPrimary: sidecar.name === ism,
    });
  }
  return files;
}
