/**
 * A guarded request — the tessera/guard bearer check, an RBAC evaluation by Tessera's engine and
 * the same trivial handler — against the bare Fastify HTTPS route, both served by one child
 * process and measured in the same run. Target: guarded ≥ 0.60 × bare requests/s. For context,
 * the full ARM pipeline (GET of a subscription: path parsing, api-version, subscription lookup,
 * RBAC, ARM's response shape) is measured too.
 */
import { readFileSync } from 'node:fs';
import type { Result } from 'autocannon';
import type { GuardHandshake } from './guardServer.js';
import { startServerProcess } from './lib/child.js';
import { clientCredentialsToken, failures, loadGet, verifiedRequest } from './lib/https.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'guarded request (bearer + RBAC + trivial handler) vs a bare Fastify route (≥ 0.60)';

const TARGET = 0.6;
const CONNECTIONS = 16;
const SECONDS = 8;

const load = (url: string, ca: Buffer, headers: Record<string, string>, seconds: number): Promise<Result> =>
  loadGet(url, ca, headers, seconds, CONNECTIONS);

export async function run(options: BenchOptions): Promise<BenchResult> {
  const child = await startServerProcess<GuardHandshake>({ script: 'guardServer.ts' });
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
    const bare1 = await load(`${h.bareOrigin}/bare`, ca, {}, SECONDS);
    options.log(`guarded route ${SECONDS} s…`);
    const guarded = await load(libraryUrl, ca, headers, SECONDS);
    options.log(`ARM GET subscription ${SECONDS} s…`);
    const armGet = await load(guardedUrl, ca, headers, SECONDS);
    options.log(`bare route ${SECONDS} s…`);
    const bare2 = await load(`${h.bareOrigin}/bare`, ca, {}, SECONDS);

    const bareRps = (bare1.requests.average + bare2.requests.average) / 2;
    const guardedRps = guarded.requests.average;
    const ratio = guardedRps / bareRps;
    const failed = failures(bare1) + failures(bare2) + failures(guarded) + failures(armGet);
    const pass = ratio >= TARGET && failed === 0;
    const rps = (n: number) => Math.round(n).toLocaleString('en-US');
    return {
      name: 'guard',
      pass,
      table: [
        [
          'bare Fastify HTTPS route, req/s (before / after)',
          `${rps(bare1.requests.average)} / ${rps(bare2.requests.average)}`,
        ],
        ['guarded route (bearer + RBAC + same handler), req/s', rps(guardedRps)],
        ['ratio guarded ÷ bare', `${ratio.toFixed(3)}  (target ≥ ${TARGET})`],
        ['guarded latency p50 / p99 (ms)', `${guarded.latency.p50} / ${guarded.latency.p99}`],
        [
          'full ARM GET subscription, req/s (ratio to bare)',
          `${rps(armGet.requests.average)} (${(armGet.requests.average / bareRps).toFixed(3)})`,
        ],
        ['failed responses', String(failed)],
        ['result', pass ? 'PASS' : 'FAIL'],
      ],
      summary: {
        pass,
        bareRequestsPerSecond: bareRps,
        bareSamples: [bare1.requests.average, bare2.requests.average],
        guardedRequestsPerSecond: guardedRps,
        ratio,
        armGetRequestsPerSecond: armGet.requests.average,
        armGetRatio: armGet.requests.average / bareRps,
        target: TARGET,
        failed,
        connections: CONNECTIONS,
        seconds: SECONDS,
      },
    };
  } finally {
    await child.stop();
  }
}
