import { CommanderError } from 'commander';
import type { CliIo } from './io.js';

/** The command line itself is wrong (a missing or conflicting argument): exit code 2, as az. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE_EXIT_CODE = 2;

/**
 * Prints a failure as az does (`ERROR: <message>` on stderr) and returns the exit code: 1 for a
 * refused operation (a TesseraError from the domain code) or any other failure.
 */
export function reportFailure(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message through the program's outputError hook.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return USAGE_EXIT_CODE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`ERROR: ${message}\n`);
  return error instanceof UsageError ? USAGE_EXIT_CODE : 1;
}
