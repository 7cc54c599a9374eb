import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds a process (all threads) and its main thread have used, from Linux /proc; undefined elsewhere. */
export interface CpuTimes {
  processSeconds: number;
  mainThreadSeconds: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

function ticks(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function cpuTimes(pid: number): CpuTimes | undefined {
  try {
    return {
      processSeconds: ticks(`/proc/${pid}/stat`) / TICKS_PER_SECOND,
      mainThreadSeconds: ticks(`/proc/${pid}/task/${pid}/stat`) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has spent busy (all cores; idle and iowait excluded), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const ticks = values.slice(0, 8).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return (ticks.reduce((sum, t) => sum + t, 0) - idle) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** One thread's scheduler accounting: time on a CPU and time runnable but waiting for one. */
export interface ThreadSched {
  name: string;
  runSeconds: number;
  waitSeconds: number;
}

/**
 * Per-thread scheduler statistics of a process, from /proc/<pid>/task/<tid>/schedstat (Linux
 * with schedstats; empty elsewhere). Wait time is what a thread lost to other runnable threads:
 * on a 2-core machine shared with the load generator, that is where throughput goes.
 */
export function threadSched(pid: number): Map<number, ThreadSched> {
  const threads = new Map<number, ThreadSched>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      // Node leaves its threads unnamed ("node"): the main thread is the one whose id is the pid's.
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = tid === String(pid) ? 'main' : comm === 'node' ? `thread ${tid}` : comm;
      threads.set(Number(tid), { name, runSeconds: Number(run) / 1e9, waitSeconds: Number(wait) / 1e9 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** What each thread ran and waited between two readings, grouped by thread name. */
export function schedDelta(
  before: Map<number, ThreadSched>,
  after: Map<number, ThreadSched>,
): Array<{ name: string; threads: number; runSeconds: number; waitSeconds: number }> {
  const byName = new Map<
    string,
    { name: string; threads: number; runSeconds: number; waitSeconds: number }
  >();
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { runSeconds: 0, waitSeconds: 0 };
    const entry = byName.get(now.name) ?? { name: now.name, threads: 0, runSeconds: 0, waitSeconds: 0 };
    entry.threads++;
    entry.runSeconds += now.runSeconds - then.runSeconds;
    entry.waitSeconds += now.waitSeconds - then.waitSeconds;
    byName.set(now.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.runSeconds - a.runSeconds);
}
