/** What every `bench/<name>.ts` exports: `run()` measures and reports, the runner prints and saves. */
export interface BenchOptions {
  /** Run the server under `node --cpu-prof` and summarise where it spent its time. */
  profile: boolean;
  /**
   * Other working copies (their root folders) whose servers to measure in the same run, for A/B
   * comparisons of a change to src/: `npm run bench -- tokens --compare=/tmp/tessera-patched`.
   */
  compare: string[];
  /** Repeat the measurements and report medians (the order of compared servers rotates). */
  rounds: number;
  /** Folder for profiles and other artefacts of this run (git-ignored). */
  resultsDir: string;
  /** Progress lines go here (stderr), so stdout keeps the tables and the JSON summary. */
  log(message: string): void;
}

export interface BenchResult {
  name: string;
  /** False fails `npm run bench` (a missed target, an unexpected status code). */
  pass: boolean;
  /** Rows of the printed table: label, value. */
  table: Array<[string, string]>;
  /** Machine-readable figures: the JSON summary line and `bench/results/latest.json`. */
  summary: Record<string, unknown>;
  /** Free text printed after the table (a profile digest, warnings). */
  notes?: string[];
}

export interface BenchModule {
  /** One line for `npm run bench -- --list`. */
  description: string;
  run(options: BenchOptions): Promise<BenchResult>;
}
