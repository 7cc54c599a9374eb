/**
 * Client-credentials tokens per second over HTTPS + keep-alive, against the raw RS256 signing rate
 * measured in the same run. The server signs each token with one RSA-2048 operation on its single
 * event loop, so the raw single-thread rate is its ceiling; the target is ≥ 80 % of it, i.e. at
 * most a quarter of a signature's time spent on TLS, fastify, SQLite, hashing, JSON and logging.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { basename, join, resolve } from 'node:path';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { startServerProcess } from './lib/child.js';
import { cpuTimes, machineBusySeconds } from './lib/procstat.js';
import type { CpuTimes } from './lib/procstat.js';
import { digestCpuProfile, monotonicMicros } from './lib/profile.js';
import type { ProfileDigest } from './lib/profile.js';
import {
  keyObject,
  rsaKeyPem,
  signRateInThreadpool,
  signRateInWorkers,
  signRateOnThisThread,
} from './lib/rawSign.js';
import type { SignRate } from './lib/rawSign.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'client-credentials tokens/s over HTTPS keep-alive vs raw RS256 signs/s (node:crypto, cached key)';

const TARGET_RATIO = 0.8;
const SIGN_SECONDS = Number(process.env.BENCH_SIGN_SECONDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** The machine's cores (the brief's 2-core box), for the multi-thread raw rate. */
const SIGN_THREADS = Number(process.env.BENCH_SIGN_THREADS ?? 2);
const SCOPE = 'https://management.azure.com/.default';

/** Functions whose inclusive (synchronous-stack) time the profile digest reports. */
const INCLUSIVE = [
  /^signRs256 /,
  /^mintAccessToken /,
  /^executeQuery .*kysely/,
  /^prepare .*better-sqlite3/,
  /^compileQuery .*kysely/,
  /^checkSecret /,
  /^parseTokenForm /,
  /^serialize .*fastify/,
  /^randomBytes /,
];

interface HttpsAnswer {
  status: number;
  body: string;
}

/** One request with full certificate verification against the server's CA. */
function httpsRequest(url: URL, ca: Buffer, method: string, body?: string): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        servername: 'localhost',
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A token fetched and checked end to end (TLS chain, status, signature against the JWKS). */
async function preflight(tokenUrl: URL, keysUrl: URL, ca: Buffer, form: string): Promise<string> {
  const answer = await httpsRequest(tokenUrl, ca, 'POST', form);
  if (answer.status !== 200) throw new Error(`preflight token request: ${answer.status} ${answer.body}`);
  const token = (JSON.parse(answer.body) as { access_token?: string }).access_token ?? '';
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) throw new Error(`preflight: not a JWT: ${answer.body}`);
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: string };
  const keys = await httpsRequest(keysUrl, ca, 'GET');
  const jwk = (JSON.parse(keys.body) as { keys: Array<JsonWebKey & { kid?: string }> }).keys.find(
    (k) => k.kid === kid,
  );
  if (!jwk) throw new Error(`preflight: kid ${kid} is not in the JWKS`);
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const input = Buffer.from(`${header}.${payload}`);
  if (!verify('sha256', input, publicKey, Buffer.from(signature, 'base64url'))) {
    throw new Error('preflight: the token signature does not verify');
  }
  return token;
}

function load(url: URL, ca: Buffer, form: string, seconds: number): Promise<Result> {
  return autocannon({
    url: url.href,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    // The CA is handed over, but autocannon 9 connects with `rejectUnauthorized: false` whatever
    // tlsOptions say (lib/httpClient.js), so its own connections are not verified. This is the
    // load generator only; the preflight verifies the same server against the CA, and tests
    // never switch verification off.
    tlsOptions: { ca },
    servername: 'localhost',
  });
}

