/**
 * A guarded request — the tessera/guard bearer check, an RBAC evaluation by Tessera's engine and
 * the same trivial handler — and the full ARM pipeline (GET of a subscription: request ids, path
 * parsing, subscription lookup, ARM's bearer check, api-version, RBAC, ARM's response shape),
 * each against the bare Fastify HTTPS route, all served by one child process and measured in the
 * same run. Targets: guarded ≥ 0.60 and ARM GET ≥ 0.60 × bare requests/s. `--profile` profiles
 * the child's main thread during each window (an inspector session, not `--cpu-prof`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from 'autocannon';
import type { GuardHandshake } from './guardServer.js';
import { startServerProcess } from './lib/child.js';
import { clientCredentialsToken, failures, loadGet, verifiedRequest } from './lib/https.js';
import { cpuTimes } from './lib/procstat.js';
import { digestCpuProfile } from './lib/profile.js';
import type { GcSummary } from './lib/profileWindows.js';
import type { ProfileDigest } from './lib/profile.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'guarded request (bearer + RBAC + trivial handler) and the full ARM GET vs a bare Fastify route (≥ 0.60 each)';

const TARGET = 0.6;
const ARM_TARGET = 0.6;
const CONNECTIONS = 16;
const SECONDS = 8;

const load = (url: string, ca: Buffer, headers: Record<string, string>, seconds: number): Promise<Result> =>
  loadGet(url, ca, headers, seconds, CONNECTIONS);

/** Where the ARM pipeline and the guarded route spend their time, per request. */
const INCLUSIVE = [
  /managementPlugin|management\/plugin/,
  /authenticate .*management\/authentication/,
  /verify .*guard\/bearerVerifier/,
  /evaluate .*access\//,
  /find .*management\/subscriptions/,
  /operationFor/,
  /parseArmPath|pathSegments|canonicalPath/,
  /setRequestIds/,
  /serialize|stringify/i,
];

