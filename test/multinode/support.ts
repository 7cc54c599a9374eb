import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveIngest } from '../../src/media/live/liveIngest.js';
import { freeLoopbackPort } from '../../src/net/freePort.js';
import { FORM } from '../support/authority.js';
import { createTestDatabase, harnessEngine } from '../support/database.js';
import type { TestDatabase } from '../support/database.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/**
 * Multi-node tests run in the PostgreSQL pass of `node scripts/test.mjs` (TESSERA_TEST_STORE=
 * postgres), once; in the SQLite pass they say why they are skipped.
 */
export const multinodeSkip = (): string | false =>
  harnessEngine() === 'postgres'
    ? false
    : 'multi-node tests need PostgreSQL: run them with TESSERA_TEST_STORE=postgres and TESSERA_TEST_DATABASE_URL (node scripts/test.mjs does, in its PostgreSQL pass)';

/** `fetch`, sent to one node: the URL's host and port, on that node's loopback address. */
export type NodeFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

export interface Node {
  t: TestServer;
  /** The node's loopback address (127.0.0.<n>), all nodes on one port. */
  address: string;
  fetch: NodeFetch;
  /** A form POST to this node. */
  post(url: string, fields: Record<string, string>): Promise<Response>;
}

export interface Cluster {
  nodes: Node[];
  database: TestDatabase;
  /** The key-encryption key every node shares (base64). */
  kek: string;
  /** The one port every node listens on: their common origin is `https://localhost:<port>`. */
  port: number;
  /** The Media Services folder every node shares (`--media-dir`), as a network share would be. */
  mediaDir: string;
  stop(): Promise<void>;
}

/**
 * `count` nodes on one fresh database, as machines behind a load balancer: the same origin
 * (`https://localhost:<port>`), each on a loopback address of its own (127.0.0.1, .2, …), sharing
 * the key-encryption key. `atOnce` starts them all together, as a deployment rolling out does.
 */
export async function startCluster(
  count: number,
  /** `liveIngest`: node i runs its live channels on `liveIngest[i]` (a double) rather than the pipeline. */
  options: { atOnce?: boolean; liveIngest?: ReadonlyArray<LiveIngest | undefined> } = {},
): Promise<Cluster> {
  const database = await createTestDatabase();
  const kek = randomBytes(32).toString('base64');
  const port = await freeLoopbackPort();
  const mediaDir = mkdtempSync(join(tmpdir(), 'tessera-shared-media-'));
  const agents: Agent[] = [];
  const start = (i: number) =>
    startTestServer({
      databaseUrl: database.url,
      kek,
      host: `127.0.0.${i + 1}`,
      port,
      mediaDir,
      liveIngest: options.liveIngest?.[i],
    });
  const started: Array<PromiseSettledResult<TestServer>> = [];
  if (options.atOnce)
    started.push(...(await Promise.allSettled(Array.from({ length: count }, (_, i) => start(i)))));
  else for (let i = 0; i < count; i++) started.push(...(await Promise.allSettled([start(i)])));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    for (const agent of agents) agent.destroy();
    for (const server of servers) await server.stop();
    await database.drop();
    rmSync(mediaDir, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const nodes = servers.map((t, i) => {
    const address = `127.0.0.${i + 1}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    agents.push(agent);
    const fetch = nodeFetch(address, agent);
    const post = (url: string, fields: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: new URLSearchParams(fields).toString(),
      });
    return { t, address, fetch, post };
  });
  return { nodes, database, kek, port, mediaDir, stop };
}

/** Requests to `address`, with the URL's host as Host and TLS name, so every node looks like one origin. */
export function nodeFetch(address: string, agent?: Agent): NodeFetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      const body = init.body;
      const req = request(
        {
          host: address,
          port: Number(url.port) || 443,
          path: `${url.pathname}${url.search}`,
          method: init.method ?? 'GET',
          servername: url.hostname,
          agent: agent ?? false,
          headers: {
            host: url.host,
            ...init.headers,
            ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
                headers.append(name, one);
              }
            }
            const status = res.statusCode ?? 500;
            const empty = status === 204 || status === 304;
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/** Polls `check` until it holds, at most `timeoutMs`; resolves with the milliseconds it took. */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  everyMs = 2,
): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
  return performance.now() - started;
}

/** Percentiles of a sample, for diagnostics: `p50 3.1 ms, p90 …, max …`. */
export function distribution(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return `n=${sorted.length} min ${ms(sorted[0] ?? NaN)}, p50 ${ms(at(0.5))}, p90 ${ms(at(0.9))}, max ${ms(sorted.at(-1) ?? NaN)}`;
}
