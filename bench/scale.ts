/**
 * What PostgreSQL and a second node cost. Three deployments, all started (and warmed up) before
 * the first measurement: one node on SQLite, and two nodes on one PostgreSQL database (a
 * throw-away cluster), loaded once on the first node alone ("PostgreSQL, 1 node") and once with
 * the connections dealt round robin over both ("PostgreSQL, 2 nodes"). Two loads: client-
 * credentials tokens, and guarded reads — App Configuration's `GET /kv/<key>` with the bearer
 * token of a service principal that is "App Configuration Data Reader" of the store (bearer
 * check, the access index, the data plane's store). Each window reports requests/s and, from
 * /proc, the nodes' CPU per request and the PostgreSQL cluster's: on 2 shared cores throughput
 * cannot double, but CPU per request predicts what N nodes on N machines do. Targets: tokens/s on
 * PostgreSQL ≥ 0.7 × on SQLite (1 node each); the nodes' CPU per token with 2 nodes ≤ 1.15 × with
 * 1 (PostgreSQL). Each deployment gets two windows per load, in a palindrome, and is judged on
 * its better one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServerProcess } from './lib/child.js';
import type { ServerProcess } from './lib/child.js';
import { clientCredentialsToken, verifiedRequest } from './lib/https.js';
import { runLoad } from './lib/loadgen.js';
import { PostgresUnavailable, postgresCpuBetween, startPostgresCluster } from './lib/postgresCluster.js';
import type { PostgresCluster, PostgresCpu, PostgresCpuReading } from './lib/postgresCluster.js';
import { cpuTimes, machineBusySeconds } from './lib/procstat.js';
import type { CpuTimes } from './lib/procstat.js';
import { digestCpuProfile } from './lib/profile.js';
import type { ProfileDigest } from './lib/profile.js';
import { SCALE_NODE_ENV } from './lib/scaleNode.js';
import type { ScaleHandshake, ScaleNodeSpec } from './lib/scaleNode.js';
import type { BenchOptions, BenchResult } from './types.js';

export const description =
  'tokens/s and guarded reads/s on 1 node SQLite, 1 and 2 nodes PostgreSQL, with CPU per request ' +
  '(PostgreSQL ≥ 0.7 × SQLite tokens/s; CPU/token 2 nodes ≤ 1.15 × 1 node)';

const TOKENS_TARGET = 0.7;
const CPU_TARGET = 1.15;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Warm-up windows (of WARMUP_SECONDS) each node gets on its own before any measurement: at most… */
const WARMUP_WINDOWS = Number(process.env.BENCH_WARMUP_WINDOWS ?? 6);
/** …and at least (a node takes ~5,000 tokens to settle). */
const MIN_WARMUP_WINDOWS = 3;
/** A node is warm once a window's CPU per request is less than this fraction below its best before. */
const STEADY = 0.1;
/** Connections each node keeps to PostgreSQL (Tessera's default when unset). */
const POOL_SIZE = process.env.BENCH_POOL_SIZE === undefined ? undefined : Number(process.env.BENCH_POOL_SIZE);
const TOKEN_SCOPE = 'https://management.azure.com/.default';
const APPCONFIG_SCOPE = 'https://appconfig.azure.com/.default';
const API_VERSION = '2026-04-01';
/** The name every node's certificate carries and every request's Host names: one origin. */
const SERVERNAME = 'localhost';

type ScenarioKey = 'sqlite1' | 'postgres1' | 'postgres2';
type LoadKind = 'tokens' | 'reads';
const SCENARIOS: ScenarioKey[] = ['sqlite1', 'postgres1', 'postgres2'];
const KINDS: LoadKind[] = ['tokens', 'reads'];

const LABELS: Record<ScenarioKey, string> = {
  sqlite1: 'SQLite, 1 node',
  postgres1: 'PostgreSQL, 1 node',
  postgres2: 'PostgreSQL, 2 nodes',
};
const UNITS: Record<LoadKind, string> = { tokens: 'tokens/s', reads: 'guarded reads/s' };

/** Where the nodes' time went while they minted tokens and answered reads (--profile). */
const INCLUSIVE = [
  /^signRs256 /,
  /^mintAccessToken /,
  /^authenticateConfidentialClient /,
  /^resolveTargetResource /,
  /^grantedAppRoles /,
  /executeQuery .*kysely/,
  /pg\/lib|pg-protocol/,
  /verify .*bearer/i,
  /evaluate .*access\//,
];

