import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { machineBusySeconds } from './procstat.js';
import { monotonicMicros } from './profile.js';
import type { StartedChannel } from './liveChannels.js';
import { startChannel, stopChannel } from './liveChannels.js';
import type { LiveContext } from './liveContext.js';
import { PUSH_LIMIT_SECONDS, STREAM, fetchOk, freePort, sleep, waitUntil } from './liveContext.js';
import { PlaylistHistory, parseMediaPlaylist } from './liveHls.js';
import type { Tracked } from './liveProcesses.js';
import { cpuOfPids, listensOnLoopback, readTree, treeDelta } from './liveProcesses.js';

/**
 * Several pass-through channels at once, each fed by its own encoder, for a window: whether every
 * channel's playlists advance without losing a segment, and what the server (its own process and
 * the segmenters it spawns) spends per channel, against the same number of bare `ffmpeg -c copy
 * -f hls` remuxes of the same streams measured in the same run: each behind its own RTMP listen
 * socket (the baseline, before the channels), and reading the file itself (the floor, after). The encoders are `ffmpeg -re -stream_loop -1 -c copy` of one pre-encoded file, so they
 * cost little; their CPU is reported apart and charged to neither side.
 */

/** Seconds of the pre-encoded source: 15 key-frame intervals, so loops join on a key frame. */
const SOURCE_SECONDS = 30;
const SOURCE_VERSION = 1;
const PLAYLIST_POLL_MS = 1000;
/** A segment's EXTINF within this fraction of the segment duration counts as whole. */
const DURATION_TOLERANCE = 0.25;

export interface CpuFigures {
  /** CPU seconds in the window. */
  seconds: number;
  /** Cores: seconds ÷ window. */
  cores: number;
}

export interface TrackCheck {
  segments: number;
  mediaSeconds: number;
  gaps: number;
  skippedFiles: number;
  rewritten: number;
  offDuration: number;
  discontinuities: number;
  /** Segments short of what the window's wall time should have produced (the output fell behind). */
  shortfall: number;
  dropped: number;
}

export interface RemuxResult {
  cpu: CpuFigures;
  perStream: CpuFigures;
  /** The encoders pushing to it (none for a file remux). */
  encoders: CpuFigures;
  /** Segments each remux wrote in the window. */
  segments: number[];
  windowSeconds: number;
  machineCores: number;
}

export interface CapacityResult {
  channels: number;
  windowSeconds: number;
  segmentSeconds: number;
  /** The baseline: ffmpeg listening for RTMP, remuxing. */
  remux: RemuxResult;
  /** The floor: ffmpeg remuxing the file itself. */
  fileRemux: RemuxResult;
  tessera: {
    server: CpuFigures;
    segmenters: CpuFigures;
    total: CpuFigures;
    perChannel: CpuFigures;
    encoders: CpuFigures;
    windowSeconds: number;
    tracks: Array<{ channel: string; track: string } & TrackCheck>;
    playlistErrors: number;
    machineCores: number;
    /** The window on the monotonic clock (µs), for the server's CPU profile. */
    window: { fromUs: number; toUs: number };
  };
  /** Tessera per channel ÷ RTMP remux per stream. */
  ratio: number;
  /** Tessera per channel ÷ file remux per stream. */
  fileRatio: number;
  dropped: number;
  pass: boolean;
}

