/**
 * `npm run bench` runs every benchmark; `npm run bench -- tokens` runs one by name;
 * `--profile` runs servers under the V8 CPU profiler and prints where their time went;
 * `--compare=<dir>[,<dir>]` also measures other working copies' servers in the same run (A/B of a
 * change to src/); `--rounds=<n>` repeats the measurements and reports medians; `--list` names
 * the benches. Prints a table per bench, then one JSON line with every summary, which
 * is also written to bench/results/latest.json. Exits 1 when a bench fails.
 *
 * Each benchmark is `bench/<name>.ts` exporting `description` and `run(options)` (see types.ts);
 * add it to BENCHES below. Figures from this shared, noisy machine are only comparable as ratios
 * measured in the same run, so each bench measures its own baseline alongside.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchOptions, BenchResult } from './types.js';

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  tokens: () => import('./tokens.js'),
  rbac: () => import('./rbac.js'),
  guard: () => import('./guard.js'),
  signins: () => import('./signins.js'),
  appconfig: () => import('./appconfig.js'),
  media: () => import('./media.js'),
  managedIdentity: () => import('./managedIdentity.js'),
  bodies: () => import('./bodies.js'),
  live: () => import('./live.js'),
  scale: () => import('./scale.js'),
  portal: () => import('./portal.js'),
};

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

class UsageError extends Error {}

interface Args {
  names: string[];
  profile: boolean;
  list: boolean;
  compare: string[];
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const names: string[] = [];
  const compare: string[] = [];
  let profile = false;
  let list = false;
  let rounds = 1;
  for (const arg of argv) {
    if (arg === '--profile') profile = true;
    else if (arg === '--list') list = true;
    else if (arg.startsWith('--compare='))
      compare.push(...arg.slice('--compare='.length).split(',').filter(Boolean));
    else if (arg.startsWith('--rounds=')) rounds = Number(arg.slice('--rounds='.length));
    else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} (known: --profile, --list, --compare=<dir>, --rounds=<n>)`);
    } else names.push(arg);
  }
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    throw new UsageError(`unknown bench ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds takes a whole number ≥ 1');
  return { names: names.length > 0 ? names : Object.keys(BENCHES), profile, list, compare, rounds };
}

function printTable(result: BenchResult): void {
  const width = Math.max(...result.table.map(([label]) => label.length));
  const rule = '─'.repeat(width + 2 + Math.max(...result.table.map(([, v]) => v.length)));
  console.log(`\n${result.name}\n${rule}`);
  for (const [label, value] of result.table) console.log(`${label.padEnd(width)}  ${value}`);
  console.log(rule);
  for (const note of result.notes ?? []) console.log(note);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const [name, load] of Object.entries(BENCHES)) console.log(`${name}: ${(await load()).description}`);
    return 0;
  }
  mkdirSync(resultsDir, { recursive: true });
  const options: BenchOptions = {
    profile: args.profile,
    compare: args.compare,
    rounds: args.rounds,
    resultsDir,
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const results: BenchResult[] = [];
  for (const name of args.names) {
    options.log(`\n== ${name} ==`);
    const bench = await BENCHES[name]!();
    const result = await bench.run(options);
    results.push(result);
    printTable(result);
  }
  const pass = results.every((r) => r.pass);
  const summary = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    pass,
    results: Object.fromEntries(results.map((r) => [r.name, { pass: r.pass, ...r.summary }])),
  };
  // The printed line leaves out bulky detail (profile digests); the file keeps everything.
  console.log(
    `\n${JSON.stringify(summary, (key, value: unknown) => (key === 'profile' || key === 'profiles' ? undefined : value))}`,
  );
  writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
  return pass ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `bench: ${error.message}` : error);
    process.exitCode = 2;
  },
);
