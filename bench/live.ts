/**
 * Live streaming (issue 14) against a child server (`bench/liveServer.ts`: Tessera with its real
 * live pipeline, one account, a Contributor service principal). Channels are made and started
 * through the v2 REST API, encoders are ffmpeg pushing RTMP to the URL the channel publishes, and
 * the output is read as a player reads it, from the preview's HLS. Two figures:
 *  - latency (lib/liveLatency.ts): glass-to-glass, from the wall-clock time burnt into each pushed
 *    frame to the moment the segment holding it is listed in the playlist, median and max over
 *    BENCH_LIVE_SEGMENTS segments; target: every one ≤ 2 × the segment duration + 2 s;
 *  - capacity (lib/liveCapacity.ts): BENCH_LIVE_CHANNELS pass-through channels at 720p30 for
 *    BENCH_LIVE_SECONDS without a dropped segment (the target), and the server's CPU per channel
 *    (its process and its segmenters) against a bare `ffmpeg -c copy -f hls` remux per stream of the
 *    same streams, measured in the same run (reported, no target).
 * `BENCH_LIVE_PHASES=latency` or `=capacity` runs one of them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../src/media/encoding/ffmpegBinary.js';
import { startServerProcess } from './lib/child.js';
import { clientCredentialsToken } from './lib/https.js';
import type { CapacityResult } from './lib/liveCapacity.js';
import { measureCapacity } from './lib/liveCapacity.js';
import type { LiveContext } from './lib/liveContext.js';
import { STREAM } from './lib/liveContext.js';
import type { LatencyResult } from './lib/liveLatency.js';
import { POLL_MS, measureLatency } from './lib/liveLatency.js';
import { ProcessGroup } from './lib/liveProcesses.js';
import { digestCpuProfile } from './lib/profile.js';
import type { LiveHandshake } from './liveServer.js';
import { MediaApiClient } from './mediaClient.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'Live: glass-to-glass latency of a pass-through channel’s HLS (≤ 2 × segment + 2 s); 4 channels at 720p30 with no dropped segment, server CPU per channel vs a bare ffmpeg remux';

const SEGMENTS = Number(process.env.BENCH_LIVE_SEGMENTS ?? 12);
const CHANNELS = Number(process.env.BENCH_LIVE_CHANNELS ?? 4);
const WINDOW_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 30);
const PHASES = ['latency', 'capacity'] as const;

const s = (value: number, digits = 2) => value.toFixed(digits);
const cores = (value: number) => `${value.toFixed(3)} cores`;

function selectedPhases(): Set<string> {
  const asked = process.env.BENCH_LIVE_PHASES;
  if (!asked) return new Set(PHASES);
  const names = asked.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`BENCH_LIVE_PHASES: unknown ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
  return new Set(names);
}

function latencyRows(r: LatencyResult): Array<[string, string]> {
  return [
    ['segment duration (EXT-X-TARGETDURATION), s', String(r.segmentSeconds)],
    [
      `glass-to-glass per segment, s (playlist polled every ${POLL_MS} ms)`,
      r.segments.map((m) => s(m.latency)).join(' '),
    ],
    ['glass-to-glass median, s', s(r.median)],
    ['glass-to-glass max, s', `${s(r.max)}  (target ≤ ${r.target}: 2 × ${r.segmentSeconds} + 2)`],
    ['after the segment’s last frame (latency − EXTINF), median s', s(r.afterLastFrame)],
  ];
}

function capacityRows(r: CapacityResult): Array<[string, string]> {
  const t = r.tessera;
  const rows: Array<[string, string]> = [
    [
      'load',
      `${r.channels} × ${STREAM.width}x${STREAM.height}p${STREAM.fps} H.264 ${STREAM.videoKbps} kb/s + AAC, pass-through, ${s(t.windowSeconds, 1)} s`,
    ],
  ];
  for (const track of t.tracks) {
    rows.push([
      `${track.channel} ${track.track}: segments (media s), dropped`,
      `${track.segments} (${s(track.mediaSeconds, 1)}), ${track.dropped}` +
        (track.dropped > 0
          ? `  [gaps ${track.gaps}, skipped files ${track.skippedFiles}, rewritten ${track.rewritten}, ` +
            `off-duration ${track.offDuration}, discontinuities ${track.discontinuities}, behind ${track.shortfall}]`
          : ''),
    ]);
  }
  rows.push(
    ['playlist polls that failed', String(t.playlistErrors)],
    ['dropped segments, all channels', `${r.dropped}  (target 0)`],
    [
      'bare remux per stream: ffmpeg RTMP listen → -c copy → fMP4 HLS',
      `${cores(r.remux.perStream.cores)}  (segments in window ${r.remux.segments.join(' / ')})`,
    ],
    [
      'Tessera per channel (server + segmenters ÷ channels)',
      `${cores(t.perChannel.cores)}  (server ${cores(t.server.cores / r.channels)}, segmenters ${cores(t.segmenters.cores / r.channels)})`,
    ],
    ['ratio Tessera per channel ÷ RTMP remux per stream', `${s(r.ratio, 2)}  (reported, no target)`],
    [
      'floor: ffmpeg -re file → -c copy → fMP4 HLS per stream; ratio',
      `${cores(r.fileRemux.perStream.cores)}; ${s(r.fileRatio, 2)}`,
    ],
    [
      'encoders’ CPU per stream, RTMP remux / Tessera (excluded)',
      `${cores(r.remux.encoders.cores)} / ${cores(t.encoders.cores)}`,
    ],
    [
      'machine busy, RTMP remux / Tessera / file remux windows',
      `${s(r.remux.machineCores)} / ${s(t.machineCores)} / ${s(r.fileRemux.machineCores)} cores`,
    ],
  );
  return rows;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const phases = selectedPhases();
  const profileDir = options.profile
    ? join(options.resultsDir, 'profiles', `live-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = await startServerProcess<LiveHandshake>({
    script: 'liveServer.ts',
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
  });
  const scratch = mkdtempSync(join(tmpdir(), 'tessera-bench-live-'));
  const group = new ProcessGroup();
  const ca = readFileSync(child.handshake.caCertPath);
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca });
  let latency: LatencyResult | undefined;
  let capacity: CapacityResult | undefined;
  try {
    const h = child.handshake;
    const token = await clientCredentialsToken(h, ca, 'https://rest.media.azure.net/.default');
    const ctx: LiveContext = {
      options,
      tools: await locateFfmpeg(),
      api: new MediaApiClient(h.api, ca, token, agent),
      ca,
      agent,
      group,
      scratch,
      serverPid: h.pid,
    };
    if (phases.has('latency')) latency = await measureLatency(ctx, SEGMENTS);
    if (phases.has('capacity')) capacity = await measureCapacity(ctx, CHANNELS, WINDOW_SECONDS);
  } finally {
    await group.stopAll();
    agent.destroy();
    await child.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const pass = (latency?.pass ?? true) && (capacity?.pass ?? true);
  const notes: string[] = [];
  const profileFile = child.cpuProfile();
  const profile =
    profileFile && capacity ? digestCpuProfile(profileFile, capacity.tessera.window) : undefined;
  if (profile) {
    const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
    notes.push(
      `server main thread, capacity window (${profile.windowed ? 'windowed' : 'whole run'}): ` +
        `${profile.busyMs} ms busy of ${profile.windowMs} ms; ${profileFile}`,
      ...profile.categories.slice(0, 8).map((c) => `  ${pct(c.share)}  ${c.category}`),
      '  top self time:',
      ...profile.selfTime.slice(0, 12).map((f) => `  ${pct(f.share)}  ${f.fn}`),
    );
  }
  return {
    name: 'live',
    pass,
    table: [
      ...(latency ? latencyRows(latency).map(([l, v]): [string, string] => [`latency: ${l}`, v]) : []),
      ...(capacity ? capacityRows(capacity).map(([l, v]): [string, string] => [`capacity: ${l}`, v]) : []),
      ['result', pass ? 'PASS' : 'FAIL'],
    ],
    notes,
    summary: {
      pass,
      ...(profile ? { profile: { file: profileFile, ...profile } } : {}),
      ...(latency
        ? {
            latencySegmentSeconds: latency.segmentSeconds,
            latencySeconds: latency.segments.map((m) => m.latency),
            latencyMedian: latency.median,
            latencyMax: latency.max,
            latencyAfterLastFrame: latency.afterLastFrame,
            latencyTarget: latency.target,
            latencyPass: latency.pass,
          }
        : {}),
      ...(capacity
        ? {
            capacityChannels: capacity.channels,
            capacityWindowSeconds: capacity.tessera.windowSeconds,
            capacityDropped: capacity.dropped,
            capacityTracks: capacity.tessera.tracks,
            capacityRemuxCoresPerStream: capacity.remux.perStream.cores,
            capacityTesseraCoresPerChannel: capacity.tessera.perChannel.cores,
            capacityServerCores: capacity.tessera.server.cores,
            capacitySegmenterCores: capacity.tessera.segmenters.cores,
            capacityEncoderCoresPerStream: {
              remux: capacity.remux.encoders.cores,
              tessera: capacity.tessera.encoders.cores,
            },
            capacityFileRemuxCoresPerStream: capacity.fileRemux.perStream.cores,
            capacityRatio: capacity.ratio,
            capacityFileRatio: capacity.fileRatio,
            capacityMachineCores: {
              remux: capacity.remux.machineCores,
              tessera: capacity.tessera.machineCores,
              fileRemux: capacity.fileRemux.machineCores,
            },
            capacityPass: capacity.pass,
          }
        : {}),
    },
  };
}
