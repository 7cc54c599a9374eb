/**
 * Writes a running task's progress one unit at a time: a value that arrives while a write is in
 * flight replaces any waiting one, so a slow store never builds a queue of stale values. `stop`
 * drops what waits and resolves once the write in flight has committed, so the task's final
 * write always comes after the last progress write (which, besides, only moves a Processing
 * task forward: it can never undo Finished or Progress 100).
 */
export class ProgressWriter {
  private inFlight: Promise<void> | undefined;
  private waiting: number | undefined;
  private stopped = false;

  constructor(private readonly write: (percent: number) => Promise<unknown>) {}

  push(percent: number): void {
    if (this.stopped) return;
    this.waiting = percent;
    this.inFlight ??= this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting = undefined;
    await this.inFlight;
  }

  private async drain(): Promise<void> {
    while (this.waiting !== undefined) {
      const percent = this.waiting;
      this.waiting = undefined;
      await this.write(percent).catch(() => undefined);
    }
    this.inFlight = undefined;
  }
}
