/**
 * How long one large JSON body holds the event loop. A child server (this same file, started with
 * BENCH_BODIES_SERVE) reads 4 MiB ARM-shaped bodies on one route and answers a trivial GET on
 * another, parsing either as Tessera does (net/jsonBody.ts: checked and cut in a worker thread,
 * rebuilt a piece at a time) or inline (depth scan + JSON.parse with ARM's reviver on the event
 * loop, as before). While two clients send bodies in a closed loop, the child's
 * perf_hooks.monitorEventLoopDelay and a probe client's GET latency show what everyone else waits.
 * Target: the worst event-loop delay with pieces ≤ 0.5 × the inline one, measured in the same run.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyRequest } from 'fastify';
import { readBody } from '../src/net/bodyReader.js';
import { parseInline, parseJsonBody } from '../src/net/jsonBody.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'event-loop delay while clients send 4 MiB JSON bodies: pieces parsed around a worker vs inline (max ≤ 0.5×)';

const SERVE_ENV = 'BENCH_BODIES_SERVE';
const MODES = ['inline', 'pieces'] as const;
type Mode = (typeof MODES)[number];
const TARGET = 0.5;
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
const SENDERS = 2;
const BODY_LIMIT = 4 * 1024 * 1024;

interface Delay {
  p50: number;
  p99: number;
  max: number;
}

interface Measured {
  loop: Delay;
  probe: Delay;
  bodies: number;
  probes: number;
}

/** About 4 MiB of an ARM PUT: a resource with a large properties bag. */
function armBody(): Buffer {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < BODY_LIMIT - 4096; i++) {
    const item = JSON.stringify({
      name: `item-${i}`,
      enabled: i % 2 === 0,
      weight: i * 1.5,
      tags: ['a', 'b'],
    });
    items.push(item);
    size += item.length + 1;
  }
  return Buffer.from(
    `{"location":"westus","properties":{"items":[${items.join(',')}]},"tags":{"env":"bench"}}`,
  );
}

// ——— the child server ———

async function serve(mode: Mode): Promise<void> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (req: FastifyRequest, payload: Readable) => {
    const bytes = await readBody(payload, req.headers['content-length'], BODY_LIMIT);
    const parsed =
      mode === 'inline' ? parseInline(bytes, true) : await parseJsonBody(bytes, { dropProtoKeys: true });
    if (!parsed.ok) throw new Error(`the body did not parse: ${parsed.reason}`);
    return parsed.value;
  });
  app.post('/body', async (req) => ({ keys: Object.keys(req.body as object).length }));
  app.get('/ping', async () => 'ok');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const lines = createInterface({ input: process.stdin });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  for await (const line of lines) {
    if (line === 'reset') histogram.reset();
    else if (line === 'report') {
      const ms = (ns: number) => ns / 1e6;
      const delay: Delay = {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      };
      process.stdout.write(`${JSON.stringify(delay)}\n`);
    }
  }
  await app.close();
}

// ——— the bench ———

function startChild(mode: Mode): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, [SERVE_ENV]: mode },
  });
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const line = await lines.next();
  if (line.done) throw new Error('the bench child exited');
  return line.value;
}

function send(agent: Agent, port: number, method: string, path: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (body) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(mode: Mode, body: Buffer, log: (message: string) => void): Promise<Measured> {
  const { child, lines } = startChild(mode);
  try {
    const { port } = JSON.parse(await nextLine(lines)) as { port: number };
    const agent = new Agent({ keepAlive: true, maxSockets: SENDERS + 1 });
    // Warm-up: JIT, and the worker thread started.
    for (let i = 0; i < 3; i++) {
      const status = await send(agent, port, 'POST', '/body', body);
      if (status !== 200) throw new Error(`${mode}: the warm-up body answered ${status}`);
    }
    log(`bodies: ${mode}, ${SECONDS} s of ${SENDERS} senders of ${(body.length / 1048576).toFixed(1)} MiB`);
    child.stdin?.write('reset\n');
    const until = Date.now() + SECONDS * 1000;
    let bodies = 0;
    const sender = async () => {
      while (Date.now() < until) {
        const status = await send(agent, port, 'POST', '/body', body);
        if (status !== 200) throw new Error(`${mode}: a body answered ${status}`);
        bodies++;
      }
    };
    const latencies: number[] = [];
    const probe = async () => {
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        await send(agent, port, 'GET', '/ping');
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    };
    await Promise.all([...Array.from({ length: SENDERS }, sender), probe()]);
    child.stdin?.write('report\n');
    const loop = JSON.parse(await nextLine(lines)) as Delay;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const probeDelay = {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    };
    return { loop, probe: probeDelay, bodies: bodies / SECONDS, probes: latencies.length };
  } finally {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const body = armBody();
  const results = {} as Record<Mode, Measured>;
  for (const mode of MODES) results[mode] = await measure(mode, body, options.log);
  const ratio = results.pieces.loop.max / results.inline.loop.max;
  const pass = ratio <= TARGET;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const row = (label: string, pick: (m: Measured) => string): [string, string] => [
    label,
    `${pick(results.pieces)}  (inline ${pick(results.inline)})`,
  ];
  return {
    name: 'bodies',
    pass,
    table: [
      ['body', `${(body.length / 1048576).toFixed(2)} MiB, ${SENDERS} senders, ${SECONDS} s`],
      row('event-loop delay max', (m) => ms(m.loop.max)),
      row('event-loop delay p99', (m) => ms(m.loop.p99)),
      row('event-loop delay p50', (m) => ms(m.loop.p50)),
      row('probe GET p99', (m) => ms(m.probe.p99)),
      row('probe GET max', (m) => ms(m.probe.max)),
      row('bodies/s', (m) => m.bodies.toFixed(1)),
      row('probe GETs', (m) => String(m.probes)),
      ['max delay, pieces / inline', `${ratio.toFixed(2)} (target ≤ ${TARGET})`],
      ['result', pass ? 'PASS' : 'FAIL'],
    ],
    summary: {
      pass,
      ratio,
      target: TARGET,
      seconds: SECONDS,
      senders: SENDERS,
      bodyBytes: body.length,
      ...results,
    },
  };
}

const serving = process.env[SERVE_ENV];
if (serving === 'inline' || serving === 'pieces') await serve(serving);
