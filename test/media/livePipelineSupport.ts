import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import type { LiveLog } from '../../src/media/live/liveChannel.js';
import type { ChannelEndpoints, ChannelSpec } from '../../src/media/live/liveIngest.js';
import { LivePipeline } from '../../src/media/live/livePipeline.js';
import { liveAssetHook } from '../../src/media/live/origin/liveHttp.js';
import { livePreviewPlugin } from '../../src/media/live/origin/previewPlugin.js';
import { streamingPlugin } from '../../src/media/streaming/index.js';
import type { LocatorResolver, StreamingAsset } from '../../src/media/streaming/index.js';

/**
 * The live pipeline under test: a LivePipeline on a fresh folder with a file blob store, and an
 * HTTP server (loopback, free port) with the preview plugin and the streaming endpoint (its live
 * hook wired) as the media slice registers them. Locators are a map the test fills
 * (locator guid → asset guid), resolved against the blob store's listing.
 */
export interface LiveHarness {
  dir: string;
  live: LivePipeline;
  blobs: FileBlobStore;
  tools: FfmpegTools;
  origin: string;
  locators: Map<string, string>;
  /** Asset guids whose delivery policy allows no HLS. */
  noHls: Set<string>;
  logs: string[];
  close(): Promise<void>;
}

export const ACCOUNT = 'liveacct';

export async function startLiveHarness(
  options: { previewWindowSeconds?: number } = {},
): Promise<LiveHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-live-'));
  const blobs = new FileBlobStore(join(dir, 'blobs'));
  const tools = await locateFfmpeg();
  const logs: string[] = [];
  const log: LiveLog = {
    info: (detail, message) => logs.push(`${message} ${JSON.stringify(detail)}`),
    warn: (detail, message) => logs.push(`WARN ${message} ${JSON.stringify(detail)}`),
  };
  const live = new LivePipeline({
    root: join(dir, 'live'),
    blobs,
    tools: locateFfmpeg,
    log,
    x264Preset: 'ultrafast',
    ...(options.previewWindowSeconds !== undefined
      ? { previewWindowSeconds: options.previewWindowSeconds }
      : {}),
  });
  const locators = new Map<string, string>();
  const noHls = new Set<string>();
  const resolver: LocatorResolver = {
    async resolve(account, guid) {
      const assetGuid = locators.get(guid);
      if (account !== ACCOUNT || !assetGuid) return { kind: 'notFound' };
      const container = `asset-${assetGuid}`;
      const listing = await blobs.list(container);
      const files = await Promise.all(
        listing.map(async (b) => ({
          name: b.name,
          size: b.size,
          path: await blobs.localPath(container, b.name),
        })),
      );
      const asset: StreamingAsset = {
        assetKey: assetGuid,
        files,
        protocols: { smooth: true, dash: true, hls: !noHls.has(assetGuid), progressive: true },
        version: files.map((f) => `${f.name}:${f.size}:${f.path}`).join('|') || 'empty',
      };
      return { kind: 'ok', asset };
    },
  };
  const app: FastifyInstance = Fastify();
  await app.register(livePreviewPlugin, { prefix: '/media/:account/preview', live });
  await app.register(streamingPlugin, {
    prefix: '/media/:account/streaming',
    resolver,
    cacheDir: join(dir, 'packages'),
    tools: locateFfmpeg,
    live: liveAssetHook(live),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    dir,
    live,
    blobs,
    tools,
    origin,
    locators,
    noHls,
    logs,
    async close() {
      await live.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function channelSpec(overrides: Partial<ChannelSpec> = {}): ChannelSpec {
  return {
    accountName: ACCOUNT,
    channelId: `nb:chid:UUID:${randomUUID()}`,
    name: 'test-channel',
    protocol: 'RTMP',
    encodingType: 'None',
    keyFrameIntervalSeconds: null,
    inputAllow: null,
    previewAllow: null,
    hlsFragmentsPerSegment: null,
    ...overrides,
  };
}

/** `…/preview.ism/` of a started channel. */
export const previewBase = (endpoints: ChannelEndpoints): string =>
  endpoints.preview[0]!.Url.replace(/manifest$/, '');

export interface Push {
  child: ChildProcess;
  /** Exit code and stderr once ffmpeg ends. */
  exited: Promise<{ code: number | null; stderr: string }>;
  /** Ends the push (SIGINT: the encoder disconnects cleanly) and waits. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

const pushes = new Set<ChildProcess>();

/**
 * ffmpeg pushing a test pattern with a tone, in real time, as an encoder would: H.264 with a key
 * frame every 2 s (the channel's default KeyFrameInterval) and AAC, small and light.
 */
export function pushTestPattern(
  tools: FfmpegTools,
  url: string,
  options: { seconds: number; size?: string; video?: boolean; audio?: boolean },
): Push {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const video = options.video ?? true;
  const audio = options.audio ?? true;
  if (video) args.push('-re', '-f', 'lavfi', '-i', `testsrc2=size=${options.size ?? '320x180'}:rate=25`);
  if (audio) args.push('-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(options.seconds));
  if (video) {
    args.push(
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-b:v', '300k'],
    );
  }
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k', '-ac', '2');
  args.push('-f', 'flv', url);
  const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  pushes.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      pushes.delete(child);
      resolve({ code, stderr });
    }),
  );
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Ends every push a test left running. */
export async function stopAllPushes(): Promise<void> {
  await Promise.all(
    [...pushes].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Polls `check` every 250 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function fetchText(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Waits until the playlist (or MPD) at `url` answers 200 and `ready` holds for its text. */
export function waitForText(
  url: string,
  ready: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  return waitFor(
    `${url} to be ready`,
    async () => {
      const { status, text } = await fetchText(url);
      return status === 200 && ready(text) ? text : undefined;
    },
    timeoutMs,
  );
}

export const segmentCount = (playlist: string): number =>
  playlist.split('\n').filter((l) => l.startsWith('#EXTINF')).length;

export interface ProbedStream {
  codec_type: string;
  codec_name?: string;
  width?: number;
  height?: number;
}

/** ffprobe's streams and duration of a file or URL (async: the server under test runs in this process). */
export function ffprobe(
  tools: FfmpegTools,
  input: string,
): Promise<{ streams: ProbedStream[]; duration: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      tools.ffprobe,
      [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,codec_name,width,height:format=duration',
        '-of',
        'json',
        input,
      ],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ffprobe ${input}: ${stderr || error.message}`));
        const parsed = JSON.parse(stdout) as { streams?: ProbedStream[]; format?: { duration?: string } };
        resolve({ streams: parsed.streams ?? [], duration: Number(parsed.format?.duration ?? 0) });
      },
    );
  });
}
