import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STAMP_ROWS, neutralChroma, stampLuma } from './liveClock.js';
import type { ProcessGroup, Tracked } from './liveProcesses.js';

/**
 * An encoder pushing a test pattern whose every frame carries the wall-clock time at which it was
 * handed to the encoder (liveClock.ts): Node writes raw 4:2:0 frames in real time into ffmpeg's
 * stdin (a loop of testsrc2 frames, stamped as each is written), and ffmpeg encodes them with a
 * tone (x264 zerolatency, a key frame every 2 s, AAC) and publishes over RTMP. A frame is written
 * only once ffmpeg has taken the previous one, so a stamp is never older than the encoder's queue
 * of one frame.
 */

export interface StampedSourceOptions {
  ffmpeg: string;
  scratch: string;
  url: string;
  width: number;
  height: number;
  fps: number;
  keyFrameSeconds: number;
  videoKbps: number;
}

export interface StampedPush {
  encoder: Tracked;
  /** Frames written so far. */
  frames(): number;
  /** Stops writing and ends the encoder (by pid; killed if it lingers). */
  stop(): Promise<void>;
}

/** One second of testsrc2 as raw yuv420p frames, made once. */
async function patternFrames(options: StampedSourceOptions): Promise<Buffer[]> {
  const path = join(options.scratch, 'pattern.yuv');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      options.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi'],
        ...['-i', `testsrc2=size=${options.width}x${options.height}:rate=${options.fps}`],
        ...['-frames:v', String(options.fps), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', path],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg (test pattern) exited with ${code}: ${stderr}`)),
    );
  });
  const all = readFileSync(path);
  rmSync(path, { force: true });
  const size = (options.width * options.height * 3) / 2;
  if (all.length < size * options.fps) throw new Error(`the test pattern has ${all.length} bytes`);
  return Array.from({ length: options.fps }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

export async function startStampedPush(
  group: ProcessGroup,
  options: StampedSourceOptions,
): Promise<StampedPush> {
  const { width, height, fps } = options;
  const frames = await patternFrames(options);
  const gop = String(Math.round(fps * options.keyFrameSeconds));
  const encoder = group.start(
    options.ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${width}x${height}`],
      ...['-framerate', String(fps), '-i', 'pipe:0'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v', '-map', '1:a'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0'],
      ...[
        '-b:v',
        `${options.videoKbps}k`,
        '-maxrate',
        `${options.videoKbps}k`,
        '-bufsize',
        `${options.videoKbps}k`,
      ],
      ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-f', 'flv', options.url],
    ],
    { stdin: true },
  );
  const stdin = encoder.child.stdin;
  if (!stdin) throw new Error('the encoder has no stdin');
  stdin.on('error', () => {}); // EPIPE once the encoder is gone: its exit reports why.

  const lumaSize = width * height;
  const chromaSize = lumaSize / 4;
  const lumaHead = width * STAMP_ROWS;
  const chromaHead = (width / 2) * (STAMP_ROWS / 2);
  let written = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const frameMs = 1000 / fps;

  /** Writes the next frame, stamped now; resolves false once the encoder is gone. */
  const writeFrame = (): Promise<void> => {
    const frame = frames[written % frames.length]!;
    const luma = Buffer.from(frame.subarray(0, lumaHead));
    stampLuma(luma, width, Date.now());
    const u = Buffer.from(frame.subarray(lumaSize, lumaSize + chromaHead));
    const v = Buffer.from(frame.subarray(lumaSize + chromaSize, lumaSize + chromaSize + chromaHead));
    neutralChroma(u, width);
    neutralChroma(v, width);
    stdin.cork();
    stdin.write(luma);
    stdin.write(frame.subarray(lumaHead, lumaSize));
    stdin.write(u);
    stdin.write(frame.subarray(lumaSize + chromaHead, lumaSize + chromaSize));
    stdin.write(v);
    const flushed = stdin.write(frame.subarray(lumaSize + chromaSize + chromaHead));
    stdin.uncork();
    written++;
    return flushed ? Promise.resolve() : new Promise((resolve) => stdin.once('drain', resolve));
  };
  const tick = async () => {
    if (stopped || !encoder.running()) return;
    await writeFrame();
    if (stopped || !encoder.running()) return;
    const due = started + written * frameMs;
    timer = setTimeout(() => void tick(), Math.max(0, due - performance.now()));
  };
  void tick();

  return {
    encoder,
    frames: () => written,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      stdin.end();
      await group.stop(encoder);
    },
  };
}