const figures = (seconds: number, window: number): CpuFigures => ({ seconds, cores: seconds / window });

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`)),
    );
  });
}

/** The 720p30 H.264 + AAC source (a key frame every 2 s), made once and kept in the results folder. */
async function sourceFile(ctx: LiveContext): Promise<string> {
  const { width, height, fps, keyFrameSeconds, videoKbps } = STREAM;
  const path = join(
    ctx.options.resultsDir,
    `live-source-${width}x${height}p${fps}-${videoKbps}k-${SOURCE_SECONDS}s-v${SOURCE_VERSION}.mp4`,
  );
  if (existsSync(path)) return path;
  ctx.options.log(`capacity: encoding the ${SOURCE_SECONDS} s source once (${path})…`);
  const gop = String(fps * keyFrameSeconds);
  const partial = `${path}.partial.mp4`;
  await run(ctx.tools.ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(SOURCE_SECONDS)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', gop, '-keyint_min', gop],
    ...[
      '-sc_threshold',
      '0',
      '-b:v',
      `${videoKbps}k`,
      '-maxrate',
      `${videoKbps}k`,
      '-bufsize',
      `${2 * videoKbps}k`,
    ],
    ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-movflags', '+faststart', partial],
  ]);
  renameSync(partial, path);
  return path;
}

const pushArgs = (source: string, url: string): string[] => [
  ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
  ...['-re', '-stream_loop', '-1', '-i', source, '-t', String(PUSH_LIMIT_SECONDS)],
  ...['-c', 'copy', '-f', 'flv', url],
];

const cpuSum = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);

/** Media sequence of the last segment in an ffmpeg-written playlist, or -1. */
function lastSequence(path: string): number {
  try {
    const playlist = parseMediaPlaylist(readFileSync(path, 'utf8'));
    return playlist.segments.at(-1)?.sequence ?? -1;
  } catch {
    return -1;
  }
}

function ensureRunning(processes: readonly Tracked[], what: string): void {
  const gone = processes.find((p) => !p.running());
  if (gone) throw new Error(`${what} (pid ${gone.pid}) exited: ${gone.stderr()}`);
}

/**
 * N bare remuxes into fMP4 HLS, as the segmenter writes: `rtmp`, ffmpeg listening for RTMP with an
 * encoder pushing to it (the same path as a channel's); `file`, ffmpeg reading the source itself
 * in real time (`-re -stream_loop -1`), no network at all: the floor.
 */
async function remuxBaseline(
  ctx: LiveContext,
  source: string,
  streams: number,
  windowSeconds: number,
  input: 'rtmp' | 'file',
): Promise<RemuxResult> {
  ctx.options.log(
    `capacity: baseline, ${streams} × bare ffmpeg ${input === 'rtmp' ? 'RTMP' : 'file'} → HLS remux for ${windowSeconds} s…`,
  );
  const remuxers: Tracked[] = [];
  const pushers: Tracked[] = [];
  const playlists: string[] = [];
  try {
    for (let i = 0; i < streams; i++) {
      const dir = join(ctx.scratch, `remux-${i}`);
      mkdirSync(dir, { recursive: true });
      const output = [
        ...['-c', 'copy', '-f', 'hls', '-hls_time', String(STREAM.keyFrameSeconds), '-hls_list_size', '10'],
        ...['-hls_segment_type', 'fmp4', '-hls_flags', 'independent_segments+temp_file+delete_segments'],
        ...['-hls_segment_filename', join(dir, 'seg_%d.m4s'), join(dir, 'index.m3u8')],
      ];
      playlists.push(join(dir, 'index.m3u8'));
      const head = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
      if (input === 'file') {
        remuxers.push(
          ctx.group.start(ctx.tools.ffmpeg, [
            ...[...head, '-re', '-stream_loop', '-1', '-i', source, '-t', String(PUSH_LIMIT_SECONDS)],
            ...output,
          ]),
        );
        continue;
      }
      const port = await freePort();
      const url = `rtmp://127.0.0.1:${port}/live/bench`;
      remuxers.push(
        ctx.group.start(ctx.tools.ffmpeg, [...head, '-listen', '1', '-timeout', '60', '-i', url, ...output]),
      );
      await waitUntil(
        `the remux to listen on ${port}`,
        () => (listensOnLoopback(port) ? true : undefined),
        10_000,
        50,
      );
      pushers.push(ctx.group.start(ctx.tools.ffmpeg, pushArgs(source, url)));
    }
    await waitUntil(
      'every remux to write two segments',
      () => {
        ensureRunning([...remuxers, ...pushers], 'a baseline ffmpeg');
        return playlists.every((p) => lastSequence(p) >= 1) ? true : undefined;
      },
      60_000,
    );
    const firstSequences = playlists.map(lastSequence);
    const remuxBefore = cpuOfPids(remuxers.map((p) => p.pid));
    const pushBefore = cpuOfPids(pushers.map((p) => p.pid));
    const machineBefore = machineBusySeconds();
    const started = performance.now();
    await sleep(windowSeconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    const remuxCpu = cpuSum(remuxBefore, cpuOfPids(remuxers.map((p) => p.pid)));
    const pushCpu = cpuSum(pushBefore, cpuOfPids(pushers.map((p) => p.pid)));
    const machineAfter = machineBusySeconds();
    ensureRunning([...remuxers, ...pushers], 'a baseline ffmpeg');
    return {
      cpu: figures(remuxCpu, elapsed),
      perStream: figures(remuxCpu / streams, elapsed),
      encoders: figures(pushCpu / streams, elapsed),
      segments: playlists.map((p, i) => lastSequence(p) - firstSequences[i]!),
      windowSeconds: elapsed,
      machineCores:
        machineBefore !== undefined && machineAfter !== undefined
          ? (machineAfter - machineBefore) / elapsed
          : NaN,
    };
  } finally {
    await Promise.all(pushers.map((p) => ctx.group.stop(p)));
    await Promise.all(remuxers.map((p) => ctx.group.stop(p)));
    for (let i = 0; i < streams; i++)
      rmSync(join(ctx.scratch, `remux-${i}`), { recursive: true, force: true });
  }
}

