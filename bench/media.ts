/**
 * Media Services v2 against a child server (`bench/mediaServer.ts`) that also serves bare Fastify
 * HTTPS routes with the same certificate. Four figures, each judged against a baseline measured in
 * the same run:
 *  - upload: bytes/s of a SAS Put Blob (64 MiB bodies) against a bare route that streams the same
 *    bytes to a file: ≥ 0.70;
 *  - encoding: the wall time of a Media Encoder Standard job ("H264 Multiple Bitrate 720p" on a
 *    generated 10 s 1280x720 clip), submitted through the API and polled until Finished, against
 *    the same ffmpeg command (planEncode, same tools and threads) run directly: ≤ 1.15;
 *  - streaming: requests/s of an HLS segment GET and of a ranged progressive-download GET through
 *    an origin locator against a bare route sending the same bytes from a file: ≥ 0.60 each;
 *  - OData listing: 10,000 assets (made through `$batch` change sets) listed with `$filter` and
 *    `$orderby`, following `odata.nextLink` to the end: ≥ 20,000 entities/s.
 * Bare and Tessera windows alternate (bare, Tessera, bare, …, bare); each Tessera window is judged
 * against the mean of its neighbours and the median ratio is kept, so drift in the load of this
 * shared machine moves both sides of each ratio together. `BENCH_MEDIA_PHASES=upload,streaming`
 * runs some of the phases (streaming then encodes its asset once, untimed).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../src/media/encoding/ffmpegBinary.js';
import type { FfmpegTools } from '../src/media/encoding/ffmpegBinary.js';
import { planEncode } from '../src/media/encoding/plan.js';
import { probe } from '../src/media/encoding/probe.js';
import { startServerProcess } from './lib/child.js';
import { clientCredentialsToken } from './lib/https.js';
import { cpuTimes, machineBusySeconds } from './lib/procstat.js';
import { digestCpuProfile, monotonicMicros } from './lib/profile.js';
import type { ProfileDigest } from './lib/profile.js';
import type { Entity } from './mediaClient.js';
import { MediaApiClient, send } from './mediaClient.js';
import { runGetLoad } from './mediaLoad.js';
import type { GetLoadResult } from './mediaLoad.js';
import type { MediaHandshake } from './mediaServer.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'Media Services v2: SAS Put Blob vs bare upload (≥ 0.70), MES job vs direct ffmpeg (≤ 1.15), origin HLS segment and progressive GETs vs bare file route (≥ 0.60), OData listing of 10,000 assets (≥ 20,000/s)';

const UPLOAD_TARGET = 0.7;
const ENCODE_TARGET = 1.15;
const STREAM_TARGET = 0.6;
const LIST_TARGET = 20_000;

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 4);
/** Streaming: Tessera windows per figure, each between two bare windows. */
const ROUNDS = 3;
const MiB = 1024 * 1024;
const UPLOAD_BYTES = Number(process.env.BENCH_UPLOAD_MIB ?? 64) * MiB;
/** Put Blobs per upload window, one after another on one keep-alive connection. */
const UPLOADS_PER_WINDOW = 3;
/** Upload windows are short (a few seconds each): more of them. */
const UPLOAD_ROUNDS = 5;
const CLIP_SECONDS = Number(process.env.BENCH_CLIP_SECONDS ?? 10);
/** Each round is an encode through the API and one more direct run: ~25 s each on these machines. */
const ENCODE_ROUNDS = Number(process.env.BENCH_ENCODE_ROUNDS ?? 3);
const PRESET = 'H264 Multiple Bitrate 720p';
const LIST_COUNT = 10_000;
const BATCH_SIZE = 1000;
const LIST_ROUNDS = 7;
const LIST_PREFIX = 'bench-list-';
/** The progressive download's range: what a player asks for after a seek. */
const RANGE_BYTES = 1 * MiB;
const PHASES = ['upload', 'encode', 'streaming', 'listing'] as const;
type Phase = (typeof PHASES)[number];

const MES_ID = 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56';
/** The upper middle for an even count: of two rounds, the worse one for a ≤ target. */
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mean = (a: number, b: number) => (a + b) / 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const mb = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;
const fixed = (values: readonly number[], digits = 3) => values.map((v) => v.toFixed(digits)).join(' / ');