interface ServerRun {
  label: string;
  token: string;
  tokensPerSecond: number;
  result: Result;
  failures: number;
  cpu: ReturnType<typeof cpuDelta>;
  loaderCpuPercent: number;
  /** CPU the rest of the machine (other processes: the box is shared) used during the load. */
  otherCpuPercent: number | undefined;
  profile?: ProfileDigest & { file: string };
}

interface OpenServer {
  token: string;
  /** Warms up, loads, stops the server and digests its profile. */
  measure(): Promise<ServerRun>;
}

/** Starts one server (this checkout's or another's) and checks it with one verified token. */
async function openServer(
  options: BenchOptions,
  checkout: string | undefined,
  profileDir: string | undefined,
): Promise<OpenServer> {
  const { log } = options;
  const label = checkout ? `compare ${resolve(checkout)}` : 'this checkout';
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  log(`starting the server (${label}) in a child process…`);
  const server = await startServerProcess({
    ...(profileDir && { cpuProfileDir: profileDir }),
    ...(checkout && { checkout }),
  });
  try {
    const { handshake } = server;
    const ca = readFileSync(handshake.caCertPath);
    // The server listens on 127.0.0.1 and its certificate names that address and localhost.
    const base = new URL(handshake.origin);
    base.hostname = '127.0.0.1';
    const tokenUrl = new URL(`/${handshake.tenantId}/oauth2/v2.0/token`, base);
    const keysUrl = new URL(`/${handshake.tenantId}/discovery/v2.0/keys`, base);
    const form = new URLSearchParams({
      client_id: handshake.clientId,
      client_secret: handshake.secret,
      grant_type: 'client_credentials',
      scope: SCOPE,
    }).toString();
    const token = await preflight(tokenUrl, keysUrl, ca, form);

    const measure = async (): Promise<ServerRun> => {
      try {
        log(`${label}: warm-up ${WARMUP_SECONDS} s at ${CONNECTIONS} connections…`);
        const warm = await load(tokenUrl, ca, form, WARMUP_SECONDS);
        log(`  ${fmt(warm['2xx'] / warm.duration)} tokens/s`);
        log(`${label}: load ${LOAD_SECONDS} s at ${CONNECTIONS} connections, pipelining 1…`);
        const cpuBefore = cpuTimes(handshake.pid);
        const machineBefore = machineBusySeconds();
        const loaderBefore = process.cpuUsage();
        const fromUs = monotonicMicros();
        const result = await load(tokenUrl, ca, form, LOAD_SECONDS);
        const toUs = monotonicMicros();
        const loaderCpu = process.cpuUsage(loaderBefore);
        const cpuAfter = cpuTimes(handshake.pid);
        const machineAfter = machineBusySeconds();
        const tokensPerSecond = result['2xx'] / result.duration;
        log(`  ${fmt(tokensPerSecond)} tokens/s`);
        await server.stop();

        const loaderSeconds = (loaderCpu.user + loaderCpu.system) / 1e6;
        const serverSeconds =
          cpuBefore && cpuAfter ? cpuAfter.processSeconds - cpuBefore.processSeconds : undefined;
        const run: ServerRun = {
          label,
          token,
          tokensPerSecond,
          result,
          failures:
            result.non2xx + result.errors + result.timeouts + warm.non2xx + warm.errors + warm.timeouts,
          cpu: cpuDelta(cpuBefore, cpuAfter, result.duration, result['2xx']),
          loaderCpuPercent: (loaderSeconds / result.duration) * 100,
          otherCpuPercent:
            machineBefore === undefined || machineAfter === undefined || serverSeconds === undefined
              ? undefined
              : (Math.max(0, machineAfter - machineBefore - serverSeconds - loaderSeconds) /
                  result.duration) *
                100,
        };
        if (profileDir) {
          const file = server.cpuProfile();
          if (!file) throw new Error(`no CPU profile of the server's main thread in ${profileDir}`);
          run.profile = { file, ...digestCpuProfile(file, { fromUs, toUs }, INCLUSIVE) };
        }
        return run;
      } finally {
        await server.stop();
      }
    };
    return { token, measure };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { log } = options;
  const rounds = Math.max(1, options.rounds);
  const profileRoot = options.profile
    ? join(options.resultsDir, 'profiles', `tokens-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  const targets: Array<string | undefined> = [undefined, ...options.compare];
  const profileFor = (checkout: string | undefined, round: number) =>
    profileRoot && join(profileRoot, `${checkout ? basename(resolve(checkout)) : 'baseline'}-${round}`);

  // The baseline server starts first: its preflight token is the real signing input for the raw
  // rates, which are measured while it idles.
  const first = await openServer(options, undefined, profileFor(undefined, 1));
  const signingInput = Buffer.from(first.token.slice(0, first.token.lastIndexOf('.')));
  log(`token ${first.token.length} chars, signing input ${signingInput.length} bytes`);

  const pem = rsaKeyPem();
  const key = keyObject(pem);
  const raw1: SignRate[] = [];
  const signOneThread = () => {
    log(`raw RS256, 1 thread, ${SIGN_SECONDS} s…`);
    const rate = signRateOnThisThread(key, signingInput, SIGN_SECONDS);
    log(`  ${fmt(rate.perSecond)} signs/s`);
    raw1.push(rate);
  };
  signOneThread();
  log(`raw RS256, ${SIGN_THREADS} worker threads, ${SIGN_SECONDS} s…`);
  const rawThreads = await signRateInWorkers(pem, signingInput, SIGN_SECONDS, SIGN_THREADS);
  log(`  ${fmt(rawThreads.perSecond)} signs/s`);
  log(
    `raw RS256, libuv threadpool (crypto.sign with a callback, ${CONNECTIONS} in flight), ${SIGN_SECONDS} s…`,
  );
  const pool = await signRateInThreadpool(
    key,
    signingInput,
    SIGN_SECONDS,
    CONNECTIONS,
    () => cpuTimes(process.pid)?.mainThreadSeconds,
  );
  log(`  ${fmt(pool.perSecond)} signs/s`);

  // Rounds rotate the order of the servers, so slow drift in the machine's load favours none.
  const runs = new Map<string | undefined, ServerRun[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`round ${round} of ${rounds}`);
    const shift = (round - 1) % targets.length;
    const order = [...targets.slice(shift), ...targets.slice(0, shift)];
    for (const target of order) {
      const server =
        round === 1 && target === undefined
          ? first
          : await openServer(options, target, profileFor(target, round));
      runs.get(target)?.push(await server.measure());
    }
    signOneThread();
  }

  const rawRate = median(raw1.map((r) => r.perSecond));
  const signMs = 1000 / rawRate;
  const baselineRuns = runs.get(undefined) ?? [];
  const baselineRate = median(baselineRuns.map((r) => r.tokensPerSecond));
  const ratio = baselineRate / rawRate;
  const baselineFailures = baselineRuns.reduce((sum, r) => sum + r.failures, 0);
  const pass = baselineFailures === 0 && baselineRate > 0 && ratio >= TARGET_RATIO;

  const serverSummary = (all: ServerRun[]) => {
    const typical = medianRun(all);
    const { result } = typical;
    return {
      tokensPerSecond: round(median(all.map((r) => r.tokensPerSecond))),
      ratio: round(median(all.map((r) => r.tokensPerSecond)) / rawRate, 3),
      ...(all.length > 1 && { tokensPerSecondRounds: all.map((r) => round(r.tokensPerSecond)) }),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      requests: {
        ok: all.reduce((sum, r) => sum + r.result['2xx'], 0),
        non2xx: all.reduce((sum, r) => sum + r.result.non2xx, 0),
        errors: all.reduce((sum, r) => sum + r.result.errors, 0),
        timeouts: all.reduce((sum, r) => sum + r.result.timeouts, 0),
        failedIncludingWarmUp: all.reduce((sum, r) => sum + r.failures, 0),
      },
      ...(typical.cpu && {
        serverCpu: {
          ...typical.cpu,
          // CPU per token on the server's main thread against one signature: the same comparison
          // as `ratio`, but insensitive to how much of a core the server was actually given.
          cpuRatio: round(signMs / typical.cpu.mainThreadMsPerToken, 3),
        },
      }),
      loadGeneratorCpuPercent: round(typical.loaderCpuPercent),
      ...(typical.otherCpuPercent !== undefined && {
        otherProcessesCpuPercent: round(typical.otherCpuPercent),
      }),
      ...(all.some((r) => r.profile) && { profiles: all.map((r) => r.profile) }),
    };
  };

  const typical = medianRun(baselineRuns);
  const { result } = typical;
  const summary: Record<string, unknown> = {
    rawSignsPerSecond1Thread: round(rawRate),
    rawSignsPerSecond1ThreadSamples: raw1.map((r) => round(r.perSecond)),
    rawSignsPerSecondThreads: round(rawThreads.perSecond),
    rawSignThreads: rawThreads.threads,
    rawSignsPerSecondThreadpool: round(pool.perSecond),
    threadpoolMainThreadMsPerSign: pool.mainThreadMsPerSign && round(pool.mainThreadMsPerSign, 3),
    rsaSignMs: round(signMs, 3),
    target: TARGET_RATIO,
    ...serverSummary(baselineRuns),
    pass,
    load: {
      connections: CONNECTIONS,
      pipelining: 1,
      seconds: result.duration,
      warmupSeconds: WARMUP_SECONDS,
      rounds,
    },
    signingInputBytes: signingInput.length,
    tokenChars: first.token.length,
    ...(options.compare.length > 0 && {
      compare: options.compare.map((checkout) => ({
        checkout: resolve(checkout),
        ...serverSummary(runs.get(checkout) ?? []),
      })),
    }),
  };

  const perRound = (all: ServerRun[]) =>
    all.length > 1 ? `  (rounds: ${all.map((r) => fmt(r.tokensPerSecond)).join(' / ')})` : '';
  const table: Array<[string, string]> = [
    [
      `raw RS256 signs/s, 1 thread (median of ${raw1.length})`,
      `${fmt(rawRate)}  (${raw1.map((r) => fmt(r.perSecond)).join(' / ')})`,
    ],
    [`raw RS256 signs/s, ${rawThreads.threads} worker threads`, fmt(rawThreads.perSecond)],
    [
      `raw RS256 signs/s, threadpool (${CONNECTIONS} in flight)`,
      `${fmt(pool.perSecond)}` +
        (pool.mainThreadMsPerSign === undefined
          ? ''
          : `  (main thread ${fmt(pool.mainThreadMsPerSign * 1000)} µs/sign)`),
    ],
    [
      `client-credentials tokens/s (${CONNECTIONS} conns, HTTPS keep-alive)`,
      `${fmt(baselineRate)}${perRound(baselineRuns)}`,
    ],
    ['ratio tokens/s ÷ raw 1-thread signs/s', `${fmt(ratio, 3)}  (target ≥ ${TARGET_RATIO})`],
    ['result', pass ? 'PASS' : 'FAIL'],
    [
      'latency p50 / p90 / p99 / max (ms)',
      `${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max}`,
    ],
    [
      'responses 2xx / non-2xx / errors / timeouts',
      `${result['2xx']} / ${result.non2xx} / ${result.errors} / ${result.timeouts}`,
    ],
  ];
  if (typical.cpu) {
    table.push(
      [
        'server CPU: process / main thread (% of a core)',
        `${fmt(typical.cpu.processPercent)} / ${fmt(typical.cpu.mainThreadPercent)}`,
      ],
      [
        'server main-thread CPU per token vs one RSA sign',
        `${fmt(typical.cpu.mainThreadMsPerToken * 1000)} µs vs ${fmt(signMs * 1000)} µs`,
      ],
    );
  }
  table.push(['load generator CPU (% of a core)', fmt(typical.loaderCpuPercent)]);
  if (typical.otherCpuPercent !== undefined) {
    table.push(['other processes on the machine (% of a core)', fmt(typical.otherCpuPercent)]);
  }
  for (const checkout of options.compare) {
    const all = runs.get(checkout) ?? [];
    const run = medianRun(all);
    const rate = median(all.map((r) => r.tokensPerSecond));
    const failures = all.reduce((sum, r) => sum + r.failures, 0);
    table.push([
      `compare ${resolve(checkout)}: tokens/s, ratio, p99`,
      `${fmt(rate)}, ${fmt(rate / rawRate, 3)}, ${run.result.latency.p99} ms` +
        (run.cpu ? `, main thread ${fmt(run.cpu.mainThreadMsPerToken * 1000)} µs/token` : '') +
        (failures > 0 ? `, ${failures} FAILED REQUESTS` : '') +
        perRound(all),
    ]);
  }

  const notes: string[] = [];
  if (baselineFailures > 0) {
    notes.push(
      `FAIL: ${baselineFailures} non-2xx responses, errors or timeouts (${JSON.stringify(summary.requests)})`,
    );
  }
  for (const all of runs.values()) {
    const profiled = all[0];
    if (profiled?.profile)
      notes.push(...profileNotes(profiled.label, profiled.profile, profiled.result['2xx']));
  }
  if (!pass && !options.profile) {
    notes.push('run `npm run bench -- tokens --profile` to see where the server spends its time');
  }
  return { name: 'tokens', pass, table, summary, notes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The run whose tokens/s is the median (the lower middle one of an even count). */
function medianRun(all: ServerRun[]): ServerRun {
  const sorted = [...all].sort((a, b) => a.tokensPerSecond - b.tokensPerSecond);
  const run = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!run) throw new Error('no measured run');
  return run;
}

function cpuDelta(
  before: CpuTimes | undefined,
  after: CpuTimes | undefined,
  seconds: number,
  tokens: number,
) {
  if (!before || !after || tokens === 0) return undefined;
  const processSeconds = after.processSeconds - before.processSeconds;
  const mainSeconds = after.mainThreadSeconds - before.mainThreadSeconds;
  return {
    processPercent: round((processSeconds / seconds) * 100),
    mainThreadPercent: round((mainSeconds / seconds) * 100),
    mainThreadMsPerToken: round((mainSeconds * 1000) / tokens, 3),
  };
}

function profileNotes(label: string, digest: ProfileDigest & { file: string }, tokens: number): string[] {
  const perToken = (ms: number) => `${((ms * 1000) / tokens).toFixed(0)} µs/token`.padStart(14);
  return [
    '',
    `server CPU profile, ${label} (${digest.windowed ? 'load window only' : 'whole run: the window did not match'}): ` +
      `${fmt(digest.busyMs)} ms busy of ${fmt(digest.windowMs)} ms; ${digest.file}`,
    // V8 samples in wall time: a thread descheduled by other processes is charged to whatever it
    // was running, which inflates syscall sites (writev, SQLite's file locks, waking the threadpool).
    '(wall-time samples: under CPU contention, compare shares and the /proc CPU figures above, not µs)',
    'by category (share of busy time):',
    ...digest.categories.slice(0, 16).map((c) => `  ${pct(c.share)}  ${perToken(c.ms)}  ${c.category}`),
    'top functions by self time:',
    ...digest.selfTime.slice(0, 20).map((f) => `  ${pct(f.share)}  ${perToken(f.ms)}  ${f.fn}`),
    'inclusive (function anywhere on the synchronous stack):',
    ...digest.inclusive.map((f) => `  ${pct(f.share)}  ${perToken(f.ms)}  /${f.fn}/`),
  ];
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (share: number): string => `${(share * 100).toFixed(1).padStart(5)} %`;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
