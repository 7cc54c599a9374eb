import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodingError, abortError, encodingErrorCodes } from './errors.js';
import type { FfmpegTools } from './ffmpegBinary.js';
import type { EncodedFileMetadata } from './metadataFiles.js';
import { inputMetadataXml, outputManifestXml } from './metadataFiles.js';
import type { EncodePlan, EncodeRequest, PlannedFile } from './plan.js';
import { planEncode, selectInput } from './plan.js';
import { parsePreset } from './presets.js';
import type { MediaInfo } from './probe.js';
import { ffmpegComplaint, probe } from './probe.js';
import { readMp4Info } from './mp4Info.js';
import { sidecarNames } from './naming.js';
import { ProgressReporter } from './progress.js';
import type { ServerManifest } from './serverManifest.js';
import { serverManifestXml } from './serverManifest.js';

export type { EncodeRequest } from './plan.js';

export interface EncodedFile {
  name: string;
  size: number;
  mimeType: string;
  isPrimary: boolean;
}

export interface EncodeResult {
  files: EncodedFile[];
  /** A line for the Task's PerfMessage: what was made, how fast, and any departure from the preset. */
  perfMessage: string;
}

/** How long ffmpeg may spend finishing its files after SIGTERM before it is killed. */
const KILL_GRACE_MS = 500;
const STDERR_KEPT = 16 * 1024;

/**
 * Runs a Media Encoder Standard task: probes the input, runs the one ffmpeg command planEncode
 * builds, then writes the metadata files and the server manifest. Files are made in a private
 * folder inside `outputDir` and moved in only when all of them are done, so a failed or canceled
 * task leaves nothing behind. Rejects with an EncodingError (with its ErrorDetails code) or, when
 * the signal fires, with an AbortError.
 */
