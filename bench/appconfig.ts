/**
 * App Configuration's data plane over HTTPS keep-alive, against a child server:
 *  - an authenticated GET of one key-value (bearer verification, RBAC, SQLite read, Sync-Token)
 *    against a bare Fastify HTTPS route served by the same child (target ≥ 0.50 of it);
 *  - listing 10,000 key-values by prefix, page after page as a client follows @nextLink
 *    (target ≥ 20,000 items/s);
 *  - writes (PUT) with every revision kept (target ≥ 2,000/s); the store's Sync-Token sequence
 *    must advance by exactly the number of writes.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import type { AppConfigHandshake } from './appconfigServer.js';
import { startServerProcess } from './lib/child.js';
import { clientCredentialsToken, failures, loadGet, verifiedRequest } from './lib/https.js';
import type { Answer } from './lib/https.js';
import { cpuTimes } from './lib/procstat.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'App Configuration: authenticated GET vs bare route (≥ 0.50), list 10,000 by prefix (≥ 20,000 items/s), writes with revisions (≥ 2,000/s)';

const READ_TARGET = 0.5;
const LIST_TARGET = 20_000;
const WRITE_TARGET = 2_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Each load window; the read comparison alternates bare and authenticated windows. */
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 4);
const READ_ROUNDS = 3;
const WRITE_SECONDS = 5;
const LIST_ROUNDS = 5;
const API_VERSION = '2026-04-01';

const load = (url: string, ca: Buffer, headers: Record<string, string>, seconds: number): Promise<Result> =>
  loadGet(url, ca, headers, seconds, CONNECTIONS);

const sequenceOf = (answer: Answer) =>
  Number(/;sn=(\d+)$/.exec(String(answer.headers['sync-token']))?.[1] ?? NaN);
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One client paging through the prefix on one keep-alive connection, as the SDKs do. */
async function listPrefix(
  h: AppConfigHandshake,
  ca: Buffer,
  token: string,
): Promise<{ items: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
  const base = h.endpoint;
  let next: string | undefined = `/kv?api-version=${API_VERSION}&key=${encodeURIComponent(h.listPrefix)}*`;
  let items = 0;
  const started = process.hrtime.bigint();
  while (next !== undefined) {
    const answer = await verifiedRequest(new URL(`${base}${next}`), ca, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      agent,
    });
    if (answer.status !== 200) throw new Error(`listing answered ${answer.status}: ${answer.body}`);
    const page = JSON.parse(answer.body) as { items: unknown[]; '@nextLink'?: string };
    items += page.items.length;
    next = page['@nextLink'];
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { items, seconds };
}

