/**
 * User sign-in throughput, each against the raw cost it cannot beat, measured in the same run:
 *
 * - Password sign-ins (ROPC, as MSAL sends it: ID token, refresh token, client_info) per second
 *   against raw argon2id verifications per second with the same parameters and the same number
 *   in flight (@node-rs/argon2 on libuv's thread pool; the server runs one per core in workers). The
 *   password hash dominates a sign-in, so the target is ≥ 80 % of the raw rate.
 * - Refresh-token grants per second against the raw RS256 signing rate on one thread, the
 *   ceiling the client-credentials bench uses. Each grant is a read, a rotation transaction, a
 *   sign-in log row and one signature; target ≥ 70 %. The MSAL-shaped refresh (which also signs
 *   an ID token, so two signatures) is reported beside it, with its signatures per second.
 *
 * `--rounds=N` repeats the sign-in and refresh measurements, each right after its own raw
 * baseline, and reports the median round: on these shared machines one round's ratio can swing
 * by a tenth from the next.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { verify as argon2Verify } from '@node-rs/argon2';
import { hashPassword } from '../src/directory/passwords.js';
import { startServerProcess } from './lib/child.js';
import type { ServerProcess } from './lib/child.js';
import { runLoad } from './lib/loadgen.js';
import type { LoadResult } from './lib/loadgen.js';
import { cpuTimes, schedDelta, threadSched } from './lib/procstat.js';
import { digestCpuProfile, monotonicMicros } from './lib/profile.js';
import { keyObject, rsaKeyPem, signRateOnThisThread } from './lib/rawSign.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'password sign-ins/s vs raw argon2id verifies/s; refresh-token grants/s vs raw RS256 signs/s';

const SIGN_IN_TARGET = 0.8;
const REFRESH_TARGET = 0.7;
const RAW_SECONDS = Number(process.env.BENCH_SIGN_SECONDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const ARM = 'https://management.azure.com/.default';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The item whose `key` is the median (the lower middle one of an even count). */
function medianBy<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('medianBy needs at least one item');
  return middle;
}

function post(url: URL, ca: Buffer, form: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, servername: 'localhost', headers: FORM }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: URL, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { ca, servername: 'localhost' }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

/** A sign-in checked end to end: CA-verified TLS, 200, the access token's signature against the JWKS. */
async function preflight(tokenUrl: URL, keysUrl: URL, ca: Buffer, form: Record<string, string>) {
  const answer = await post(tokenUrl, ca, form);
  if (answer.status !== 200) throw new Error(`preflight sign-in: ${answer.status} ${answer.body}`);
  const body = JSON.parse(answer.body) as { access_token: string; refresh_token?: string; id_token?: string };
  const [header, payload, signature] = body.access_token.split('.');
  if (!header || !payload || !signature || !body.refresh_token || !body.id_token) {
    throw new Error(`preflight: not a complete user token response: ${answer.body}`);
  }
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: string };
  const keys = JSON.parse(await get(keysUrl, ca)) as { keys: Array<JsonWebKey & { kid?: string }> };
  const jwk = keys.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`preflight: kid ${kid} is not in the JWKS`);
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  if (
    !verifySignature(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, 'base64url'),
    )
  ) {
    throw new Error('preflight: the token signature does not verify');
  }
  return body.access_token;
}

/**
 * argon2id verifications per second with `inFlight` outstanding (the sign-in endpoint's
 * ceiling), and the CPU each took: the noise-resistant comparison with the server's CPU per
 * sign-in.
 */
async function argon2Rate(seconds: number, inFlight: number): Promise<{ perSecond: number; cpuMs: number }> {
  const password = 'Bench-Passw0rd!';
  const hash = await hashPassword(password);
  const loop = async (until: number, count: { n: number }) => {
    while (performance.now() < until) {
      if (!(await argon2Verify(hash, password))) throw new Error('argon2 verify failed');
      count.n++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, () => loop(performance.now() + 500, { n: 0 })));
  const count = { n: 0 };
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, () => loop(start + seconds * 1000, count)));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count.n / elapsed, cpuMs: (cpu.user + cpu.system) / 1000 / count.n };
}