function checkTrack(
  history: PlaylistHistory,
  fromMs: number,
  toMs: number,
  segmentSeconds: number,
): TrackCheck {
  const segments = history.between(fromMs, toMs);
  const gaps = PlaylistHistory.gaps(segments);
  const skippedFiles = PlaylistHistory.skippedFiles(segments);
  const rewritten = segments.filter((s) => history.rewritten.has(s.sequence)).length;
  const offDuration = segments.filter(
    (s) => Math.abs(s.duration - segmentSeconds) > DURATION_TOLERANCE * segmentSeconds,
  ).length;
  const discontinuities = segments.filter((s) => s.discontinuity).length;
  // Whole segments the wall time of the window holds, less one for where the edges fall.
  const expected = Math.floor((toMs - fromMs) / 1000 / segmentSeconds) - 1;
  const shortfall = Math.max(0, expected - segments.length);
  return {
    segments: segments.length,
    mediaSeconds: segments.reduce((sum, s) => sum + s.duration, 0),
    gaps,
    skippedFiles,
    rewritten,
    offDuration,
    discontinuities,
    shortfall,
    dropped: gaps + skippedFiles + rewritten + offDuration + discontinuities + shortfall,
  };
}

/** N channels on the server, each with its encoder; their playlists polled through the window. */
async function tesseraChannels(ctx: LiveContext, source: string, count: number, windowSeconds: number) {
  ctx.options.log(`capacity: ${count} pass-through channels on Tessera for ${windowSeconds} s…`);
  const channels: StartedChannel[] = [];
  const pushers: Tracked[] = [];
  let polling = true;
  let pollers: Promise<void>[] = [];
  try {
    for (let i = 0; i < count; i++) channels.push(await startChannel(ctx.api, `bench-capacity-${i}`));
    for (const channel of channels)
      pushers.push(ctx.group.start(ctx.tools.ffmpeg, pushArgs(source, channel.ingestUrl)));
    const tracks = channels.flatMap((channel) =>
      ['video_0', 'audio'].map((track) => ({
        channel: channel.name,
        track,
        url: new URL(`live/${track}.m3u8`, channel.previewBase),
        history: new PlaylistHistory(),
      })),
    );
    const segmentSeconds = await waitUntil(
      'every channel to list two segments',
      async () => {
        ensureRunning(pushers, 'an encoder');
        let target = 0;
        for (const t of tracks) {
          const playlist = parseMediaPlaylist((await fetchOk(ctx, t.url)).toString('utf8'));
          if (playlist.segments.length < 2) return undefined;
          target = Math.max(target, playlist.targetDuration);
        }
        return target;
      },
      90_000,
      500,
    );
    // What the playlists list before the window opens is not the window's.
    const before = Date.now();
    for (const t of tracks)
      t.history.add(parseMediaPlaylist((await fetchOk(ctx, t.url)).toString('utf8')), before);
    let playlistErrors = 0;
    pollers = tracks.map(async (t) => {
      while (polling) {
        try {
          t.history.add(parseMediaPlaylist((await fetchOk(ctx, t.url)).toString('utf8')), Date.now());
        } catch {
          playlistErrors++;
        }
        await sleep(PLAYLIST_POLL_MS);
      }
    });
    const treeBefore = readTree(ctx.serverPid);
    const pushBefore = cpuOfPids(pushers.map((p) => p.pid));
    const machineBefore = machineBusySeconds();
    const fromMs = Date.now();
    const fromUs = monotonicMicros();
    const started = performance.now();
    await sleep(windowSeconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    const toUs = monotonicMicros();
    const treeAfter = readTree(ctx.serverPid);
    const pushCpu = cpuSum(pushBefore, cpuOfPids(pushers.map((p) => p.pid)));
    const machineAfter = machineBusySeconds();
    const toMs = Date.now();
    ensureRunning(pushers, 'an encoder');
    if (!treeBefore || !treeAfter) throw new Error('the server process is gone');
    // One more poll of each, so that segments listed just before the window closed are seen.
    await sleep(PLAYLIST_POLL_MS + 200);
    polling = false;
    await Promise.all(pollers);
    const cpu = treeDelta(treeBefore, treeAfter);
    return {
      segmentSeconds,
      server: figures(cpu.own, elapsed),
      segmenters: figures(cpu.descendants, elapsed),
      total: figures(cpu.total, elapsed),
      perChannel: figures(cpu.total / count, elapsed),
      encoders: figures(pushCpu / count, elapsed),
      windowSeconds: elapsed,
      tracks: tracks.map((t) => ({
        channel: t.channel,
        track: t.track,
        ...checkTrack(t.history, fromMs, toMs, segmentSeconds),
      })),
      playlistErrors,
      window: { fromUs, toUs },
      machineCores:
        machineBefore !== undefined && machineAfter !== undefined
          ? (machineAfter - machineBefore) / elapsed
          : NaN,
    };
  } finally {
    polling = false;
    await Promise.all(pollers);
    await Promise.all(pushers.map((p) => ctx.group.stop(p)));
    for (const channel of channels) {
      await stopChannel(ctx.api, channel).catch((error: unknown) =>
        ctx.options.log(`capacity: stopping ${channel.name} failed: ${(error as Error).message}`),
      );
    }
  }
}

export async function measureCapacity(
  ctx: LiveContext,
  channels: number,
  windowSeconds: number,
): Promise<CapacityResult> {
  const source = await sourceFile(ctx);
  const remux = await remuxBaseline(ctx, source, channels, windowSeconds, 'rtmp');
  const tessera = await tesseraChannels(ctx, source, channels, windowSeconds);
  const fileRemux = await remuxBaseline(ctx, source, channels, windowSeconds, 'file');
  const dropped = tessera.tracks.reduce((sum, t) => sum + t.dropped, 0) + tessera.playlistErrors;
  return {
    channels,
    windowSeconds,
    segmentSeconds: tessera.segmentSeconds,
    remux,
    fileRemux,
    tessera,
    ratio: tessera.perChannel.cores / remux.perStream.cores,
    fileRatio: tessera.perChannel.cores / fileRemux.perStream.cores,
    dropped,
    pass: dropped === 0,
  };
}