function writeLoad(h: AppConfigHandshake, ca: Buffer, token: string): Promise<Result> {
  let n = 0;
  return autocannon({
    url: `${h.endpoint}/kv`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: WRITE_SECONDS,
    tlsOptions: { ca },
    servername: 'localhost',
    requests: [
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        // 200 keys rewritten over and over: each write is an update that adds a revision.
        setupRequest: (req) => {
          n += 1;
          return {
            ...req,
            path: `/kv/bench:write:${n % 200}?api-version=${API_VERSION}`,
            body: JSON.stringify({ value: `value ${n}`, tags: { n: String(n) } }),
          };
        },
      },
    ],
  });
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const child = await startServerProcess<AppConfigHandshake>({ script: 'appconfigServer.ts' });
  try {
    const h = child.handshake;
    const ca = readFileSync(h.caCertPath);
    const token = await clientCredentialsToken(h, ca, 'https://appconfig.azure.com/.default');
    const readUrl = `${h.endpoint}/kv/${encodeURIComponent(h.readKey)}?api-version=${API_VERSION}`;
    const headers = { authorization: `Bearer ${token}` };
    const check = await verifiedRequest(new URL(readUrl), ca, { method: 'GET', headers });
    if (check.status !== 200)
      throw new Error(`preflight: the guarded GET answered ${check.status} ${check.body}`);
    const denied = await verifiedRequest(new URL(readUrl), ca, { method: 'GET' });
    if (denied.status !== 401) throw new Error(`preflight: an anonymous GET answered ${denied.status}`);

    options.log('warm-up…');
    await load(`${h.bareOrigin}/bare`, ca, {}, 2);
    await load(readUrl, ca, headers, 2);
    // bare, read, bare, read, …, bare: each read window is judged against the bare windows on
    // either side of it, and the median of those ratios is kept, so drift in the load of this
    // shared machine moves both sides of each ratio together.
    const bares: Result[] = [];
    const reads: Array<{ result: Result; cpuMicros: number | undefined }> = [];
    options.log(`bare route ${SECONDS} s…`);
    bares.push(await load(`${h.bareOrigin}/bare`, ca, {}, SECONDS));
    for (let round = 0; round < READ_ROUNDS; round++) {
      options.log(`authenticated GET of a key-value ${SECONDS} s…`);
      const before = cpuTimes(h.pid);
      const result = await load(readUrl, ca, headers, SECONDS);
      const after = cpuTimes(h.pid);
      const cpuMicros =
        before && after
          ? ((after.mainThreadSeconds - before.mainThreadSeconds) * 1e6) / Math.max(1, result.requests.total)
          : undefined;
      reads.push({ result, cpuMicros });
      options.log(`bare route ${SECONDS} s…`);
      bares.push(await load(`${h.bareOrigin}/bare`, ca, {}, SECONDS));
    }
    const ratios = reads.map(
      ({ result }, i) =>
        result.requests.average /
        (((bares[i]?.requests.average ?? 0) + (bares[i + 1]?.requests.average ?? 0)) / 2),
    );

    options.log(`listing ${h.listCount} key-values by prefix, ${LIST_ROUNDS} rounds…`);
    const listings: Array<{ items: number; seconds: number }> = [];
    for (let round = 0; round < LIST_ROUNDS; round++) listings.push(await listPrefix(h, ca, token));
    const listedAll = listings.every((l) => l.items === h.listCount);
    const itemsPerSecond = median(listings.map((l) => l.items / l.seconds));

    options.log(`writes ${WRITE_SECONDS} s…`);
    const syncUrl = new URL(`${h.endpoint}/kv/bench:none?api-version=${API_VERSION}`);
    const sequenceBefore = sequenceOf(await verifiedRequest(syncUrl, ca, { method: 'GET', headers }));
    const writes = await writeLoad(h, ca, token);
    const sequenceAfter = sequenceOf(await verifiedRequest(syncUrl, ca, { method: 'GET', headers }));
    const revisionsRecorded = sequenceAfter - sequenceBefore;
    const writesPerSecond = writes['2xx'] / (writes.duration || WRITE_SECONDS);

    const ratio = median(ratios);
    const bareRps = median(bares.map((b) => b.requests.average));
    const readRps = median(reads.map((r) => r.result.requests.average));
    const readCpu = median(reads.flatMap((r) => (r.cpuMicros === undefined ? [] : [r.cpuMicros])));
    const failed =
      bares.reduce((sum, b) => sum + failures(b), 0) +
      reads.reduce((sum, r) => sum + failures(r.result), 0) +
      failures(writes);
    // autocannon counts answers received within the window; up to one request per connection
    // was still being answered when it closed, and was written all the same.
    const revisionsKept =
      revisionsRecorded >= writes['2xx'] && revisionsRecorded <= writes['2xx'] + CONNECTIONS;
    const pass =
      ratio >= READ_TARGET &&
      itemsPerSecond >= LIST_TARGET &&
      writesPerSecond >= WRITE_TARGET &&
      listedAll &&
      revisionsKept &&
      failed === 0;
    const n = (value: number) => Math.round(value).toLocaleString('en-US');
    return {
      name: 'appconfig',
      pass,
      table: [
        [
          'bare Fastify HTTPS route, req/s (each window)',
          bares.map((b) => n(b.requests.average)).join(' / '),
        ],
        [
          'authenticated GET /kv/{key} (bearer + RBAC + SQLite), req/s',
          reads.map((r) => n(r.result.requests.average)).join(' / '),
        ],
        ['ratio authenticated ÷ neighbouring bare windows', ratios.map((r) => r.toFixed(3)).join(' / ')],
        ['ratio, median', `${ratio.toFixed(3)}  (target ≥ ${READ_TARGET})`],
        ['authenticated GET, server CPU per request (µs)', readCpu ? readCpu.toFixed(0) : 'n/a'],
        [
          'authenticated GET latency p50 / p99 (ms)',
          `${reads[0]?.result.latency.p50 ?? 0} / ${reads[0]?.result.latency.p99 ?? 0}`,
        ],
        [
          `list ${n(h.listCount)} by prefix, items/s (median of ${LIST_ROUNDS})`,
          `${n(itemsPerSecond)}  (target ≥ ${n(LIST_TARGET)})`,
        ],
        ['list rounds, seconds', listings.map((l) => l.seconds.toFixed(3)).join(' / ')],
        ['writes (PUT, revision kept), writes/s', `${n(writesPerSecond)}  (target ≥ ${n(WRITE_TARGET)})`],
        ['revisions recorded / writes answered 200', `${n(revisionsRecorded)} / ${n(writes['2xx'])}`],
        ['write latency p50 / p99 (ms)', `${writes.latency.p50} / ${writes.latency.p99}`],
        ['failed responses', String(failed)],
        ['result', pass ? 'PASS' : 'FAIL'],
      ],
      summary: {
        pass,
        bareRequestsPerSecond: bareRps,
        bareSamples: bares.map((b) => b.requests.average),
        readRequestsPerSecond: readRps,
        readSamples: reads.map((r) => r.result.requests.average),
        readRatios: ratios,
        readRatio: ratio,
        readCpuMicrosPerRequest: readCpu,
        readTarget: READ_TARGET,
        listItemsPerSecond: itemsPerSecond,
        listSeconds: listings.map((l) => l.seconds),
        listTarget: LIST_TARGET,
        writesPerSecond,
        writeTarget: WRITE_TARGET,
        revisionsRecorded,
        writesAnswered: writes['2xx'],
        failed,
        connections: CONNECTIONS,
        seconds: SECONDS,
      },
    };
  } finally {
    await child.stop();
  }
}
