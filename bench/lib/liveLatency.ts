import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChannel, stopChannel } from './liveChannels.js';
import { STAMP_REGION, readStamp } from './liveClock.js';
import type { LiveContext } from './liveContext.js';
import { STREAM, fetchOk, median, sleep, waitUntil } from './liveContext.js';
import type { PlaylistSegment } from './liveHls.js';
import { parseMediaPlaylist } from './liveHls.js';
import { startStampedPush } from './liveStampedSource.js';

/**
 * Glass-to-glass latency of a pass-through channel's HLS: an encoder pushes frames stamped with
 * the time they were handed to it (liveStampedSource.ts); the bench polls the preview's video
 * playlist every POLL_MS, and for each segment that appears, fetches it (with its init segment),
 * decodes its first frame and reads the stamp. Latency = when the playlist first listed the
 * segment (the poll's answer) − the stamp of its first frame: how old that frame is for a player
 * that starts at the live edge the moment the segment exists. The poll interval bounds how much
 * later than the truth that is.
 */

export const POLL_MS = 50;
/** Segments listed before measuring starts: the segmenter's start-up (probing, catching up). */
const WARM_UP_SEGMENTS = 2;

export interface SegmentLatency {
  sequence: number;
  /** EXTINF, seconds. */
  duration: number;
  /** Stamp of the first frame, wall-clock ms. */
  stampMs: number;
  /** When the playlist first listed it, wall-clock ms. */
  listedMs: number;
  latency: number;
}

export interface LatencyResult {
  segmentSeconds: number;
  target: number;
  segments: SegmentLatency[];
  median: number;
  max: number;
  /** Latency − EXTINF: what the pipeline adds after the segment's last frame was captured. */
  afterLastFrame: number;
  encoderFrames: number;
  pass: boolean;
}

/** The first frame of an fMP4 segment (with its init segment) as a grey picture of the stamp. */
function firstFrameStamp(ctx: LiveContext, file: string): Promise<number> {
  const { left, top, width, height } = STAMP_REGION;
  return new Promise((resolve, reject) => {
    const child = spawn(
      ctx.tools.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-frames:v', '1'],
        ...['-vf', `crop=${width}:${height}:${left}:${top}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg decoding ${file} exited with ${code}: ${stderr}`));
      try {
        resolve(readStamp(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

export async function measureLatency(ctx: LiveContext, segmentsWanted: number): Promise<LatencyResult> {
  const { options } = ctx;
  options.log(
    `latency: a pass-through channel, a stamped ${STREAM.height}p${STREAM.fps} push, ${segmentsWanted} segments…`,
  );
  const channel = await startChannel(ctx.api, 'bench-latency');
  const push = await startStampedPush(ctx.group, {
    ffmpeg: ctx.tools.ffmpeg,
    scratch: ctx.scratch,
    url: channel.ingestUrl,
    ...STREAM,
  });
  try {
    const playlistUrl = new URL('live/video_0.m3u8', channel.previewBase);
    const poll = async () => parseMediaPlaylist((await fetchOk(ctx, playlistUrl)).toString('utf8'));
    const first = await waitUntil(
      'the preview playlist to list a segment',
      async () => {
        if (!push.encoder.running()) throw new Error(`the encoder exited: ${push.encoder.stderr()}`);
        const playlist = await poll();
        return playlist.segments.length > 0 ? playlist : undefined;
      },
      60_000,
    );
    const segmentSeconds = first.targetDuration;
    const target = 2 * segmentSeconds + 2;
    const seen = new Set(first.segments.map((s) => s.uri));
    let warmUp = WARM_UP_SEGMENTS;
    const inits = new Map<string, Promise<Buffer>>();
    const measured: SegmentLatency[] = [];
    // Decoded one after another, beside the polling, so that no poll waits for a decode.
    let decoding: Promise<void> = Promise.resolve();
    let failure: Error | undefined;
    const measure = async (segment: PlaylistSegment, listedMs: number) => {
      if (!segment.map) throw new Error(`segment ${segment.uri} has no EXT-X-MAP`);
      const initUrl = new URL(segment.map, playlistUrl);
      let init = inits.get(initUrl.href);
      if (!init) inits.set(initUrl.href, (init = fetchOk(ctx, initUrl)));
      const body = await fetchOk(ctx, new URL(segment.uri, playlistUrl));
      const file = join(ctx.scratch, `segment-${segment.sequence}.mp4`);
      writeFileSync(file, Buffer.concat([await init, body]));
      try {
        const stampMs = await firstFrameStamp(ctx, file);
        measured.push({
          sequence: segment.sequence,
          duration: segment.duration,
          stampMs,
          listedMs,
          latency: (listedMs - stampMs) / 1000,
        });
      } finally {
        rmSync(file, { force: true });
      }
    };
    let queued = 0;
    const deadline = Date.now() + (segmentsWanted + WARM_UP_SEGMENTS + 10) * segmentSeconds * 1000 + 30_000;
    while (queued < segmentsWanted && !failure) {
      if (Date.now() > deadline) throw new Error(`only ${queued} segments appeared in time`);
      if (!push.encoder.running()) throw new Error(`the encoder exited: ${push.encoder.stderr()}`);
      const playlist = await poll();
      const listedMs = Date.now();
      for (const segment of playlist.segments) {
        if (seen.has(segment.uri)) continue;
        seen.add(segment.uri);
        if (warmUp > 0) {
          warmUp--;
          continue;
        }
        if (queued >= segmentsWanted) continue;
        queued++;
        decoding = decoding
          .then(() => measure(segment, listedMs))
          .catch((error: unknown) => {
            failure ??= error as Error;
          });
      }
      await sleep(POLL_MS);
    }
    await decoding;
    if (failure) throw failure;
    const latencies = measured.map((m) => m.latency);
    const max = Math.max(...latencies);
    return {
      segmentSeconds,
      target,
      segments: measured,
      median: median(latencies),
      max,
      afterLastFrame: median(measured.map((m) => m.latency - m.duration)),
      encoderFrames: push.frames(),
      pass: measured.length >= segmentsWanted && max <= target,
    };
  } finally {
    await push.stop();
    await stopChannel(ctx.api, channel).catch((error: unknown) =>
      options.log(`latency: stopping the channel failed: ${(error as Error).message}`),
    );
  }
}