interface Profiled {
  label: string;
  requests: number;
  digest: ProfileDigest & { file: string };
  gc?: GcSummary;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const profileDir = options.profile
    ? join(options.resultsDir, 'profiles', `guard-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = await startServerProcess<GuardHandshake>({
    script: 'guardServer.ts',
    ...(profileDir && { profileWindowsDir: profileDir }),
  });
  const profiles: Profiled[] = [];
  /** The child's main-thread CPU per request in each window: steadier than req/s on a shared machine. */
  const cpuPerRequest = new Map<string, number>();
  // Each load window profiled on its own, so the ARM pipeline and the guarded route compare directly.
  const measured = async (label: string, name: string, measure: () => Promise<Result>): Promise<Result> => {
    const before = cpuTimes(child.handshake.pid);
    const window = profileDir ? child.profileWindow(name) : undefined;
    const result = await measure();
    const after = cpuTimes(child.handshake.pid);
    if (before && after && result.requests.total > 0)
      cpuPerRequest.set(
        name,
        ((after.mainThreadSeconds - before.mainThreadSeconds) * 1e6) / result.requests.total,
      );
    if (!window) return result;
    const { file, gc } = await window.stop();
    profiles.push({
      label,
      requests: result.requests.total,
      digest: { file, ...digestCpuProfile(file, undefined, INCLUSIVE) },
      ...(gc && { gc }),
    });
    return result;
  };
  try {
    const h = child.handshake;
    const ca = readFileSync(h.caCertPath);
    const token = await clientCredentialsToken(h, ca, 'https://management.azure.com/.default');
    const guardedUrl = `${h.origin}/subscriptions/${h.subscriptionId}?api-version=2022-12-01`;
    const headers = { authorization: `Bearer ${token}` };
    const check = await verifiedRequest(new URL(guardedUrl), ca, { method: 'GET', headers });
    if (check.status !== 200)
      throw new Error(`preflight: guarded GET answered ${check.status} ${check.body}`);
    const denied = await verifiedRequest(new URL(guardedUrl), ca, { method: 'GET' });
    if (denied.status !== 401) throw new Error(`preflight: an anonymous GET answered ${denied.status}`);
    const libraryUrl = `${h.bareOrigin}/guarded`;
    const libraryCheck = await verifiedRequest(new URL(libraryUrl), ca, { method: 'GET', headers });
    if (libraryCheck.status !== 200) throw new Error(`preflight: /guarded answered ${libraryCheck.status}`);
    const libraryDenied = await verifiedRequest(new URL(libraryUrl), ca, { method: 'GET' });
    if (libraryDenied.status !== 401)
      throw new Error(`preflight: anonymous /guarded answered ${libraryDenied.status}`);

    options.log('warm-up…');
    await load(`${h.bareOrigin}/bare`, ca, {}, 2);
    await load(guardedUrl, ca, headers, 2);
    await load(libraryUrl, ca, headers, 2);
    // bare, guarded, bare: the baseline brackets the subject, so drift in machine load shows.
    options.log(`bare route ${SECONDS} s…`);
    const bare1 = await measured('bare route', 'bare-1', () => load(`${h.bareOrigin}/bare`, ca, {}, SECONDS));
    options.log(`guarded route ${SECONDS} s…`);
    const guarded = await measured('guarded route', 'guarded', () => load(libraryUrl, ca, headers, SECONDS));
    options.log(`ARM GET subscription ${SECONDS} s…`);
    const armGet = await measured('ARM GET subscription', 'arm-get', () =>
      load(guardedUrl, ca, headers, SECONDS),
    );
    options.log(`bare route ${SECONDS} s…`);
    const bare2 = await measured('bare route (after)', 'bare-2', () =>
      load(`${h.bareOrigin}/bare`, ca, {}, SECONDS),
    );

    const bareRps = (bare1.requests.average + bare2.requests.average) / 2;
    const guardedRps = guarded.requests.average;
    const ratio = guardedRps / bareRps;
    const armRatio = armGet.requests.average / bareRps;
    const failed = failures(bare1) + failures(bare2) + failures(guarded) + failures(armGet);
    const guardedPass = ratio >= TARGET;
    const armPass = armRatio >= ARM_TARGET;
    const pass = guardedPass && armPass && failed === 0;
    const rps = (n: number) => Math.round(n).toLocaleString('en-US');
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const bareCpu = ((cpuPerRequest.get('bare-1') ?? NaN) + (cpuPerRequest.get('bare-2') ?? NaN)) / 2;
    const cpuRatio = (name: string) => {
      const ratio = bareCpu / (cpuPerRequest.get(name) ?? NaN);
      return Number.isFinite(ratio) ? ratio.toFixed(3) : 'n/a';
    };
    const cpu = (name: string) => {
      const us = cpuPerRequest.get(name);
      return us === undefined ? 'n/a' : us.toFixed(1);
    };
    return {
      name: 'guard',
      pass,
      table: [
        [
          'bare Fastify HTTPS route, req/s (before / after)',
          `${rps(bare1.requests.average)} / ${rps(bare2.requests.average)}`,
        ],
        ['guarded route (bearer + RBAC + same handler), req/s', rps(guardedRps)],
        ['ratio guarded ÷ bare', `${ratio.toFixed(3)}  (target ≥ ${TARGET}) ${verdict(guardedPass)}`],
        ['guarded latency p50 / p99 (ms)', `${guarded.latency.p50} / ${guarded.latency.p99}`],
        ['full ARM GET subscription, req/s', rps(armGet.requests.average)],
        ['ratio ARM GET ÷ bare', `${armRatio.toFixed(3)}  (target ≥ ${ARM_TARGET}) ${verdict(armPass)}`],
        ['ARM GET latency p50 / p99 (ms)', `${armGet.latency.p50} / ${armGet.latency.p99}`],
        [
          'server main-thread CPU µs/request: bare / guarded / ARM GET',
          `${cpu('bare-1')}, ${cpu('bare-2')} / ${cpu('guarded')} / ${cpu('arm-get')}`,
        ],
        // The server is the bottleneck of the subjects: bare CPU ÷ subject CPU is the ratio a
        // machine to itself would show, and moves less with other processes' load than req/s.
        [
          'CPU ratio bare ÷ guarded, bare ÷ ARM GET (context)',
          `${cpuRatio('guarded')}, ${cpuRatio('arm-get')}`,
        ],
        ['failed responses', String(failed)],
        ['result', verdict(pass)],
      ],
      notes: profiles.flatMap(profileNotes),
      summary: {
        pass,
        bareRequestsPerSecond: bareRps,
        bareSamples: [bare1.requests.average, bare2.requests.average],
        guardedRequestsPerSecond: guardedRps,
        ratio,
        armGetRequestsPerSecond: armGet.requests.average,
        armGetRatio: armRatio,
        target: TARGET,
        armGetTarget: ARM_TARGET,
        failed,
        connections: CONNECTIONS,
        seconds: SECONDS,
        mainThreadCpuMicrosPerRequest: Object.fromEntries(cpuPerRequest),
        ...(profiles.length > 0 && { profiles }),
      },
    };
  } finally {
    await child.stop();
  }
}

function profileNotes({ label, requests, digest, gc }: Profiled): string[] {
  // Wall-time samples of the main thread: under CPU contention, compare shares, not absolute µs.
  const perRequest = (ms: number) =>
    `${((ms * 1000) / Math.max(requests, 1)).toFixed(1)} µs/req`.padStart(14);
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  return [
    '',
    `server CPU profile, ${label}: ${digest.busyMs.toFixed(0)} ms busy of ${digest.windowMs.toFixed(0)} ms, ` +
      `${requests} requests; ${digest.file}`,
    ...(gc
      ? [
          `garbage collection: ${gc.scavenges} scavenges (${gc.scavengeMs.toFixed(0)} ms), ` +
            `${gc.markCompacts} mark-compacts (${gc.markCompactMs.toFixed(0)} ms), other ${gc.otherMs.toFixed(0)} ms`,
        ]
      : []),
    'by category (share of busy time):',
    ...digest.categories.slice(0, 12).map((c) => `  ${pct(c.share)}  ${perRequest(c.ms)}  ${c.category}`),
    'top functions by self time:',
    ...digest.selfTime.slice(0, 20).map((f) => `  ${pct(f.share)}  ${perRequest(f.ms)}  ${f.fn}`),
    'inclusive (function anywhere on the synchronous stack):',
    ...digest.inclusive.map((f) => `  ${pct(f.share)}  ${perRequest(f.ms)}  /${f.fn}/`),
  ];
}
