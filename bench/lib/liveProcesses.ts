import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * The processes of the live bench: every ffmpeg it starts is tracked here and killed by its own
 * pid when the bench ends, whatever happened; and CPU accounting from Linux /proc for a process
 * with its descendants (the server and its segmenters) or for a set of pids (the encoders).
 */

const TICKS_PER_SECOND = 100; // USER_HZ

export interface Tracked {
  child: ChildProcess;
  pid: number;
  /** Exit code (null when killed) once it has ended. */
  exited: Promise<number | null>;
  /** The last few KiB of its stderr. */
  stderr(): string;
  running(): boolean;
}

export class ProcessGroup {
  private readonly children = new Set<Tracked>();

  /** Spawns `command` without a shell; stdin is a pipe only when asked. */
  start(command: string, args: readonly string[], options: { stdin?: boolean } = {}): Tracked {
    const child = spawn(command, args, { stdio: [options.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    if (child.pid === undefined) throw new Error(`${command} could not be started`);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4096)));
    let done = false;
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', (error) => {
        stderr += `\n${error.message}`;
        done = true;
        resolve(null);
      });
      child.once('close', (code) => {
        done = true;
        resolve(code);
      });
    });
    const tracked: Tracked = { child, pid: child.pid, exited, stderr: () => stderr, running: () => !done };
    this.children.add(tracked);
    void exited.then(() => this.children.delete(tracked));
    return tracked;
  }

  /** Ends one: SIGINT (ffmpeg finishes its output), SIGKILL after `graceMs`. */
  async stop(tracked: Tracked, graceMs = 3000): Promise<void> {
    if (!tracked.running()) return;
    process.kill(tracked.pid, 'SIGINT');
    const timer = setTimeout(() => {
      if (tracked.running()) process.kill(tracked.pid, 'SIGKILL');
    }, graceMs);
    await tracked.exited;
    clearTimeout(timer);
  }

  /** Ends every process still running, by pid. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((t) => this.stop(t, 1000)));
  }
}

interface Stat {
  ppid: number;
  /** utime + stime, seconds. */
  own: number;
  /** cutime + cstime: children that ended and were waited for, seconds. */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      reaped: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds of a set of processes, each by pid (ones that ended count as 0). */
export function cpuOfPids(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, readStat(pid)?.own ?? 0]));
}

/** A reading of a process and its descendants: its own CPU, what it reaped, each descendant's. */
export interface TreeReading {
  own: number;
  reaped: number;
  descendants: Map<number, number>;
}

export function readTree(root: number): TreeReading | undefined {
  const rootStat = readStat(root);
  if (!rootStat) return undefined;
  const byParent = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    stats.set(Number(name), stat);
    byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), Number(name)]);
  }
  const descendants = new Map<number, number>();
  const queue = [...(byParent.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    descendants.set(pid, stats.get(pid)?.own ?? 0);
    queue.push(...(byParent.get(pid) ?? []));
  }
  return { own: rootStat.own, reaped: rootStat.reaped, descendants };
}

/**
 * CPU seconds a process tree used between two readings: the root's own, its descendants' (those
 * alive at the end, counted from the first reading or from zero when they started in between),
 * and those that ended in between (the root's reaped time).
 */
export function treeDelta(
  before: TreeReading,
  after: TreeReading,
): { own: number; descendants: number; total: number } {
  let descendants = after.reaped - before.reaped;
  for (const [pid, seconds] of after.descendants) descendants += seconds - (before.descendants.get(pid) ?? 0);
  // One that ended was reaped with its whole life: what it had used before is not this window's.
  for (const [pid, seconds] of before.descendants) if (!after.descendants.has(pid)) descendants -= seconds;
  const own = after.own - before.own;
  return { own, descendants, total: own + descendants };
}

/** Whether something listens on 127.0.0.1:`port` (from /proc/net/tcp, without connecting to it). */
export function listensOnLoopback(port: number): boolean {
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => {
        const [, local, , state] = line.trim().split(/\s+/);
        return local === wanted && state === '0A';
      });
  } catch {
    return false;
  }
}
