import { createServer } from 'node:net';
import type { Agent } from 'node:https';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import type { MediaApiClient } from '../mediaClient.js';
import { send } from '../mediaClient.js';
import type { BenchOptions } from '../types.js';
import type { ProcessGroup } from './liveProcesses.js';

/** What both phases of the live bench work with. */
export interface LiveContext {
  options: BenchOptions;
  tools: FfmpegTools;
  api: MediaApiClient;
  ca: Buffer;
  /** Keep-alive connections for playlists and segments. */
  agent: Agent;
  /** Every ffmpeg the bench starts. */
  group: ProcessGroup;
  scratch: string;
  /** The child server's pid: its CPU and its segmenters' are the channels'. */
  serverPid: number;
}

/** The 720p30 stream every encoder of the bench sends. */
export const STREAM = { width: 1280, height: 720, fps: 30, keyFrameSeconds: 2, videoKbps: 3000 };

/** An encoder still pushing after this long (the bench died without ending it) ends by itself. */
export const PUSH_LIMIT_SECONDS = 600;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

/** GET over the context's CA-verified keep-alive agent; anything but 200 is an error. */
export async function fetchOk(ctx: LiveContext, url: URL): Promise<Buffer> {
  const answer = await send(url, ctx.ca, { agent: ctx.agent });
  if (answer.status !== 200)
    throw new Error(
      `GET ${url.pathname} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`,
    );
  return answer.body;
}

/** A port free on 127.0.0.1 now (for an ffmpeg that listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `everyMs` until it returns a value; throws after `limitMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  limitMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