interface Window {
  fromUs: number;
  toUs: number;
}

/** What one phase measured: a window per sample, in Tessera or in the bare baseline. */
interface Alternation<S> {
  bare: S[];
  tessera: S[];
  /** Each Tessera figure over the mean of its neighbouring bare figures. */
  ratios: number[];
  /** The Tessera windows, for the profile digest. */
  windows: Window[];
}

/** bare, Tessera, bare, …, bare. */
async function alternate<S>(
  rounds: number,
  bare: () => Promise<S>,
  tessera: () => Promise<S>,
  figure: (sample: S) => number,
): Promise<Alternation<S>> {
  const result: Alternation<S> = { bare: [await bare()], tessera: [], ratios: [], windows: [] };
  for (let i = 0; i < rounds; i++) {
    const fromUs = monotonicMicros();
    const sample = await tessera();
    result.windows.push({ fromUs, toUs: monotonicMicros() });
    result.tessera.push(sample);
    result.bare.push(await bare());
    result.ratios.push(figure(sample) / mean(figure(result.bare[i]!), figure(result.bare[i + 1]!)));
  }
  return result;
}

async function exec(command: string, args: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`)),
    );
  });
}

/**
 * CPU seconds (user + system) of a process's children that have ended and been waited for (Linux
 * /proc: cutime + cstime); 0 elsewhere. The server's count the encoder runs of its jobs.
 */
function childrenCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

interface Locator extends Entity {
  BaseUri: string;
  ContentAccessComponent: string;
  Path: string;
}

/** What every phase works with. */
interface Context {
  options: BenchOptions;
  h: MediaHandshake;
  ca: Buffer;
  api: MediaApiClient;
  tools: FfmpegTools;
  scratch: string;
  /** A new asset with a SAS locator that may write it. */
  writableAsset(name: string): Promise<{ asset: Entity; locator: Locator }>;
}

interface PhaseResult {
  pass: boolean;
  table: Array<[string, string]>;
  summary: Record<string, unknown>;
  /** Tessera's first measured window, for the profile digest. */
  window?: Window;
}

// ---- 1. upload ---------------------------------------------------------------------------------

async function uploadPhase(ctx: Context): Promise<PhaseResult> {
  const { options, h, ca } = ctx;
  options.log(`upload: ${UPLOADS_PER_WINDOW} × ${UPLOAD_BYTES / MiB} MiB per window…`);
  const payload = randomBytes(UPLOAD_BYTES);
  const payloadMd5 = createHash('md5').update(payload).digest('base64');
  const { locator } = await ctx.writableAsset('bench-upload');
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  const blobUrl = new URL(`${locator.BaseUri}/upload.bin${locator.ContentAccessComponent}`);
  const putWindow = async (url: URL, blob: boolean) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < UPLOADS_PER_WINDOW; i++) {
      const answer = await send(url, ca, {
        method: 'PUT',
        agent,
        headers: {
          'content-length': String(payload.length),
          'content-type': 'application/octet-stream',
          ...(blob ? { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2015-02-21' } : {}),
        },
        body: payload,
      });
      if (answer.status !== 201) throw new Error(`PUT ${url.pathname} answered ${answer.status}`);
      if (blob && answer.headers['content-md5'] !== payloadMd5)
        throw new Error(`Put Blob stored other bytes (Content-MD5 ${answer.headers['content-md5']})`);
    }
    return (payload.length * UPLOADS_PER_WINDOW) / elapsed(started);
  };
  const bare = new URL(`${h.bareOrigin}/bare/upload/upload.bin`);
  const bareFsync = new URL(`${h.bareOrigin}/bare/upload/upload.bin?fsync=1`);
  try {
    await putWindow(bare, false); // warm-up
    await putWindow(blobUrl, true);
    const runs = await alternate(
      UPLOAD_ROUNDS,
      () => putWindow(bare, false),
      () => putWindow(blobUrl, true),
      (bytesPerSecond) => bytesPerSecond,
    );
    const fsynced = [await putWindow(bareFsync, false), await putWindow(bareFsync, false)];
    const ratio = median(runs.ratios);
    return {
      pass: ratio >= UPLOAD_TARGET,
      window: runs.windows[0]!,
      table: [
        ['bare PUT to a file, bytes/s (each window)', runs.bare.map(mb).join(' / ')],
        ['bare PUT to a file + fsync, bytes/s (context)', fsynced.map(mb).join(' / ')],
        ['SAS Put Blob (MD5, fsync, record), bytes/s', runs.tessera.map(mb).join(' / ')],
        ['ratio Put Blob ÷ neighbouring bare, each', fixed(runs.ratios)],
        ['ratio Put Blob, median', `${ratio.toFixed(3)}  (target ≥ ${UPLOAD_TARGET})`],
      ],
      summary: {
        uploadBytes: UPLOAD_BYTES,
        uploadBareBytesPerSecond: runs.bare,
        uploadBareFsyncBytesPerSecond: fsynced,
        uploadBlobBytesPerSecond: runs.tessera,
        uploadRatios: runs.ratios,
        uploadRatio: ratio,
        uploadTarget: UPLOAD_TARGET,
      },
    };
  } finally {
    agent.destroy();
  }
}

// ---- 2. encoding -------------------------------------------------------------------------------

/** A 1280x720 25 fps H.264 + AAC clip, uploaded as an asset's only file. */
async function inputAsset(ctx: Context): Promise<{ asset: Entity; path: string }> {
  const path = join(ctx.scratch, 'BenchInput.mp4');
  await exec(ctx.tools.ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=duration=${CLIP_SECONDS}:size=1280x720:rate=25`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${CLIP_SECONDS}:sample_rate=48000`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '5M', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-ac', '2', '-shortest', '-movflags', '+faststart', path],
  ]);
  const { asset, locator } = await ctx.writableAsset('BenchInput.mp4');
  const put = await send(
    new URL(`${locator.BaseUri}/BenchInput.mp4${locator.ContentAccessComponent}`),
    ctx.ca,
    {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'video/mp4' },
      body: readFileSync(path),
    },
  );
  if (put.status !== 201) throw new Error(`uploading the clip answered ${put.status}`);
  await ctx.api.expect(204, 'GET', `CreateFileInfos?assetid='${encodeURIComponent(asset.Id)}'`);
  return { asset, path };
}

/** POST Jobs, then GET its State every 100 ms until Finished: what a client waits. */
async function runJob(
  ctx: Context,
  input: Entity,
): Promise<{ seconds: number; serverSeconds: number; output: Entity }> {
  const started = process.hrtime.bigint();
  const created = await ctx.api.expect(201, 'POST', 'Jobs', {
    Name: 'bench encode',
    'InputMediaAssets@odata.bind': [`${ctx.h.api}Assets('${encodeURIComponent(input.Id)}')`],
    Tasks: [
      {
        Name: 'encode',
        Configuration: PRESET,
        MediaProcessorId: MES_ID,
        TaskBody:
          '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="bench-encoded">JobOutputAsset(0)</outputAsset></taskBody>',
      },
    ],
  });
  const jobPath = `Jobs('${encodeURIComponent(created.Id)}')`;
  for (let state = 0; state !== 3;) {
    await sleep(100);
    state = Number((await ctx.api.expect<{ value: number }>(200, 'GET', `${jobPath}/State`)).value);
    if (state === 4 || state === 5) {
      const tasks = await ctx.api.call<{ value: Entity[] }>('GET', `${jobPath}/Tasks`);
      throw new Error(`the encoding job ended in state ${state}: ${tasks.text}`);
    }
  }
  const seconds = elapsed(started);
  const finished = await ctx.api.expect(200, 'GET', jobPath);
  const outputs = await ctx.api.expect<{ value: Entity[] }>(200, 'GET', `${jobPath}/OutputMediaAssets`);
  const output = outputs.value[0];
  if (!output) throw new Error('the encoding job has no output asset');
  return { seconds, serverSeconds: Number(finished.RunningDuration ?? 0), output };
}

async function encodePhase(ctx: Context, input: { asset: Entity; path: string }) {
  ctx.options.log(`encoding: a ${CLIP_SECONDS} s 1280x720 clip with "${PRESET}", ${ENCODE_ROUNDS} round(s)…`);
  const info = await probe(ctx.tools, input.path);
  const threads = availableParallelism();
  /** CPU seconds of the ffmpeg (and ffprobe) runs of each side: the noise-resistant figure. */
  const directCpu: number[] = [];
  const jobCpu: number[] = [];
  const direct = async (): Promise<number> => {
    const outputDir = mkdtempSync(join(ctx.scratch, 'direct-'));
    try {
      const plan = planEncode(
        ctx.tools,
        { inputs: [{ name: 'BenchInput.mp4', path: input.path }], configuration: PRESET, outputDir },
        info,
        { threads },
      );
      const cpuBefore = childrenCpuSeconds(process.pid);
      const started = process.hrtime.bigint();
      await exec(plan.command, plan.args);
      const seconds = elapsed(started);
      directCpu.push(childrenCpuSeconds(process.pid) - cpuBefore);
      return seconds;
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  };
  const jobs: Awaited<ReturnType<typeof runJob>>[] = [];
  const runs = await alternate(
    ENCODE_ROUNDS,
    direct,
    async () => {
      const cpuBefore = childrenCpuSeconds(ctx.h.pid);
      const job = await runJob(ctx, input.asset);
      jobCpu.push(childrenCpuSeconds(ctx.h.pid) - cpuBefore);
      jobs.push(job);
      return job.seconds;
    },
    (seconds) => 1 / seconds,
  );
  const cpuRatio = median(jobCpu) / median(directCpu);
  // Seconds, not speed: each job's time over its neighbouring direct runs' (lower is better).
  const ratios = runs.ratios.map((speed) => 1 / speed);
  const ratio = median(ratios);
  const result: PhaseResult = {
    pass: ratio <= ENCODE_TARGET,
    window: runs.windows[0]!,
    table: [
      [`direct ffmpeg (planEncode, ${threads} threads), s`, fixed(runs.bare, 2)],
      [
        'MES job, POST Jobs → State Finished, s',
        `${fixed(runs.tessera, 2)}  (server RunningDuration ${fixed(
          jobs.map((j) => j.serverSeconds),
          2,
        )})`,
      ],
      [
        'ratio job ÷ neighbouring direct runs, each → median',
        `${fixed(ratios)}  → ${ratio.toFixed(3)}  (target ≤ ${ENCODE_TARGET})`,
      ],
      [
        'CPU of ffmpeg + ffprobe, direct / job, s (context)',
        `${fixed(directCpu, 1)} / ${fixed(jobCpu, 1)}  → ratio of medians ${cpuRatio.toFixed(3)}`,
      ],
    ],
    summary: {
      encodeDirectSeconds: runs.bare,
      encodeJobSeconds: runs.tessera,
      encodeServerSeconds: jobs.map((j) => j.serverSeconds),
      encodeRatios: ratios,
      encodeDirectCpuSeconds: directCpu,
      encodeJobCpuSeconds: jobCpu,
      encodeCpuRatio: cpuRatio,
      encodeRatio: ratio,
      encodeTarget: ENCODE_TARGET,
    },
  };
  return { result, output: jobs.at(-1)!.output };
}

// ---- 3. streaming ------------------------------------------------------------------------------

async function streamingPhase(ctx: Context, asset: Entity): Promise<PhaseResult> {
  const { options, h, ca, api } = ctx;
  options.log('streaming: packaging, then HLS segment and progressive GETs…');
  const readPolicy = await api.expect(201, 'POST', 'AccessPolicies', {
    Name: 'bench read',
    DurationInMinutes: 600,
    Permissions: 1,
  });
  const origin = await api.expect<Locator>(201, 'POST', 'Locators', {
    AccessPolicyId: readPolicy.Id,
    AssetId: asset.Id,
    Type: 2,
  });
  const files = (
    await api.expect<{ value: Entity[] }>(200, 'GET', `Assets('${encodeURIComponent(asset.Id)}')/Files`)
  ).value;
  const ism = files.map((f) => f.Name as string).find((name) => name.endsWith('.ism'));
  if (!ism) throw new Error(`the asset has no server manifest: ${files.map((f) => f.Name).join(', ')}`);

  const packagingStarted = process.hrtime.bigint();
  const masterUrl = new URL(`${origin.Path}${ism}/manifest(format=m3u8-aapl)`);
  const master = await send(masterUrl, ca, {});
  const packagingSeconds = elapsed(packagingStarted);
  if (master.status !== 200) throw new Error(`the HLS manifest answered ${master.status}`);
  // The variant a player on a good link streams: the highest BANDWIDTH; a segment from its middle.
  const lines = master.body.toString('utf8').split('\n');
  let best = { bandwidth: -1, uri: '' };
  lines.forEach((line, i) => {
    const bandwidth = Number(/^#EXT-X-STREAM-INF:.*\bBANDWIDTH=(\d+)/.exec(line)?.[1] ?? NaN);
    if (bandwidth > best.bandwidth) best = { bandwidth, uri: lines[i + 1]?.trim() ?? '' };
  });
  const playlistUrl = new URL(best.uri, masterUrl);
  const playlist = await send(playlistUrl, ca, {});
  const segments = playlist.body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const segmentUrl = new URL(segments[Math.floor(segments.length / 2)] ?? '', playlistUrl);
  const segment = await send(segmentUrl, ca, {});
  if (segment.status !== 200 || segment.body.length === 0)
    throw new Error(`the HLS segment answered ${segment.status}`);
  writeFileSync(join(h.bareDir, 'segment.m4s'), segment.body);

  // Progressive download: a 1 MiB range from the middle of the largest MP4, as after a seek.
  const largest = files
    .filter((f) => (f.Name as string).endsWith('.mp4'))
    .sort((a, b) => Number(b.ContentFileSize) - Number(a.ContentFileSize))[0];
  if (!largest) throw new Error('the asset has no MP4');
  const progressiveUrl = `${origin.Path}${encodeURIComponent(largest.Name as string)}`;
  const whole = await send(new URL(progressiveUrl), ca, {});
  if (whole.status !== 200) throw new Error(`the progressive download answered ${whole.status}`);
  writeFileSync(join(h.bareDir, 'progressive.mp4'), whole.body);
  const rangeStart = Math.max(0, Math.floor(whole.body.length / 2 - RANGE_BYTES / 2));
  const rangeEnd = Math.min(whole.body.length - 1, rangeStart + RANGE_BYTES - 1);
  const rangeHeaders = { range: `bytes=${rangeStart}-${rangeEnd}` };
  const ranged = await send(new URL(progressiveUrl), ca, { headers: rangeHeaders });
  if (ranged.status !== 206 || !ranged.body.equals(whole.body.subarray(rangeStart, rangeEnd + 1)))
    throw new Error(`the ranged progressive GET answered ${ranged.status} with other bytes`);
  const bareProgressive = `${h.bareOrigin}/bare/files/progressive.mp4`;
  const bareRanged = await send(new URL(bareProgressive), ca, { headers: rangeHeaders });
  if (bareRanged.status !== 206 || !bareRanged.body.equals(ranged.body))
    throw new Error(`the bare ranged GET answered ${bareRanged.status} with other bytes`);
  const bareSegment = `${h.bareOrigin}/bare/files/segment.m4s`;

  interface Loaded {
    result: GetLoadResult;
    cpuMicros: number | undefined;
  }
  const load = async (url: string, headers: Record<string, string>, bytes: number, seconds = SECONDS) => {
    const before = cpuTimes(h.pid);
    const result = await runGetLoad({
      url: new URL(url),
      ca,
      servername: 'localhost',
      connections: CONNECTIONS,
      seconds,
      headers,
      expectedBytes: bytes,
    });
    const after = cpuTimes(h.pid);
    const cpuMicros =
      before && after
        ? ((after.mainThreadSeconds - before.mainThreadSeconds) * 1e6) / Math.max(1, result.requests)
        : undefined;
    return { result, cpuMicros } satisfies Loaded;
  };
  const rps = (l: Loaded) => l.result.requestsPerSecond;
  const measure = async (
    label: string,
    bareUrl: string,
    url: string,
    headers: Record<string, string>,
    bytes: number,
  ) => {
    await load(bareUrl, headers, bytes, 1);
    await load(url, headers, bytes, 1);
    options.log(`${label} (${bytes} bytes): ${ROUNDS * 2 + 1} windows of ${SECONDS} s…`);
    return alternate(
      ROUNDS,
      () => load(bareUrl, headers, bytes),
      () => load(url, headers, bytes),
      rps,
    );
  };
  const segmentRuns = await measure('HLS segment', bareSegment, segmentUrl.href, {}, segment.body.length);
  const progressiveRuns = await measure(
    'progressive range',
    bareProgressive,
    progressiveUrl,
    rangeHeaders,
    ranged.body.length,
  );

  const all = [
    ...segmentRuns.bare,
    ...segmentRuns.tessera,
    ...progressiveRuns.bare,
    ...progressiveRuns.tessera,
  ];
  const failed = all.reduce((sum, l) => sum + l.result.failed, 0);
  const segmentRatio = median(segmentRuns.ratios);
  const progressiveRatio = median(progressiveRuns.ratios);
  const cpu = (loads: Loaded[]) => {
    const values = loads.flatMap((l) => (l.cpuMicros === undefined ? [] : [l.cpuMicros]));
    return values.length > 0 ? median(values).toFixed(0) : 'n/a';
  };
  const bytesOf = (loads: Loaded[]) => median(loads.map((l) => l.result.bytesPerSecond));
  const rows = (name: string, runs: Alternation<Loaded>, ratio: number): Array<[string, string]> => [
    [`bare route, ${name}, req/s (each window)`, runs.bare.map((l) => n(rps(l))).join(' / ')],
    [`origin locator, ${name}, req/s`, runs.tessera.map((l) => n(rps(l))).join(' / ')],
    [`${name} bytes/s, bare / origin (medians)`, `${mb(bytesOf(runs.bare))} / ${mb(bytesOf(runs.tessera))}`],
    [
      `ratio ${name}, each → median`,
      `${fixed(runs.ratios)}  → ${ratio.toFixed(3)}  (target ≥ ${STREAM_TARGET})`,
    ],
    [`server CPU per ${name} GET, bare / origin (µs)`, `${cpu(runs.bare)} / ${cpu(runs.tessera)}`],
  ];
  return {
    pass: segmentRatio >= STREAM_TARGET && progressiveRatio >= STREAM_TARGET && failed === 0,
    window: segmentRuns.windows[0]!,
    table: [
      ['first HLS manifest (packaging on first use), s', packagingSeconds.toFixed(2)],
      ...rows(`HLS segment (${n(segment.body.length)} B)`, segmentRuns, segmentRatio),
      ...rows(`progressive range (${n(ranged.body.length)} B)`, progressiveRuns, progressiveRatio),
      ['failed streaming responses', String(failed)],
    ],
    summary: {
      packagingSeconds,
      segmentBytes: segment.body.length,
      segmentBareRequestsPerSecond: segmentRuns.bare.map(rps),
      segmentOriginRequestsPerSecond: segmentRuns.tessera.map(rps),
      segmentBareBytesPerSecond: bytesOf(segmentRuns.bare),
      segmentOriginBytesPerSecond: bytesOf(segmentRuns.tessera),
      segmentRatios: segmentRuns.ratios,
      segmentRatio,
      progressiveRangeBytes: ranged.body.length,
      progressiveBareRequestsPerSecond: progressiveRuns.bare.map(rps),
      progressiveOriginRequestsPerSecond: progressiveRuns.tessera.map(rps),
      progressiveBareBytesPerSecond: bytesOf(progressiveRuns.bare),
      progressiveOriginBytesPerSecond: bytesOf(progressiveRuns.tessera),
      progressiveRatios: progressiveRuns.ratios,
      progressiveRatio,
      streamTarget: STREAM_TARGET,
      streamFailed: failed,
      connections: CONNECTIONS,
      seconds: SECONDS,
    },
  };
}

// ---- 4. OData listing --------------------------------------------------------------------------

async function listingPhase(ctx: Context): Promise<PhaseResult> {
  const { options, h, ca, api } = ctx;
  options.log(`listing: creating ${LIST_COUNT} assets through $batch…`);
  const createStarted = process.hrtime.bigint();
  let created = 0;
  for (let i = 0; i < LIST_COUNT; i += BATCH_SIZE) {
    const bodies = Array.from({ length: Math.min(BATCH_SIZE, LIST_COUNT - i) }, (_, j) => ({
      Name: `${LIST_PREFIX}${String(i + j).padStart(5, '0')}`,
      Options: 0,
    }));
    created += await api.batchCreate('Assets', bodies);
  }
  const createSeconds = elapsed(createStarted);
  if (created !== LIST_COUNT) throw new Error(`$batch created ${created} of ${LIST_COUNT} assets`);
  // Assets the filter must leave out, on both sides of its range.
  await api.expect(201, 'POST', 'Assets', { Name: 'bench-lisa', Options: 0 });
  await api.expect(201, 'POST', 'Assets', { Name: `${LIST_PREFIX}encrypted`, Options: 1 });

  const filter = encodeURIComponent(`startswith(Name,'${LIST_PREFIX}') and Options eq 0`);
  const query = `$filter=${filter}&$orderby=${encodeURIComponent('Name desc')}`;
  /** One client paging through on one keep-alive connection, checking the order as it goes. */
  const listOnce = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const client = new MediaApiClient(h.api, ca, api.token, agent);
    let next: string | undefined = `Assets?${query}`;
    let entities = 0;
    let pages = 0;
    let previous: string | undefined;
    let ordered = true;
    const started = process.hrtime.bigint();
    while (next !== undefined) {
      const page: { value: Entity[]; 'odata.nextLink'?: string } = await client.expect(200, 'GET', next);
      for (const entity of page.value) {
        const name = entity.Name as string;
        if (previous !== undefined && !(name < previous)) ordered = false;
        previous = name;
      }
      entities += page.value.length;
      pages++;
      next = page['odata.nextLink'];
    }
    const seconds = elapsed(started);
    agent.destroy();
    return { entities, pages, seconds, ordered };
  };
  await listOnce(); // warm-up
  options.log(`listing ${LIST_COUNT} assets, ${LIST_ROUNDS} rounds…`);
  const listings: Array<Awaited<ReturnType<typeof listOnce>> & { serverCpu?: number; othersCpu?: number }> =
    [];
  const fromUs = monotonicMicros();
  for (let i = 0; i < LIST_ROUNDS; i++) {
    const server = cpuTimes(h.pid);
    const machine = machineBusySeconds();
    const own = process.cpuUsage();
    const listing = await listOnce();
    const ownSeconds = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(own));
    const serverAfter = cpuTimes(h.pid);
    const machineAfter = machineBusySeconds();
    listings.push({
      ...listing,
      ...(server && serverAfter
        ? { serverCpu: serverAfter.mainThreadSeconds - server.mainThreadSeconds }
        : {}),
      ...(server && serverAfter && machine !== undefined && machineAfter !== undefined
        ? {
            othersCpu: Math.max(
              0,
              machineAfter - machine - (serverAfter.processSeconds - server.processSeconds) - ownSeconds,
            ),
          }
        : {}),
    });
  }
  const window = { fromUs, toUs: monotonicMicros() };
  // Summed over the rounds: /proc counts CPU in 10 ms ticks, a round takes a few of them.
  const serverCpu = listings.reduce((sum, l) => sum + (l.serverCpu ?? NaN), 0);
  const perCpuSecond = (LIST_COUNT * listings.length) / serverCpu;
  const othersShare = listings.map((l) => (l.othersCpu === undefined ? NaN : l.othersCpu / l.seconds));
  const complete = listings.every((l) => l.entities === LIST_COUNT && l.ordered);
  const perSecond = median(listings.map((l) => l.entities / l.seconds));
  return {
    pass: perSecond >= LIST_TARGET && complete,
    window,
    table: [
      [`create ${n(LIST_COUNT)} assets ($batch, ${BATCH_SIZE} per change set), s`, createSeconds.toFixed(2)],
      [
        `list ${n(LIST_COUNT)} ($filter + $orderby, nextLink), entities/s (median of ${LIST_ROUNDS})`,
        `${n(perSecond)}  (target ≥ ${n(LIST_TARGET)})`,
      ],
      [
        'list rounds, seconds (pages)',
        listings.map((l) => `${l.seconds.toFixed(3)} (${l.pages})`).join(' / '),
      ],
      [
        'other processes during each round, cores busy',
        othersShare.map((share) => (Number.isNaN(share) ? 'n/a' : share.toFixed(2))).join(' / '),
      ],
      [
        'entities per second of server main-thread CPU (all rounds)',
        Number.isFinite(perCpuSecond) ? n(perCpuSecond) : 'n/a',
      ],
      ['every round listed all, in order', complete ? 'yes' : 'NO'],
    ],
    summary: {
      createAssetsSeconds: createSeconds,
      listEntitiesPerSecond: perSecond,
      listSeconds: listings.map((l) => l.seconds),
      listOtherProcessesCores: othersShare,
      listEntitiesPerServerCpuSecond: perCpuSecond,
      listComplete: complete,
      listTarget: LIST_TARGET,
    },
  };
}

// ---- the bench ---------------------------------------------------------------------------------

function selectedPhases(): Set<Phase> {
  const asked = process.env.BENCH_MEDIA_PHASES;
  if (!asked) return new Set(PHASES);
  const names = asked.split(',').map((s) => s.trim());
  const unknown = names.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_MEDIA_PHASES: unknown ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
  return new Set(names as Phase[]);
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const phases = selectedPhases();
  const profileDir = options.profile
    ? join(options.resultsDir, 'profiles', `media-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = await startServerProcess<MediaHandshake>({
    script: 'mediaServer.ts',
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
  });
  const scratch = mkdtempSync(join(tmpdir(), 'tessera-bench-media-client-'));
  const results: Array<[Phase, PhaseResult]> = [];
  try {
    const h = child.handshake;
    const ca = readFileSync(h.caCertPath);
    const token = await clientCredentialsToken(h, ca, 'https://rest.media.azure.net/.default');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const api = new MediaApiClient(h.api, ca, token, agent);
    const writePolicy = await api.expect(201, 'POST', 'AccessPolicies', {
      Name: 'bench write',
      DurationInMinutes: 600,
      Permissions: 2,
    });
    const ctx: Context = {
      options,
      h,
      ca,
      api,
      tools: await locateFfmpeg(),
      scratch,
      async writableAsset(name) {
        const asset = await api.expect(201, 'POST', 'Assets', { Name: name, Options: 0 });
        const locator = await api.expect<Locator>(201, 'POST', 'Locators', {
          AccessPolicyId: writePolicy.Id,
          AssetId: asset.Id,
          StartTime: new Date(Date.now() - 60_000).toISOString(),
          Type: 1,
        });
        return { asset, locator };
      },
    };

    if (phases.has('upload')) results.push(['upload', await uploadPhase(ctx)]);
    if (phases.has('encode') || phases.has('streaming')) {
      const input = await inputAsset(ctx);
      let encoded: Entity;
      if (phases.has('encode')) {
        const { result, output } = await encodePhase(ctx, input);
        results.push(['encode', result]);
        encoded = output;
      } else {
        options.log('encoding the asset to stream (untimed)…');
        encoded = (await runJob(ctx, input.asset)).output;
      }
      if (phases.has('streaming')) results.push(['streaming', await streamingPhase(ctx, encoded)]);
    }
    if (phases.has('listing')) results.push(['listing', await listingPhase(ctx)]);
    agent.destroy();
  } finally {
    await child.stop();
    rmSync(scratch, { recursive: true, force: true });
  }

  const pass = results.every(([, r]) => r.pass);
  const notes: string[] = [];
  const profiles: Record<string, ProfileDigest & { file: string }> = {};
  const file = child.cpuProfile();
  if (file) {
    for (const [phase, result] of results) {
      if (!result.window) continue;
      const digest = { file, ...digestCpuProfile(file, result.window) };
      profiles[phase] = digest;
      notes.push(...profileNotes(phase, digest));
    }
  } else if (!pass) {
    notes.push('run `npm run bench -- media --profile` to see where the server spends its time');
  }
  return {
    name: 'media',
    pass,
    table: [
      ...results.flatMap(([phase, r]) =>
        r.table.map(([label, value]): [string, string] => [`${phase}: ${label}`, value]),
      ),
      ['result', pass ? 'PASS' : 'FAIL'],
    ],
    notes,
    summary: {
      pass,
      phases: results.map(([phase]) => phase),
      ...Object.fromEntries(results.flatMap(([, r]) => Object.entries(r.summary))),
      ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
    },
  };
}

function profileNotes(phase: string, digest: ProfileDigest & { file: string }): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `server CPU profile, ${phase} (${digest.windowed ? 'first Tessera window' : 'whole run: the window did not match'}): ` +
      `${digest.busyMs} ms busy of ${digest.windowMs} ms; ${digest.file}`,
    ...digest.categories.slice(0, 10).map((c) => `  ${pct(c.share)}  ${c.category}`),
    '  top self time:',
    ...digest.selfTime.slice(0, 12).map((f) => `  ${pct(f.share)}  ${f.fn}`),
  ];
}
