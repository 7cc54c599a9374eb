/** Where a CLI run writes, so commands run the same in a terminal and inside a test. */
export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Settles when `tessera start` should stop; by default on SIGINT or SIGTERM. */
  shutdown?: Promise<unknown>;
}

// az (through knack) prints JSON with sorted keys; sorting here keeps output byte-comparable.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(sortKeys(value), null, 2)}\n`);
}

export function printWarning(io: CliIo, message: string): void {
  io.stderr.write(`WARNING: ${message}\n`);
}