interface Node {
  process: ServerProcess<ScaleHandshake>;
  host: string;
}

/** One deployment under load: its nodes (the connections are dealt over them) and its database. */
interface Scenario {
  key: ScenarioKey;
  nodes: Node[];
  cluster?: PostgresCluster;
  setup: NonNullable<ScaleHandshake['setup']>;
  ca: Buffer;
  /** A token for the guarded reads, held by the store's Data Reader. */
  readToken: string;
}

/** One measured load window. CPU figures are seconds used during the window. */
interface Window {
  scenario: ScenarioKey;
  kind: LoadKind;
  seconds: number;
  ok: number;
  /** Non-2xx, errors and timeouts, the window's warm-up included. */
  failed: number;
  /** Per node, in node order: responses, and CPU seconds of the whole process and of its main thread. */
  perNode: Array<{ ok: number; cpu: number | undefined; main: number | undefined }>;
  postgres: PostgresCpu | undefined;
  loader: number;
  /** Everything else on the machine: it is shared. */
  others: number | undefined;
  p50: number | undefined;
  p99: number | undefined;
  profile?: ProfileDigest & { file: string };
}

/** Starts a node; its description rides in the environment that child.ts copies when it spawns. */
function startNode(
  spec: ScaleNodeSpec,
  profileDir: string | undefined,
): Promise<ServerProcess<ScaleHandshake>> {
  process.env[SCALE_NODE_ENV] = JSON.stringify(spec);
  try {
    // startServerProcess reads the environment synchronously, before its first await.
    return startServerProcess<ScaleHandshake>({
      script: 'scaleServer.ts',
      ...(profileDir && { profileWindowsDir: profileDir }),
    });
  } finally {
    delete process.env[SCALE_NODE_ENV];
  }
}

/** Started nodes, so that a failure half-way still stops every one of them. */
class Fleet {
  private readonly started: Array<ServerProcess<ScaleHandshake>> = [];

  async start(spec: ScaleNodeSpec, profileDir: string | undefined): Promise<Node> {
    const started = await startNode(spec, profileDir);
    this.started.push(started);
    return { process: started, host: started.handshake.host };
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.map((s) => s.stop()));
  }
}

async function scenarioFor(key: ScenarioKey, nodes: Node[], cluster?: PostgresCluster): Promise<Scenario> {
  const first = nodes[0]?.process.handshake;
  if (!first?.setup) throw new Error(`${LABELS[key]}: the first node did not report its setup`);
  const ca = readFileSync(first.caCertPath);
  const readToken = await clientCredentialsToken(first.setup, ca, APPCONFIG_SCOPE);
  return { key, nodes, setup: first.setup, ca, readToken, ...(cluster && { cluster }) };
}

const readPath = (setup: Scenario['setup']) =>
  `/kv/${encodeURIComponent(setup.readKey)}?api-version=${API_VERSION}`;

/** Checks every node of a scenario answers both loads (CA-verified) before any is measured. */
async function preflight(scenario: Scenario): Promise<void> {
  const { setup, ca } = scenario;
  for (const node of scenario.nodes) {
    const where = `${LABELS[scenario.key]}, node ${node.host}`;
    const token = await clientCredentialsToken(
      { ...setup, origin: `https://${node.host}:${node.process.handshake.port}` },
      ca,
      TOKEN_SCOPE,
    ).catch((error: unknown) => {
      throw new Error(`preflight: no token from ${where}`, { cause: error });
    });
    if (token.split('.').length !== 3) throw new Error(`preflight: not a JWT from ${where}`);
    const readUrl = new URL(`https://${node.host}:${setup.storePort}${readPath(setup)}`);
    const host = { host: `${SERVERNAME}:${setup.storePort}` };
    const read = await verifiedRequest(readUrl, ca, {
      method: 'GET',
      headers: { ...host, authorization: `Bearer ${scenario.readToken}` },
    });
    if (read.status !== 200)
      throw new Error(`preflight: the guarded read on ${where} answered ${read.status} ${read.body}`);
    const anonymous = await verifiedRequest(readUrl, ca, { method: 'GET', headers: host });
    if (anonymous.status !== 401)
      throw new Error(`preflight: an anonymous read on ${where} answered ${anonymous.status}`);
  }
}

