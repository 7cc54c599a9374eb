import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import threadpool from '../../src/server/threadpool.cjs';
import type { ServerHandshake } from '../server.js';

export interface ServerProcess<H = ServerHandshake> {
  handshake: H;
  /** After stop(), when profiling: the main thread's CPU profile. */
  cpuProfile(): string | undefined;
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
}): Promise<ServerProcess<H>> {
  const script = options.script ?? 'server.ts';
  const entry = options.checkout
    ? join(resolve(options.checkout), 'bench', script)
    : fileURLToPath(new URL(`../${script}`, import.meta.url));
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', entry], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: dirname(dirname(entry)),
    // Sized in the environment, as `tessera start` sizes it: a module under tsx would run too late.
    env: serverEnv(),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(`[server] ${chunk}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

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
