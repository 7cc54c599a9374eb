import { readFileSync } from 'node:fs';

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