export async function encode(
  tools: FfmpegTools,
  request: EncodeRequest,
  options: { threads?: number } = {},
): Promise<EncodeResult> {
  const { signal } = request;
  if (signal.aborted) throw abortError(signal);
  const startedAt = Date.now();
  const input = selectInput(request);
  parsePreset(request.configuration); // a bad configuration fails before the input is read, as on MES
  const info = await probe(tools, input.path, { signal, name: input.name });
  if (signal.aborted) throw abortError(signal);

  await mkdir(request.outputDir, { recursive: true });
  const workDir = await mkdtemp(join(request.outputDir, '.encoding-'));
  const moved: string[] = [];
  try {
    const plan = planEncode(tools, request, info, { outputDir: workDir, ...options });
    const progress = new ProgressReporter(plan.durationMs, request.onProgress);
    progress.report(0, true);
    await runFfmpeg(plan, signal, progress);
    if (signal.aborted) throw abortError(signal);

    const produced = await producedFiles(plan, workDir);
    const sidecars = sidecarNames(plan.basename, request.inputAssetGuid);
    const mp4s = produced.filter((p) => p.planned.kind === 'mp4');
    const probed = await Promise.all(
      mp4s.map(
        async (p) =>
          (await readMp4Info(join(workDir, p.planned.name))) ??
          probe(tools, join(workDir, p.planned.name), { signal }),
      ),
    );
    if (signal.aborted) throw abortError(signal);

    const metadata: EncodedFileMetadata[] = mp4s.map((p, i) => ({
      name: p.planned.name,
      size: p.size,
      info: probed[i]!,
      ...(p.planned.videoBitrate !== undefined ? { targetVideoBitrate: p.planned.videoBitrate } : {}),
      ...(p.planned.frameRate !== undefined ? { targetFrameRate: p.planned.frameRate } : {}),
    }));
    const sidecarFiles: { name: string; content: string; mimeType: string }[] = [
      { name: sidecars.metadata, content: inputMetadataXml(input.name, info), mimeType: 'application/xml' },
      {
        name: sidecars.manifest,
        content: outputManifestXml(input.name, metadata),
        mimeType: 'application/xml',
      },
    ];
    if (mp4s.length > 0) {
      sidecarFiles.push({
        name: sidecars.ism,
        content: serverManifestXml(
          serverManifestOf(
            mp4s.map((p) => p.planned),
            probed,
          ),
        ),
        mimeType: 'application/octet-stream',
      });
    }
    for (const file of sidecarFiles) await writeFile(join(workDir, file.name), file.content, 'utf8');

    const files: EncodedFile[] = [
      ...produced.map((p) => ({
        name: p.planned.name,
        size: p.size,
        mimeType: p.planned.mimeType,
        isPrimary: false,
      })),
      ...sidecarFiles.map((f) => ({
        name: f.name,
        size: Buffer.byteLength(f.content, 'utf8'),
        mimeType: f.mimeType,
        isPrimary: false,
      })),
    ];
    // The server manifest is what streaming opens; otherwise the first encoded file.
    const primary = files.find((f) => f.name === sidecars.ism) ?? files[0];
    if (primary) primary.isPrimary = true;

    if (signal.aborted) throw abortError(signal);
    for (const file of files) {
      await rename(join(workDir, file.name), join(request.outputDir, file.name));
      moved.push(file.name);
    }
    progress.finish();
    return { files, perfMessage: perfMessage(plan, info, tools, produced.length, Date.now() - startedAt) };
  } catch (error) {
    await Promise.all(moved.map((name) => rm(join(request.outputDir, name), { force: true })));
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

interface Produced {
  planned: PlannedFile;
  size: number;
}

/** The planned files ffmpeg wrote. Every MP4 must be there; thumbnails past the end may be missing. */
async function producedFiles(plan: EncodePlan, workDir: string): Promise<Produced[]> {
  const sizes = await Promise.all(
    plan.files.map((file) =>
      stat(join(workDir, file.name)).then(
        (s) => s.size,
        () => undefined,
      ),
    ),
  );
  const produced: Produced[] = [];
  plan.files.forEach((planned, i) => {
    const size = sizes[i];
    if (planned.kind === 'mp4' && !size)
      throw new EncodingError(
        encodingErrorCodes.processing,
        `ffmpeg finished without writing '${planned.name}'.`,
      );
    if (size) produced.push({ planned, size });
  });
  for (const format of new Set(plan.files.map((f) => f.imageFormat).filter((f) => f !== undefined))) {
    if (!produced.some((p) => p.planned.imageFormat === format)) {
      throw new EncodingError(
        encodingErrorCodes.unsupportedFormat,
        `No ${format.toUpperCase()} thumbnail could be taken: the input has no frame at the requested times.`,
      );
    }
  }
  return produced;
}

function serverManifestOf(files: readonly PlannedFile[], probed: readonly MediaInfo[]): ServerManifest {
  const manifest: ServerManifest = { video: [], audio: [] };
  files.forEach((file, i) => {
    const info = probed[i]!;
    if (info.video) {
      manifest.video.push({
        src: file.name,
        bitrate: info.video.bitrate || (file.videoBitrate ?? 0) * 1000,
        width: info.video.width,
        height: info.video.height,
        trackId: 1,
        trackName: 'video',
      });
    }
  });
  // Interleaved MP4s carry the same audio: the packager needs it once.
  const audioFile = files.findIndex((f, i) => !f.hasVideo && probed[i]?.audio);
  const source = audioFile >= 0 ? audioFile : probed.findIndex((p) => p.audio);
  const audio = source >= 0 ? probed[source]?.audio : undefined;
  if (audio) {
    const bitrate = audio.bitrate || (files[source]!.audioBitrate ?? 0) * 1000;
    const language = audio.tags.language ?? 'und';
    manifest.audio.push({
      src: files[source]!.name,
      bitrate,
      trackId: probed[source]!.video ? 2 : 1,
      trackName: `aac_${language}_${audio.channels}_${bitrate}`,
      language,
    });
  }
  return manifest;
}

const MALFORMED =
  /invalid data|corrupt|error while decoding|moov atom|truncat|invalid nal|decode_slice|missing picture|no frame/i;

function runFfmpeg(plan: EncodePlan, signal: AbortSignal, progress: ProgressReporter): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, plan.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => progress.feed(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    const onAbort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (signal.aborted) return reject(abortError(signal));
      if (spawnError) {
        return reject(
          new EncodingError(
            encodingErrorCodes.processing,
            `ffmpeg could not be started (${plan.command}): ${spawnError.message}.`,
          ),
        );
      }
      if (code === 0) return resolve();
      const complaint = ffmpegComplaint(stderr, plan.input.path);
      const how = killedBy ? `was stopped by ${killedBy}` : `failed (exit code ${code})`;
      reject(
        new EncodingError(
          MALFORMED.test(stderr) ? encodingErrorCodes.malformedContent : encodingErrorCodes.processing,
          `ffmpeg ${how} while encoding '${plan.input.name}': ${complaint}`,
        ),
      );
    });
  });
}

function perfMessage(
  plan: EncodePlan,
  info: MediaInfo,
  tools: FfmpegTools,
  fileCount: number,
  elapsedMs: number,
): string {
  const videoLayers = plan.files.filter((f) => f.kind === 'mp4' && f.hasVideo).length;
  const hasAudio = plan.files.some((f) => f.hasAudio);
  const images = plan.files.filter((f) => f.kind === 'image').length;
  const made = [
    videoLayers ? `${videoLayers} H.264 layer${videoLayers > 1 ? 's' : ''}` : '',
    hasAudio ? 'AAC audio' : '',
    images ? `${images} image${images > 1 ? 's' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const source = info.video
    ? `${info.video.displayWidth}x${info.video.displayHeight} ${info.video.frameRate.toFixed(3)} fps`
    : 'audio';
  const seconds = elapsedMs / 1000;
  const speed = plan.durationMs > 0 ? ` (${(plan.durationMs / elapsedMs).toFixed(2)}x real time)` : '';
  const preset = plan.preset.systemName ? `"${plan.preset.systemName}"` : 'a custom preset';
  const version = tools.version.replace(/ Copyright.*$/, '');
  return [
    `Encoded ${(plan.durationMs / 1000).toFixed(3)} s of '${plan.input.name}' (${source}) with ${preset} into ${fileCount} file${fileCount === 1 ? '' : 's'} (${made}) in ${seconds.toFixed(2)} s${speed} by ${version}.`,
    ...plan.notes,
  ].join(' ');
}
