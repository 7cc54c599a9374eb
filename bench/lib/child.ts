import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import threadpool from '../../src/server/threadpool.cjs';
import type { ServerHandshake } from '../server.js';
import { PROFILE_WINDOWS_ENV } from './profileWindows.js';
import type { GcSummary, ProfiledLine } from './profileWindows.js';

export interface ServerProcess<H = ServerHandshake> {
  handshake: H;
  /** After stop(), when profiling: the main thread's CPU profile. */
  cpuProfile(): string | undefined;
  /**
   * With `profileWindowsDir`: starts profiling the child's main thread now (an inspector session
   * in the child, see profileWindows.ts); `stop()` resolves to the written `.cpuprofile`.
   */
  profileWindow(name: string): { stop(): Promise<{ file: string; gc?: GcSummary }> };
  /** Stops the server and waits for it to exit (and so for its CPU profile to be written). */
  stop(): Promise<void>;
}

function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  threadpool.sizeThreadPool(env);
  return env;
}

/**
 * Starts `bench/server.ts` in a child Node process, optionally under the V8 CPU profiler.
 * `checkout` runs another working copy's bench/server.ts (and so its src/) instead of this one's.
 */
export async function startServerProcess<H extends { pid: number } = ServerHandshake>(options: {
  cpuProfileDir?: string;
  checkout?: string;
  /** Another child script of bench/ (default: server.ts), printing its own handshake type. */
  script?: string;
  /** Lets `profileWindow` profile chosen windows into this folder (children built on startBenchTessera). */
  profileWindowsDir?: string;
}): Promise<ServerProcess<H>> {
  const script = options.script ?? 'server.ts';
  const entry = options.checkout
    ? join(resolve(options.checkout), 'bench', script)
    : fileURLToPath(new URL(`../${script}`, import.meta.url));
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const env = serverEnv();
  if (options.profileWindowsDir) env[PROFILE_WINDOWS_ENV] = options.profileWindowsDir;
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', entry], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: dirname(dirname(entry)),
    // Sized in the environment, as `tessera start` sizes it: a module under tsx would run too late.
    env,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(`[server] ${chunk}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // Lines after the handshake answer profile windows, in the order they were stopped.
  const profiled: Array<(line: ProfiledLine) => void> = [];
  let afterHandshake = '';
  const onLaterOutput = (chunk: string) => {
    afterHandshake += chunk;
    for (let newline = afterHandshake.indexOf('\n'); newline >= 0; newline = afterHandshake.indexOf('\n')) {
      const line = afterHandshake.slice(0, newline);
      afterHandshake = afterHandshake.slice(newline + 1);
      if (line.trim() === '') continue;
      const waiter = profiled.shift();
      if (waiter) waiter(JSON.parse(line) as ProfiledLine);
      else process.stderr.write(`[server stdout] ${line}\n`);
    }
  };

  const handshake = await new Promise<H>((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error('the bench server did not start within 60 s')), 60_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0 || settled) return;
      try {
        const handshake = JSON.parse(stdout.slice(0, newline)) as H;
        settled = true;
        clearTimeout(timer);
        child.stdout.removeAllListeners('data').on('data', onLaterOutput);
        onLaterOutput(stdout.slice(newline + 1));
        resolve(handshake);
      } catch (error) {
        fail(
          new Error(`the bench server printed something other than its handshake: ${stdout}`, {
            cause: error,
          }),
        );
      }
    });
    void exited.then((code) => fail(new Error(`the bench server exited with code ${code}:\n${stderr}`)));
  });

  return {
    handshake,
    cpuProfile: () =>
      options.cpuProfileDir ? mainThreadProfile(options.cpuProfileDir, handshake.pid) : undefined,
    profileWindow(name: string) {
      if (!options.profileWindowsDir) throw new Error('profileWindow needs profileWindowsDir');
      child.stdin.write(`profile-start ${name}\n`);
      return {
        stop: () =>
          new Promise<{ file: string; gc?: GcSummary }>((resolve, reject) => {
            profiled.push((line) =>
              line.error
                ? reject(new Error(`the bench server: ${line.error}`))
                : resolve({ file: line.profiled, ...(line.gc && { gc: line.gc }) }),
            );
            child.stdin.write('profile-stop\n');
          }),
      };
    },
    async stop() {
      await stopChild(child, exited);
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * `--cpu-prof` writes one profile per thread, named CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile;
 * tsx's module-loader hooks run in a thread of their own, so pick the main thread's (thread 0).
 */
function mainThreadProfile(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((f) => new RegExp(`\\.${pid}\\.0\\.\\d+\\.cpuprofile$`).test(f));
  return name && join(dir, name);
}