interface LoadOutcome {
  ok: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** Client-credentials grants on `connections` keep-alive TLS connections (bench/lib/loadgen.ts). */
async function tokenLoad(scenario: Scenario, node: Node, connections: number, seconds: number) {
  const { setup } = scenario;
  const form = new URLSearchParams({
    client_id: setup.clientId,
    client_secret: setup.secret,
    grant_type: 'client_credentials',
    scope: TOKEN_SCOPE,
  }).toString();
  const result = await runLoad({
    url: new URL(`https://${node.host}:${node.process.handshake.port}/${setup.tenantId}/oauth2/v2.0/token`),
    ca: scenario.ca,
    servername: SERVERNAME,
    connections,
    seconds,
    body: () => form,
  });
  return {
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Guarded GETs with autocannon (loadgen.ts speaks only POST), Host naming the one origin. */
async function readLoad(scenario: Scenario, node: Node, connections: number, seconds: number) {
  const { setup } = scenario;
  const result = await autocannon({
    url: `https://${node.host}:${setup.storePort}${readPath(setup)}`,
    headers: { host: `${SERVERNAME}:${setup.storePort}`, authorization: `Bearer ${scenario.readToken}` },
    connections,
    pipelining: 1,
    duration: seconds,
    // autocannon 9 does not verify certificates whatever it is given (see tokens.ts); the
    // preflight verified every node against the CA.
    tlsOptions: { ca: scenario.ca },
    servername: SERVERNAME,
  });
  return {
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * The client-side balancer: the connections are dealt round robin over the nodes, each pinned to
 * its node for the window as a keep-alive connection behind a load balancer is, and each node's
 * loop runs at once.
 */
function loadAll(scenario: Scenario, kind: LoadKind, seconds: number): Promise<LoadOutcome[]> {
  const load = kind === 'tokens' ? tokenLoad : readLoad;
  const count = scenario.nodes.length;
  return Promise.all(
    scenario.nodes.map((node, i) =>
      load(scenario, node, Math.floor(CONNECTIONS / count) + (i < CONNECTIONS % count ? 1 : 0), seconds),
    ),
  );
}

/** What a window is judged on: each node's, PostgreSQL's, this process's and the machine's CPU. */
interface CpuReading {
  nodes: Array<CpuTimes | undefined>;
  postgres: PostgresCpuReading | undefined;
  machine: number | undefined;
  loader: NodeJS.CpuUsage;
}

const readCpu = (scenario: Scenario): CpuReading => ({
  nodes: scenario.nodes.map((n) => cpuTimes(n.process.handshake.pid)),
  postgres: scenario.cluster?.cpuReading(),
  machine: machineBusySeconds(),
  loader: process.cpuUsage(),
});

async function measure(scenario: Scenario, kind: LoadKind, options: BenchOptions, profile: boolean) {
  const label = `${LABELS[scenario.key]}, ${kind}`;
  options.log(`${label}: warm-up ${WARMUP_SECONDS} s…`);
  const warm = await loadAll(scenario, kind, WARMUP_SECONDS);
  options.log(
    `${label}: load ${LOAD_SECONDS} s, ${CONNECTIONS} connections over ${scenario.nodes.length} node(s)…`,
  );
  const profiled = profile ? scenario.nodes[0]?.process.profileWindow(`${scenario.key}-${kind}`) : undefined;
  const before = readCpu(scenario);
  const outcomes = await loadAll(scenario, kind, LOAD_SECONDS);
  const after = readCpu(scenario);
  const loaderUsage = process.cpuUsage(before.loader);
  const loader = (loaderUsage.user + loaderUsage.system) / 1e6;
  const perNode = outcomes.map((outcome, i) => {
    const [b, a] = [before.nodes[i], after.nodes[i]];
    return {
      ok: outcome.ok,
      cpu: a && b ? a.processSeconds - b.processSeconds : undefined,
      main: a && b ? a.mainThreadSeconds - b.mainThreadSeconds : undefined,
    };
  });
  const postgres =
    before.postgres && after.postgres ? postgresCpuBetween(before.postgres, after.postgres) : undefined;
  const nodes = total(perNode.map((n) => n.cpu));
  const window: Window = {
    scenario: scenario.key,
    kind,
    seconds: Math.max(...outcomes.map((o) => o.seconds)),
    ok: outcomes.reduce((a, o) => a + o.ok, 0),
    failed: [...warm, ...outcomes].reduce((a, o) => a + o.failed, 0),
    perNode,
    postgres,
    loader,
    others:
      before.machine === undefined || after.machine === undefined || nodes === undefined
        ? undefined
        : Math.max(
            0,
            after.machine -
              before.machine -
              nodes -
              (postgres ? postgres.backends + postgres.other : 0) -
              loader,
          ),
    // The first node's percentiles: every node runs the same closed loop.
    p50: outcomes[0]?.p50,
    p99: outcomes[0]?.p99,
  };
  if (profiled) {
    const { file } = await profiled.stop();
    window.profile = { file, ...digestCpuProfile(file, undefined, INCLUSIVE) };
  }
  options.log(
    `  ${fmt(window.ok / window.seconds)} ${kind}/s, nodes ${fmtMicros(micros(nodes, window.ok))} µs/request`,
  );
  return window;
}

/**
 * Loads one node alone in short windows until its CPU per request stops falling — from the third
 * window, once it is no longer STEADY below the best window before it (WARMUP_WINDOWS at most): a
 * node's first few thousand tokens cost up to twice what later ones do (V8 still compiling), and
 * the second PostgreSQL node would otherwise meet its first real load in the measured window.
 */
async function warmUntilSteady(scenario: Scenario, node: Node, kind: LoadKind, log: (m: string) => void) {
  const alone = { ...scenario, nodes: [node] };
  let best = Infinity;
  for (let window = 1; window <= WARMUP_WINDOWS; window++) {
    const before = cpuTimes(node.process.handshake.pid);
    const [outcome] = await loadAll(alone, kind, WARMUP_SECONDS);
    const after = cpuTimes(node.process.handshake.pid);
    const cost =
      before && after && outcome
        ? micros(after.processSeconds - before.processSeconds, outcome.ok)
        : undefined;
    log(`  ${node.host} (${LABELS[scenario.key]}), ${kind}: ${fmtMicros(cost)} µs/request`);
    if (cost === undefined || (window >= MIN_WARMUP_WINDOWS && cost > best * (1 - STEADY))) return;
    best = Math.min(best, cost);
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { log } = options;
  const temp = mkdtempSync(join(tmpdir(), 'tessera-bench-scale-'));
  const profileDir = options.profile
    ? join(options.resultsDir, 'profiles', `scale-${new Date().toISOString().replaceAll(':', '')}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const fleet = new Fleet();
  let cluster: PostgresCluster | undefined;
  const notes: string[] = [];
  try {
    log('starting the SQLite node…');
    const sqliteNode = await fleet.start({ role: 'first', node: { host: '127.0.0.1' } }, profileDir);
    const scenarios: Scenario[] = [await scenarioFor('sqlite1', [sqliteNode])];

    log('starting a throw-away PostgreSQL cluster (scripts/postgres.mjs)…');
    try {
      cluster = await startPostgresCluster(join(temp, 'postgres.json'));
    } catch (error) {
      if (!(error instanceof PostgresUnavailable)) throw error;
      notes.push(
        'PostgreSQL is not installed: only the SQLite row was measured and no target was judged. ' +
          error.message,
      );
      log(notes.at(-1) ?? '');
    }
    if (cluster) {
      const shared = {
        databaseUrl: await cluster.createDatabase('bench_scale'),
        kek: randomBytes(32).toString('base64'),
        mediaDir: join(temp, 'media'),
        ...(POOL_SIZE !== undefined && { poolSize: POOL_SIZE }),
      };
      mkdirSync(shared.mediaDir);
      log('starting PostgreSQL node 1 on 127.0.0.1…');
      const a = await fleet.start({ role: 'first', node: { ...shared, host: '127.0.0.1' } }, profileDir);
      // Only once the first has bootstrapped the database: the second joins it, on the same port.
      log('starting PostgreSQL node 2 on 127.0.0.2…');
      const b = await fleet.start(
        { role: 'join', node: { ...shared, host: '127.0.0.2', port: a.process.handshake.port } },
        profileDir,
      );
      scenarios.push(
        await scenarioFor('postgres1', [a], cluster),
        await scenarioFor('postgres2', [a, b], cluster),
      );
    }
    for (const scenario of scenarios) await preflight(scenario);

    log('warming every node up on its own…');
    const warmed = new Set<Node>();
    for (const scenario of scenarios)
      for (const node of scenario.nodes) {
        if (warmed.has(node)) continue;
        warmed.add(node);
        for (const kind of KINDS) await warmUntilSteady(scenario, node, kind, log);
      }

    // Two windows of each, in a palindrome (SQLite, PostgreSQL 1 node, 2 nodes, 2 nodes, 1 node,
    // SQLite): the windows each ratio compares are centred on the same moment, so a drift in the
    // load of this shared machine moves both sides alike.
    const sequence = [...scenarios, ...[...scenarios].reverse()];
    const windows: Window[] = [];
    const rounds = Math.max(1, options.rounds);
    for (let round = 0; round < rounds; round++) {
      if (rounds > 1) log(`round ${round + 1} of ${rounds}`);
      for (const kind of KINDS)
        for (const [i, scenario] of sequence.entries()) {
          const profile = Boolean(profileDir) && round === 0 && sequence.indexOf(scenario) === i;
          windows.push(await measure(scenario, kind, options, profile));
        }
    }
    return report(windows, notes, cluster !== undefined, options);
  } finally {
    await fleet.stop();
    await cluster?.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * One scenario and load over its windows, each figure the best window's: other processes on this
 * shared machine only ever take throughput away and add CPU per request (they evict caches and
 * share the cores' execution units), so the least disturbed window is the closest to the cost.
 */
interface Figures {
  perSecond: number;
  nodes: number | undefined;
  main: number | undefined;
  backends: number | undefined;
  postgresOther: number | undefined;
  windows: Window[];
}

function figures(windows: Window[], scenario: ScenarioKey, kind: LoadKind): Figures | undefined {
  const all = windows.filter((w) => w.scenario === scenario && w.kind === kind);
  if (all.length === 0) return undefined;
  const least = (pick: (w: Window) => number | undefined) => {
    const values = all.map((w) => micros(pick(w), w.ok));
    return values.every((v) => v !== undefined) ? Math.min(...(values as number[])) : undefined;
  };
  return {
    perSecond: Math.max(...all.map((w) => w.ok / w.seconds)),
    nodes: least((w) => total(w.perNode.map((n) => n.cpu))),
    main: least((w) => total(w.perNode.map((n) => n.main))),
    backends: least((w) => w.postgres?.backends),
    postgresOther: least((w) => w.postgres?.other),
    windows: all,
  };
}

function report(
  windows: Window[],
  notes: string[],
  withPostgres: boolean,
  options: BenchOptions,
): BenchResult {
  const table: Array<[string, string]> = [];
  const summary: Record<string, unknown> = {
    loadSeconds: LOAD_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    rounds: Math.max(1, options.rounds),
    postgres: withPostgres,
  };
  for (const kind of KINDS)
    for (const scenario of SCENARIOS) {
      const f = figures(windows, scenario, kind);
      if (!f) continue;
      const postgres =
        f.backends === undefined
          ? ''
          : `, postgres ${fmtMicros(f.backends)} (+ ${fmtMicros(f.postgresOther)} not backends)`;
      const each = f.windows
        .map(
          (w) => `${fmt(w.ok / w.seconds)} at ${fmtMicros(micros(total(w.perNode.map((n) => n.cpu)), w.ok))}`,
        )
        .join(', ');
      table.push([
        `${UNITS[kind]} — ${LABELS[scenario]}`,
        `${fmt(f.perSecond)}  CPU µs/req: nodes ${fmtMicros(f.nodes)} (main threads ${fmtMicros(f.main)})` +
          `${postgres}  [windows: ${each}]`,
      ]);
      summary[`${scenario}_${kind}`] = {
        perSecond: round(f.perSecond),
        nodeCpuMicrosPerRequest: round(f.nodes),
        nodeMainThreadCpuMicrosPerRequest: round(f.main),
        postgresBackendCpuMicrosPerRequest: round(f.backends),
        postgresOtherCpuMicrosPerRequest: round(f.postgresOther),
        windows: f.windows.map((w) => ({
          perSecond: round(w.ok / w.seconds),
          ok: w.ok,
          failed: w.failed,
          perNode: w.perNode.map((n) => ({ ok: n.ok, cpuMicrosPerRequest: round(micros(n.cpu, n.ok)) })),
          p50Ms: w.p50,
          p99Ms: w.p99,
          loadGeneratorCpuPercent: round((w.loader / w.seconds) * 100),
          otherProcessesCpuPercent: round(w.others === undefined ? undefined : (w.others / w.seconds) * 100),
          ...(w.profile && { profile: w.profile }),
        })),
      };
    }

  const failed = windows.reduce((a, w) => a + w.failed, 0);
  let pass = failed === 0;
  if (withPostgres) {
    const ratio = (a: number | undefined, b: number | undefined) => (a ?? NaN) / (b ?? NaN);
    const tokensRatio = ratio(
      figures(windows, 'postgres1', 'tokens')?.perSecond,
      figures(windows, 'sqlite1', 'tokens')?.perSecond,
    );
    const cpuRatio = ratio(
      figures(windows, 'postgres2', 'tokens')?.nodes,
      figures(windows, 'postgres1', 'tokens')?.nodes,
    );
    const readCpuRatio = ratio(
      figures(windows, 'postgres2', 'reads')?.nodes,
      figures(windows, 'postgres1', 'reads')?.nodes,
    );
    const tokensPass = tokensRatio >= TOKENS_TARGET;
    const cpuPass = cpuRatio <= CPU_TARGET;
    pass &&= tokensPass && cpuPass;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    table.push(
      [
        'tokens/s PostgreSQL 1 node ÷ SQLite 1 node',
        `${fmt(tokensRatio, 3)}  (target ≥ ${TOKENS_TARGET}) ${verdict(tokensPass)}`,
      ],
      [
        "nodes' CPU per token, PostgreSQL 2 nodes ÷ 1 node",
        `${fmt(cpuRatio, 3)}  (target ≤ ${CPU_TARGET}) ${verdict(cpuPass)}`,
      ],
      [
        "nodes' CPU per guarded read, PostgreSQL 2 nodes ÷ 1 node",
        `${fmt(readCpuRatio, 3)}  (informational)`,
      ],
    );
    Object.assign(summary, {
      tokensRatio: round(tokensRatio, 3),
      tokensTarget: TOKENS_TARGET,
      cpuPerTokenRatio: round(cpuRatio, 3),
      cpuPerTokenTarget: CPU_TARGET,
      cpuPerReadRatio: round(readCpuRatio, 3),
    });
  }
  const percents = (pick: (w: Window) => number | undefined, kinds: LoadKind[] = KINDS) => {
    const values = windows
      .filter((w) => kinds.includes(w.kind))
      .map((w) => pick(w))
      .filter((v): v is number => v !== undefined);
    return values.length === 0
      ? 'n/a'
      : `${fmt(Math.min(...values))}–${fmt(Math.max(...values))} (median ${fmt(median(values))})`;
  };
  table.push(
    [
      'load generator CPU, % of a core: tokens; reads',
      `${percents((w) => (w.loader / w.seconds) * 100, ['tokens'])}; ${percents((w) => (w.loader / w.seconds) * 100, ['reads'])}`,
    ],
    [
      "other processes' CPU in the windows, % of a core",
      percents((w) => (w.others === undefined ? undefined : (w.others / w.seconds) * 100)),
    ],
    ['failed responses (warm-ups included)', String(failed)],
    ['result', pass ? 'PASS' : 'FAIL'],
  );
  summary.failed = failed;
  summary.pass = pass;
  for (const w of windows) notes.push(...profileNotes(w));
  if (!pass && !options.profile)
    notes.push('run `npm run bench -- scale --profile` to see where the nodes spend their time');
  return { name: 'scale', pass, table, summary, notes };
}

function profileNotes(w: Window): string[] {
  const digest = w.profile;
  if (!digest) return [];
  const firstNode = w.perNode[0]?.ok ?? 0;
  const each = (ms: number) => `${((ms * 1000) / Math.max(firstNode, 1)).toFixed(1)} µs/req`.padStart(14);
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  return [
    '',
    `first node's main thread, ${LABELS[w.scenario]}, ${w.kind} (wall-time samples, per request that node ` +
      `answered): ${digest.busyMs.toFixed(0)} ms busy of ${digest.windowMs.toFixed(0)} ms; ${digest.file}`,
    'by category (share of busy time):',
    ...digest.categories.slice(0, 12).map((c) => `  ${pct(c.share)}  ${each(c.ms)}  ${c.category}`),
    'top functions by self time:',
    ...digest.selfTime.slice(0, 15).map((f) => `  ${pct(f.share)}  ${each(f.ms)}  ${f.fn}`),
    'inclusive (function anywhere on the synchronous stack):',
    ...digest.inclusive.map((f) => `  ${pct(f.share)}  ${each(f.ms)}  /${f.fn}/`),
  ];
}

const total = (values: Array<number | undefined>): number | undefined =>
  values.every((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined;
/** CPU µs per request from CPU seconds. */
const micros = (seconds: number | undefined, requests: number): number | undefined =>
  seconds === undefined || requests === 0 ? undefined : (seconds * 1e6) / requests;
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fmtMicros = (us: number | undefined): string => (us === undefined ? 'n/a' : fmt(us));
const round = (value: number | undefined, digits = 1): number | undefined =>
  value === undefined ? undefined : Number(value.toFixed(digits));
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
