/**
 * Managed identity tokens per second through the App Service protocol (`GET /msi/token` with
 * X-IDENTITY-HEADER, over HTTPS keep-alive) against client-credentials tokens per second from the
 * same child server, in alternating windows (target ≥ 0.8: both mint one RS256 token; the
 * identity endpoint must cost no more than the token endpoint's form parsing and secret check).
 * The IMDS listener (plain HTTP on loopback) is measured alongside, for information.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { startServerProcess } from './lib/child.js';
import { failures, loadGet, verifiedRequest } from './lib/https.js';
import { cpuTimes } from './lib/procstat.js';
import type { ManagedIdentityHandshake } from './managedIdentityServer.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'managed identity tokens/s (App Service endpoint) vs client-credentials tokens/s in the same run (≥ 0.8)';

const TARGET_RATIO = 0.8;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 4);
const ROUNDS = 3;
const WARMUP_SECONDS = 2;
const ARM = 'https://management.azure.com/';

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Window {
  result: Result;
  /** Server main-thread CPU per token, µs. */
  cpuMicros: number | undefined;
}

async function measure(pid: number, run: () => Promise<Result>): Promise<Window> {
  const before = cpuTimes(pid);
  const result = await run();
  const after = cpuTimes(pid);
  const cpuMicros =
    before && after && result['2xx'] > 0
      ? ((after.mainThreadSeconds - before.mainThreadSeconds) * 1e6) / result['2xx']
      : undefined;
  return { result, cpuMicros };
}

/** A token from `url` whose answer carries an access token, or the bench fails before loading. */
function expectToken(what: string, answer: { status: number; body: string }): void {
  const token = (JSON.parse(answer.body) as { access_token?: string }).access_token;
  if (answer.status !== 200 || !token || token.split('.').length !== 3) {
    throw new Error(`preflight ${what}: ${answer.status} ${answer.body}`);
  }
}

async function imdsReady(port: number): Promise<string> {
  const url = `http://127.0.0.1:${port}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(ARM)}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(url, { headers: { metadata: 'true' } });
      expectToken('IMDS', { status: response.status, body: await response.text() });
      return url;
    } catch (error) {
      if (attempt === 99) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return url;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  options.log('starting the server with an identity host in a child process…');
  const server = await startServerProcess<ManagedIdentityHandshake>({ script: 'managedIdentityServer.ts' });
  try {
    const h = server.handshake;
    const ca = readFileSync(h.caCertPath);
    const base = new URL(h.origin);
    base.hostname = '127.0.0.1';
    const tokenUrl = new URL(`/${h.tenantId}/oauth2/v2.0/token`, base);
    const form = new URLSearchParams({
      client_id: h.clientId,
      client_secret: h.secret,
      grant_type: 'client_credentials',
      scope: `${ARM}.default`,
    }).toString();
    const msiUrl = new URL(`/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(ARM)}`, base);
    const msiHeaders = { 'x-identity-header': h.identityHeader };

    expectToken(
      'client credentials',
      await verifiedRequest(tokenUrl, ca, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    );
    expectToken('App Service', await verifiedRequest(msiUrl, ca, { method: 'GET', headers: msiHeaders }));
    const imdsUrl = await imdsReady(h.imdsPort);

    const clientCredentials = (seconds: number) =>
      autocannon({
        url: tokenUrl.href,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        // autocannon 9 ignores rejectUnauthorized (see bench/tokens.ts); the preflight verified the CA.
        tlsOptions: { ca },
        servername: 'localhost',
      });
    const appService = (seconds: number) => loadGet(msiUrl.href, ca, msiHeaders, seconds, CONNECTIONS);
    const imds = (seconds: number) =>
      autocannon({
        url: imdsUrl,
        headers: { metadata: 'true' },
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
      });

    options.log(`warm-up ${WARMUP_SECONDS} s each…`);
    const warm = [await clientCredentials(WARMUP_SECONDS), await appService(WARMUP_SECONDS)];
    const baseline: Window[] = [];
    const identity: Window[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      options.log(`round ${round + 1}: client credentials ${SECONDS} s, App Service ${SECONDS} s…`);
      // Alternating order, so the machine's drift favours neither.
      if (round % 2 === 0) {
        baseline.push(await measure(h.pid, () => clientCredentials(SECONDS)));
        identity.push(await measure(h.pid, () => appService(SECONDS)));
      } else {
        identity.push(await measure(h.pid, () => appService(SECONDS)));
        baseline.push(await measure(h.pid, () => clientCredentials(SECONDS)));
      }
    }
    options.log(`IMDS ${SECONDS} s…`);
    const imdsWindow = await measure(h.pid, () => imds(SECONDS));

    const rate = (w: Window) => w.result['2xx'] / w.result.duration;
    const ratios = identity.map((w, i) => rate(w) / rate(baseline[i] ?? w));
    const ratio = median(ratios);
    const failed = [...warm, ...[...baseline, ...identity, imdsWindow].map((w) => w.result)].reduce(
      (sum, r) => sum + failures(r),
      0,
    );
    const pass = failed === 0 && ratio >= TARGET_RATIO;
    const n = (value: number) => Math.round(value).toLocaleString('en-US');
    const cpu = (windows: Window[]) => {
      const values = windows.flatMap((w) => (w.cpuMicros === undefined ? [] : [w.cpuMicros]));
      return values.length > 0 ? `${n(median(values))} µs` : 'n/a';
    };
    const summary = {
      clientCredentialsTokensPerSecond: Math.round(median(baseline.map(rate))),
      appServiceTokensPerSecond: Math.round(median(identity.map(rate))),
      imdsTokensPerSecond: Math.round(rate(imdsWindow)),
      ratios: ratios.map((r) => Number(r.toFixed(3))),
      ratio: Number(ratio.toFixed(3)),
      target: TARGET_RATIO,
      failedRequests: failed,
      connections: CONNECTIONS,
      seconds: SECONDS,
      pass,
    };
    return {
      name: 'managedIdentity',
      pass,
      table: [
        [
          `client-credentials tokens/s (${CONNECTIONS} conns, each window)`,
          baseline.map((w) => n(rate(w))).join(' / '),
        ],
        ['App Service /msi/token tokens/s (each window)', identity.map((w) => n(rate(w))).join(' / ')],
        ['ratio App Service ÷ client credentials (each round)', ratios.map((r) => r.toFixed(3)).join(' / ')],
        ['ratio, median', `${ratio.toFixed(3)}  (target ≥ ${TARGET_RATIO})`],
        ['result', pass ? 'PASS' : 'FAIL'],
        [
          'server main-thread CPU per token: client credentials / App Service',
          `${cpu(baseline)} / ${cpu(identity)}`,
        ],
        [
          'latency p50 / p99 (ms): client credentials / App Service',
          `${baseline[0]?.result.latency.p50 ?? 0} / ${baseline[0]?.result.latency.p99 ?? 0}, ` +
            `${identity[0]?.result.latency.p50 ?? 0} / ${identity[0]?.result.latency.p99 ?? 0}`,
        ],
        ['IMDS tokens/s (plain HTTP on loopback, information)', n(rate(imdsWindow))],
        ['failed requests (non-2xx, errors, timeouts)', n(failed)],
      ],
      summary,
      notes: failed > 0 ? [`FAIL: ${failed} requests failed`] : [],
    };
  } finally {
    await server.stop();
  }
}
