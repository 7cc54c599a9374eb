/**
 * Task progress from ffmpeg's `-progress pipe:1` report: blocks of key=value lines about twice a
 * second, whose `out_time_us` (`out_time_ms` in ffmpeg 4, also microseconds despite its name) is
 * how far the output has got. Reported as a share of the planned duration, rising only, rounded
 * to a tenth, at most every `intervalMs`; 100 is kept for `finish()`, once every file is in place.
 */
export class ProgressReporter {
  private buffered = '';
  private last = -1;
  private lastAt = 0;

  constructor(
    private readonly durationMs: number,
    private readonly onProgress: (percent: number) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes from ffmpeg's stdout, split anywhere. */
  feed(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      this.line(line);
    }
    if (this.buffered.length > 4096) this.buffered = '';
  }

  /** Reports `percent` if it is higher than the last report and the interval has passed (or `force`). */
  report(percent: number, force = false): void {
    const value = Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
    if (value <= this.last) return;
    const at = this.now();
    if (!force && this.last >= 0 && at - this.lastAt < this.intervalMs) return;
    this.last = value;
    this.lastAt = at;
    try {
      this.onProgress(value);
    } catch {
      // A failing listener must not fail the encode.
    }
  }

  finish(): void {
    this.report(100, true);
  }

  private line(line: string): void {
    const equals = line.indexOf('=');
    if (equals < 0) return;
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    let microseconds: number | undefined;
    if (key === 'out_time_us' || key === 'out_time_ms') microseconds = Number(value);
    else if (key === 'out_time') {
      const match = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value);
      if (match) microseconds = (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1e6;
    }
    if (microseconds === undefined || !Number.isFinite(microseconds) || this.durationMs <= 0) return;
    // The last tenth of a percent waits for the manifests.
    this.report(Math.min(99.9, (microseconds / 1000 / this.durationMs) * 100));
  }
}