interface Measured {
  /** Monotonic µs bounds of the measured load, for the CPU profile's window. */
  window: { fromUs: number; toUs: number };
  perSecond: number;
  result: LoadResult;
  failures: number;
  /** Server CPU (all threads) per request, in ms. */
  serverCpuMs: number | undefined;
  /** The server's main thread's CPU per request, in ms. */
  mainThreadCpuMs: number | undefined;
  /** This process's CPU (the load generator's) per request, in ms: on a small machine it competes with the server. */
  loaderCpuMs: number;
}

async function measure(
  server: ServerProcess,
  log: (message: string) => void,
  label: string,
  run: (seconds: number) => Promise<LoadResult>,
): Promise<Measured> {
  log(`${label}: warm-up ${WARMUP_SECONDS} s, then ${LOAD_SECONDS} s at ${CONNECTIONS} connections…`);
  const warm = await run(WARMUP_SECONDS);
  const before = cpuTimes(server.handshake.pid);
  const schedBefore = [threadSched(server.handshake.pid), threadSched(process.pid)] as const;
  const loaderBefore = process.cpuUsage();
  const fromUs = monotonicMicros();
  const result = await run(LOAD_SECONDS);
  const toUs = monotonicMicros();
  const loader = process.cpuUsage(loaderBefore);
  const schedAfter = [threadSched(server.handshake.pid), threadSched(process.pid)] as const;
  const after = cpuTimes(server.handshake.pid);
  const perSecond = result['2xx'] / result.duration;
  const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result['2xx']);
  const mainThreadCpuMs =
    before && after ? perRequest(after.mainThreadSeconds - before.mainThreadSeconds) : undefined;
  const loaderCpuMs = perRequest((loader.user + loader.system) / 1e6);
  log(
    `  ${fmt(perSecond)}/s; CPU per request: server main thread ${mainThreadCpuMs === undefined ? 'n/a' : fmt(mainThreadCpuMs, 3)} ms, load generator ${fmt(loaderCpuMs, 3)} ms`,
  );
  const µs = (seconds: number) => fmt((seconds * 1e6) / Math.max(1, result['2xx']));
  for (const [who, index] of [
    ['server', 0],
    ['load generator', 1],
  ] as const) {
    const threads = schedDelta(schedBefore[index], schedAfter[index]).filter((t) => t.runSeconds > 0.01);
    if (threads.length === 0) continue;
    log(
      `  ${who} threads, µs per request ran / waited for a CPU: ` +
        threads.map((t) => `${t.name} ${µs(t.runSeconds)} / ${µs(t.waitSeconds)}`).join(', '),
    );
  }
  return {
    window: { fromUs, toUs },
    perSecond,
    result,
    failures: result.non2xx + result.errors + result.timeouts + warm.non2xx + warm.errors + warm.timeouts,
    serverCpuMs:
      before && after && result['2xx'] > 0
        ? ((after.processSeconds - before.processSeconds) * 1000) / result['2xx']
        : undefined,
    mainThreadCpuMs,
    loaderCpuMs,
  };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { log } = options;
  log('starting the server in a child process…');
  const profileDir = options.profile
    ? join(options.resultsDir, 'profiles', `signins-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = await startServerProcess(profileDir ? { cpuProfileDir: profileDir } : {});
  try {
    const { handshake } = server;
    const ca = readFileSync(handshake.caCertPath);
    const base = new URL(handshake.origin);
    base.hostname = '127.0.0.1';
    const tokenUrl = new URL(`/${handshake.tenantId}/oauth2/v2.0/token`, base);
    const keysUrl = new URL(`/${handshake.tenantId}/discovery/v2.0/keys`, base);
    const signInForm = (scope: string) => ({
      client_id: AZURE_CLI,
      grant_type: 'password',
      username: handshake.username,
      password: handshake.password,
      scope,
      client_info: '1',
    });
    const msalSignIn = signInForm(`${ARM} openid profile offline_access`);
    const token = await preflight(tokenUrl, keysUrl, ca, msalSignIn);
    const signingInput = Buffer.from(token.slice(0, token.lastIndexOf('.')));

    const cores = availableParallelism();
    const rounds = Math.max(1, options.rounds);
    const roundLabel = (round: number) => (rounds > 1 ? ` (round ${round} of ${rounds})` : '');
    // The same concurrency as the load, and one per core (what the server's limiter allows, and
    // the faster of the two on these machines): the stricter of the two is the baseline.
    const rawArgon2Rates = async (round: number) => {
      log(
        `raw argon2id verify (m=19 MiB, t=2, p=1), ${CONNECTIONS} in flight, ${RAW_SECONDS} s…${roundLabel(round)}`,
      );
      const load = await argon2Rate(RAW_SECONDS, CONNECTIONS);
      log(`  ${fmt(load.perSecond)} verifies/s, ${fmt(load.cpuMs, 2)} ms CPU each`);
      log(`raw argon2id verify, ${cores} in flight (one per core), ${RAW_SECONDS} s…`);
      const perCore = await argon2Rate(RAW_SECONDS, cores);
      log(`  ${fmt(perCore.perSecond)} verifies/s, ${fmt(perCore.cpuMs, 2)} ms CPU each`);
      return { load, perCore, best: perCore.perSecond > load.perSecond ? perCore : load };
    };
    const rawRsaRate = (round: number) => {
      log(`raw RS256, 1 thread, ${RAW_SECONDS} s…${roundLabel(round)}`);
      const perSecond = signRateOnThisThread(keyObject(rsaKeyPem()), signingInput, RAW_SECONDS).perSecond;
      log(`  ${fmt(perSecond)} signs/s`);
      return perSecond;
    };

    // bench/lib/loadgen.ts, not autocannon: the server shares these 2 cores with the load, and
    // autocannon's CPU per request was a seventh of a refresh grant's whole cost.
    const closedLoop = (
      seconds: number,
      body: () => string,
      onResponse?: (status: number, body: string) => void,
    ) =>
      runLoad({
        url: tokenUrl,
        ca,
        servername: 'localhost',
        connections: CONNECTIONS,
        seconds,
        body,
        ...(onResponse && { onResponse }),
      });

    // Each round measures its raw rate right before its load, so a noisy minute skews both alike;
    // the headline ratios are the medians of the rounds'.
    const signInRounds: Array<{ raw: Awaited<ReturnType<typeof rawArgon2Rates>>; load: Measured }> = [];
    for (let round = 1; round <= rounds; round++) {
      const raw = await rawArgon2Rates(round);
      const load = await measure(
        server,
        log,
        `password sign-ins (ROPC, MSAL-shaped)${roundLabel(round)}`,
        (seconds) => {
          const body = new URLSearchParams(msalSignIn).toString();
          return closedLoop(seconds, () => body);
        },
      );
      signInRounds.push({ raw, load });
    }
    const signInRound = medianBy(signInRounds, (r) => r.load.perSecond / r.raw.best.perSecond);
    const { load: signIns } = signInRound;
    const { load: argon2Load, perCore: argon2Cores, best: argon2 } = signInRound.raw;
    const rawArgon2 = argon2.perSecond;

    // Refresh tokens are single-use: every request takes one from the pool and puts back the
    // successor from its response, so no token is ever presented twice.
    const pool: string[] = [];
    // Each load stops with requests in flight whose successors never return to the pool: every
    // load (warm-ups and measurements) loses up to a connections' worth.
    const poolSize = (2 * rounds + 4) * CONNECTIONS;
    log(`signing in ${poolSize} times for a pool of refresh tokens…`);
    for (let i = 0; i < poolSize; i++) {
      const answer = await post(tokenUrl, ca, signInForm(`${ARM} offline_access`));
      const refreshToken = (JSON.parse(answer.body) as { refresh_token?: string }).refresh_token;
      if (answer.status !== 200 || !refreshToken)
        throw new Error(`pool sign-in: ${answer.status} ${answer.body}`);
      pool.push(refreshToken);
    }
    // The load generator shares this machine's cores with the server, so its per-request work is
    // kept small: a prebuilt body prefix, and the successor found by indexOf rather than parsing
    // the whole response.
    const refreshLoad = (scope: string) => {
      const prefix = `${new URLSearchParams({
        client_id: AZURE_CLI,
        grant_type: 'refresh_token',
        scope,
        client_info: '1',
      }).toString()}&refresh_token=`;
      const marker = '"refresh_token":"';
      return (seconds: number) =>
        closedLoop(
          seconds,
          // Refresh tokens are base64url: nothing to escape in a form body.
          () => prefix + (pool.shift() ?? 'pool-exhausted'),
          (status, body) => {
            if (status !== 200) return;
            const at = body.indexOf(marker) + marker.length;
            if (at >= marker.length) pool.push(body.slice(at, body.indexOf('"', at)));
          },
        );
    };
    const refreshRounds: Array<{ rawRsa: number; load: Measured }> = [];
    for (let round = 1; round <= rounds; round++) {
      const raw = rawRsaRate(round);
      const load = await measure(
        server,
        log,
        `refresh grants (access token only)${roundLabel(round)}`,
        refreshLoad(`${ARM} offline_access`),
      );
      refreshRounds.push({ rawRsa: raw, load });
    }
    const refreshRound = medianBy(refreshRounds, (r) => r.load.perSecond / r.rawRsa);
    const { load: refreshes, rawRsa } = refreshRound;
    const msalRefreshes = await measure(
      server,
      log,
      'refresh grants (MSAL-shaped: + ID token)',
      refreshLoad(`${ARM} openid profile offline_access`),
    );

    const signInRatio = signIns.perSecond / rawArgon2;
    const allRounds = <T>(items: T[], show: (item: T) => string) =>
      items.length > 1 ? `  (rounds: ${items.map(show).join(' / ')})` : '';
    const refreshRatio = refreshes.perSecond / rawRsa;
    const msalSignaturesRatio = (2 * msalRefreshes.perSecond) / rawRsa;
    // The noise-resistant version of the sign-in ratio: CPU of a raw verify over CPU of a sign-in.
    const signInCpuRatio = signIns.serverCpuMs && argon2.cpuMs / signIns.serverCpuMs;
    // Every round's failures count, not only the median round's.
    const failures =
      signInRounds.reduce((n, r) => n + r.load.failures, 0) +
      refreshRounds.reduce((n, r) => n + r.load.failures, 0) +
      msalRefreshes.failures;
    const pass = failures === 0 && signInRatio >= SIGN_IN_TARGET && refreshRatio >= REFRESH_TARGET;
    const latency = (m: Measured) =>
      `${m.result.latency.p50} / ${m.result.latency.p99} / ${m.result.latency.max}`;
    const cpu = (m: Measured) => (m.serverCpuMs === undefined ? 'n/a' : `${fmt(m.serverCpuMs, 2)} ms`);

    const notes: string[] = [];
    if (profileDir) {
      await server.stop();
      const file = server.cpuProfile();
      if (file) {
        // Two windows: the password sign-ins (whose main-thread time competes with the argon2
        // workers) and the access-token-only refresh load.
        const windows: Array<[string, Measured]> = [
          ['password sign-in load', signIns],
          ['refresh load', refreshes],
        ];
        for (const [name, measured] of windows) {
          const digest = digestCpuProfile(file, measured.window);
          const perRequest = (ms: number) =>
            `${((ms * 1000) / measured.result['2xx']).toFixed(0)} µs/request`;
          notes.push(
            '',
            `server main-thread CPU profile of the ${name} (${fmt(digest.busyMs)} ms busy of ${fmt(digest.windowMs)} ms): ${file}`,
            ...digest.categories
              .slice(0, 12)
              .map(
                (c) => `  ${(c.share * 100).toFixed(1).padStart(5)} %  ${perRequest(c.ms)}  ${c.category}`,
              ),
            'top functions by self time:',
            ...digest.selfTime
              .slice(0, 25)
              .map((f) => `  ${(f.share * 100).toFixed(1).padStart(5)} %  ${perRequest(f.ms)}  ${f.fn}`),
          );
        }
      }
    }

    return {
      name: 'signins',
      pass,
      notes,
      table: [
        [
          `raw argon2id verifies/s, ${CONNECTIONS} / ${cores} in flight`,
          `${fmt(argon2Load.perSecond)} / ${fmt(argon2Cores.perSecond)}`,
        ],
        [`password sign-ins/s (${CONNECTIONS} conns, HTTPS keep-alive)`, fmt(signIns.perSecond)],
        [
          'ratio sign-ins/s ÷ the faster raw rate',
          `${fmt(signInRatio, 3)}  (target ≥ ${SIGN_IN_TARGET})` +
            allRounds(signInRounds, (r) => fmt(r.load.perSecond / r.raw.best.perSecond, 3)),
        ],
        ['raw RS256 signs/s, 1 thread', fmt(rawRsa)],
        ['refresh grants/s (access token only)', fmt(refreshes.perSecond)],
        [
          'ratio refresh grants/s ÷ raw signs/s',
          `${fmt(refreshRatio, 3)}  (target ≥ ${REFRESH_TARGET})` +
            allRounds(refreshRounds, (r) => fmt(r.load.perSecond / r.rawRsa, 3)),
        ],
        ['refresh grants/s (MSAL-shaped, 2 signatures)', fmt(msalRefreshes.perSecond)],
        ['  its signatures/s ÷ raw signs/s', fmt(msalSignaturesRatio, 3)],
        ['result', pass ? 'PASS' : 'FAIL'],
        ['latency p50 / p99 / max ms: sign-in', latency(signIns)],
        ['latency p50 / p99 / max ms: refresh', latency(refreshes)],
        [
          'server CPU per sign-in vs one raw argon2 verify',
          `${cpu(signIns)} vs ${fmt(argon2.cpuMs, 2)} ms` +
            (signInCpuRatio === undefined ? '' : `  (CPU ratio ${fmt(signInCpuRatio, 3)})`),
        ],
        ['server CPU per refresh vs one raw RS256 sign', `${cpu(refreshes)} vs ${fmt(1000 / rawRsa, 2)} ms`],
        ['failed requests (incl. warm-up)', String(failures)],
      ],
      summary: {
        rawArgon2VerifiesPerSecond: round(rawArgon2),
        rawArgon2VerifiesPerSecondAtLoadConcurrency: round(argon2Load.perSecond),
        rawArgon2VerifiesPerSecondOnePerCore: round(argon2Cores.perSecond),
        rawArgon2CpuMsPerVerify: round(argon2.cpuMs, 3),
        signInsPerSecond: round(signIns.perSecond),
        signInRatio: round(signInRatio, 3),
        signInRatioRounds: signInRounds.map((r) => round(r.load.perSecond / r.raw.best.perSecond, 3)),
        signInTarget: SIGN_IN_TARGET,
        signInCpuRatio: signInCpuRatio && round(signInCpuRatio, 3),
        rawSignsPerSecond1Thread: round(rawRsa),
        refreshesPerSecond: round(refreshes.perSecond),
        refreshRatio: round(refreshRatio, 3),
        refreshRatioRounds: refreshRounds.map((r) => round(r.load.perSecond / r.rawRsa, 3)),
        refreshTarget: REFRESH_TARGET,
        msalRefreshesPerSecond: round(msalRefreshes.perSecond),
        msalRefreshSignatureRatio: round(msalSignaturesRatio, 3),
        serverCpuMsPerSignIn: signIns.serverCpuMs && round(signIns.serverCpuMs, 3),
        serverCpuMsPerRefresh: refreshes.serverCpuMs && round(refreshes.serverCpuMs, 3),
        latencyMs: {
          signIn: { p50: signIns.result.latency.p50, p99: signIns.result.latency.p99 },
          refresh: { p50: refreshes.result.latency.p50, p99: refreshes.result.latency.p99 },
        },
        failures,
        load: {
          connections: CONNECTIONS,
          pipelining: 1,
          seconds: LOAD_SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          rounds,
        },
      },
    };
  } finally {
    await server.stop();
  }
}
