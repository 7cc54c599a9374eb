import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** Set by the parent (bench/lib/child.ts) to a folder: the child then profiles the windows it is asked to. */
export const PROFILE_WINDOWS_ENV = 'TESSERA_BENCH_CPU_PROFILE';
/** Also set (to 1): each window samples allocations too, into `<dir>/<name>.heapprofile`. */
export const HEAP_PROFILE_ENV = 'TESSERA_BENCH_HEAP_PROFILE';

/** Garbage collections in a window: V8's young-generation scavenges and full mark-compacts. */
export interface GcSummary {
  scavenges: number;
  scavengeMs: number;
  markCompacts: number;
  markCompactMs: number;
  /** Incremental marking steps and weak-callback processing. */
  otherMs: number;
}

/** What the child prints on stdout once a window's profile is written (after its handshake line). */
export interface ProfiledLine {
  profiled: string;
  gc?: GcSummary;
  error?: string;
}

const emptyGc = (): GcSummary => ({
  scavenges: 0,
  scavengeMs: 0,
  markCompacts: 0,
  markCompactMs: 0,
  otherMs: 0,
});

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The child side of windowed CPU profiles. `--cpu-prof` writes its profile only when the process
 * exits normally, covers start-up as well, and lost the guard bench's load entirely; here an
 * inspector session profiles exactly the window the parent names: `profile-start <name>` and
 * `profile-stop` lines on stdin, each stop answered by one `{"profiled": path}` line on stdout
 * once `<dir>/<name>.cpuprofile` is written (and with TESSERA_BENCH_HEAP_PROFILE=1 the window's
 * sampled allocations, `<name>.heapprofile`). Does nothing unless the environment asks for it, so
 * no bench pays for an idle inspector session.
 */
export function serveProfileWindows(): void {
  const dir = process.env[PROFILE_WINDOWS_ENV];
  if (!dir) return;
  const heap = process.env[HEAP_PROFILE_ENV] === '1';
  const session = new Session();
  session.connect();
  let current: string | undefined;
  let gc = emptyGc();
  new PerformanceObserver((list) => {
    if (current === undefined) return;
    for (const entry of list.getEntries()) {
      // Node puts the GC kind in `detail` (its typings do not declare it).
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.scavenges += 1;
        gc.scavengeMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.markCompacts += 1;
        gc.markCompactMs += entry.duration;
      } else gc.otherMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const answer = (line: ProfiledLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const handle = async (line: string) => {
    const [command, name] = line.trim().split(/\s+/);
    if (command === 'profile-start' && name && NAME.test(name) && current === undefined) {
      current = name;
      gc = emptyGc();
      await session.post('Profiler.enable');
      // 100 µs: a request here costs tens of µs, the default 1 ms would see few of them.
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      // Every 4 KiB allocated on average, collected or not: where allocation happens, not what stays.
      if (heap) {
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      }
    } else if (command === 'profile-stop' && current !== undefined) {
      const file = join(dir, `${current}.cpuprofile`);
      current = undefined;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      if (heap) {
        const { profile: allocations } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(allocations));
      }
      answer({ profiled: file, gc });
    } else {
      answer({ profiled: '', error: `unexpected profile command: ${line}` });
    }
  };
  // One command at a time, in order, whatever the parent sends.
  let queue: Promise<unknown> = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue
      .then(() => handle(line))
      .catch((error: unknown) => answer({ profiled: '', error: String(error) }));
  });
}
