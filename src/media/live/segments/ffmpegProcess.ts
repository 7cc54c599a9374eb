import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * One long-running ffmpeg of the live pipeline (a publisher's segmenter, a slate): spawned
 * without a shell, its stderr's tail kept for the log, and always ended — gently first (end of
 * input, or SIGINT so that it writes its last segment and playlist), then SIGKILL.
 */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines ffmpeg printed. */
  detail: string;
}

const STDERR_TAIL = 4096;

export class FfmpegProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = '';
  private done = false;

  constructor(binary: string, args: readonly string[], cwd: string) {
    this.child = spawn(binary, args, { cwd, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
    });
    // Writes after ffmpeg is gone fail with EPIPE: the exit is what reports the failure.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.done) return;
        this.done = true;
        resolve({ code, signal, detail: this.stderr.trim().split('\n').slice(-6).join('\n') });
      };
      this.child.once('error', (error) => {
        this.stderr += `\n${error.message}`;
        finish(null, null);
      });
      this.child.once('close', finish);
    });
  }

  get running(): boolean {
    return !this.done;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes input; false when ffmpeg is behind (wait for `onDrain`). */
  write(data: Buffer): boolean {
    if (this.done || this.child.stdin.destroyed) return true;
    return this.child.stdin.write(data);
  }

  onDrain(listener: () => void): void {
    this.child.stdin.once('drain', listener);
  }

  /** Ends the input (a publisher's stream) and waits; killed after `graceMs`. */
  async endInput(graceMs: number): Promise<ProcessExit> {
    this.child.stdin.end();
    return this.waitOrKill(graceMs);
  }

  /** Asks ffmpeg to stop (SIGINT: it finishes its outputs) and waits; killed after `graceMs`. */
  async interrupt(graceMs: number): Promise<ProcessExit> {
    if (!this.done) this.child.kill('SIGINT');
    return this.waitOrKill(graceMs);
  }

  private async waitOrKill(graceMs: number): Promise<ProcessExit> {
    const timer = setTimeout(() => {
      if (!this.done) this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
