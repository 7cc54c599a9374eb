import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

type Child = ChildProcessByStdio<null, Readable, Readable>;

export interface ChildExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Reads a child's output as it comes, for clients that show something to a person mid-flow (a
 * device code) and only finish after the person acted. The child is killed if it outlives
 * `timeoutMs`, so a stuck client fails the test instead of hanging the run.
 */
export class OutputWatcher {
  private readonly text = { stdout: '', stderr: '' };
  private readonly listeners = new Set<() => void>();
  readonly exit: Promise<ChildExit>;
  /** Ends the child (a test that failed half-way must not leave a client polling). */
  readonly stop: () => void;

  constructor(child: Child, timeoutMs: number) {
    this.stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.append('stdout', chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.append('stderr', chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    this.exit = new Promise((resolve, reject) => {
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stderr = signal ? `${this.text.stderr}\n(killed by ${signal})` : this.text.stderr;
        resolve({ code, stdout: this.text.stdout, stderr });
      });
    });
  }

  /** The first match of `pattern` in one stream; fails if the child ends without printing it. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.text[stream].match(pattern);
        if (!match) return false;
        this.listeners.delete(check);
        resolve(match);
        return true;
      };
      if (check()) return;
      this.listeners.add(check);
      void this.exit.then(
        ({ code, stdout, stderr }) => {
          if (!check()) {
            reject(new Error(`exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  private append(stream: 'stdout' | 'stderr', chunk: string): void {
    this.text[stream] += chunk;
    for (const listener of [...this.listeners]) listener();
  }
}
