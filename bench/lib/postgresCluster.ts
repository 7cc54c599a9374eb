import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throw-away PostgreSQL cluster for one bench run, made by scripts/postgres.mjs (the tests' own
 * script) with a state file of its own, so it never touches a cluster the tests or another bench
 * run. `stop()` removes it; so does a SIGINT/SIGTERM of the bench while it runs.
 */
export interface PostgresCluster {
  /** The cluster's `postgres` database; `createDatabase` makes others. */
  url: string;
  createDatabase(name: string): Promise<string>;
  /** What the cluster's processes have used so far (undefined off Linux or once stopped). */
  cpuReading(): PostgresCpuReading | undefined;
  stop(): Promise<void>;
}

/**
 * CPU seconds the cluster used between two readings: `backends` serve client connections (what
 * the nodes' statements cost); `other` is the rest of what the postmaster runs — itself, the WAL
 * writer, checkpointer, background writer, autovacuum — and what processes that exited used
 * since the first reading (an idle pool connection a node closed, for instance).
 */
export interface PostgresCpu {
  backends: number;
  other: number;
}

/** CPU ticks of the whole cluster, and of each live backend by pid. */
export interface PostgresCpuReading {
  total: number;
  backends: Map<string, number>;
}

export function postgresCpuBetween(before: PostgresCpuReading, after: PostgresCpuReading): PostgresCpu {
  let backends = 0;
  // A backend born after the first reading counts from zero.
  for (const [pid, ticks] of after.backends) backends += ticks - (before.backends.get(pid) ?? 0);
  const total = after.total - before.total;
  return { backends: backends / TICKS_PER_SECOND, other: (total - backends) / TICKS_PER_SECOND };
}

/** Why there is no cluster: PostgreSQL's server binaries are not installed. */
export class PostgresUnavailable extends Error {}

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture Node supports. */
const TICKS_PER_SECOND = 100;
const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/postgres.mjs', import.meta.url));

export async function startPostgresCluster(stateFile: string): Promise<PostgresCluster> {
  const env = { ...process.env, TESSERA_POSTGRES_STATE: stateFile };
  let url: string;
  try {
    url = (await run(process.execPath, [script, 'start'], { env })).stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    // The script's own words for "no server binaries here" (it searched /usr/lib/postgresql/*).
    if (/no initdb and pg_ctl/.test(stderr)) throw new PostgresUnavailable(stderr.trim());
    throw new Error(`starting a PostgreSQL cluster failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
  // Synchronous on purpose: it also runs from a signal handler, just before the process exits.
  const stopNow = () => {
    execFileSync(process.execPath, [script, 'stop'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      stopNow();
    } finally {
      process.kill(process.pid, signal);
    }
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { data: string };
  const postmasterPid = Number(readFileSync(join(state.data, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  let stopped = false;
  return {
    url,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      const database = new URL(url);
      database.pathname = `/${name}`;
      return database.href;
    },
    cpuReading: () => (stopped ? undefined : clusterCpu(postmasterPid)),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await run(process.execPath, [script, 'stop'], { env });
    },
  };
}

/** The parent's pid (field 4 of /proc/<pid>/stat), utime + stime (14, 15) and cutime + cstime (16, 17). */
function stat(pid: string): { ppid: number; own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    // Gone between the listing and the read.
    return undefined;
  }
}

/** A backend names its client in its title: `postgres: tessera bench 127.0.0.1(53422) idle`. */
function isBackend(pid: string): boolean {
  try {
    return /\(\d+\)|\[local\]/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

function clusterCpu(postmasterPid: number): PostgresCpuReading | undefined {
  const postmaster = stat(String(postmasterPid));
  if (!postmaster) return undefined;
  // A process that exits moves its CPU into the postmaster's cutime/cstime: the total never drops.
  const reading = { total: postmaster.own + postmaster.reaped, backends: new Map<string, number>() };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(entry);
    if (child?.ppid !== postmasterPid) continue;
    reading.total += child.own;
    if (isBackend(entry)) reading.backends.set(entry, child.own);
  }
  return reading;
}
