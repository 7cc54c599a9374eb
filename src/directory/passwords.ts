import { availableParallelism } from 'node:os';
import type { Algorithm } from '@node-rs/argon2';
import { TesseraError } from '../errors.js';
import { WorkerJobError } from '../workers/pool.js';
import { PasswordWorkers } from './passwordWorkers.js';

/**
 * OWASP's argon2id parameters (m = 19 MiB, t = 2, p = 1). Hash and verify run in worker threads
 * (passwordWorkers.ts), so a sign-in never blocks the event loop for the ~15 ms they take.
 */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id: a const enum, which verbatimModuleSyntax cannot inline.
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * At most one argon2 computation per core at a time (a worker each); the rest wait their turn. More
 * in flight than cores only makes them fight over memory (each touches 19 MiB): measured on the
 * 2-core machines, 2 at a time verify ~170/s, 4 or more ~110/s. It also bounds the memory a
 * password spray can make the server use.
 */
const workers = new PasswordWorkers(availableParallelism(), ARGON2_OPTIONS);

export const hashPassword = (password: string): Promise<string> => workers.hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await workers.verify(passwordHash, password);
  } catch (error) {
    // A stored hash that does not parse is a wrong password, never a match. A worker that died
    // is the server's failure, not the person's: it must not count towards their lockout.
    if (error instanceof WorkerJobError) return false;
    throw error;
  }
}

// Verified against when the user does not exist, so an unknown name costs the same time as a
// wrong password and answers cannot be told apart by their latency.
let decoy: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<void> {
  // A failed hash is not kept: the next unknown-user attempt tries again.
  decoy ??= hashPassword('decoy password that no user has').catch((error: unknown) => {
    decoy = undefined;
    throw error;
  });
  await verifyPassword(await decoy, password);
}

const MIN_LENGTH = 8;
const MAX_LENGTH = 256;

/**
 * Entra's default policy for cloud users: 8 to 256 characters, at least three of lowercase,
 * uppercase, digits and symbols.
 */
export function checkPasswordComplexity(password: string): void {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length < MIN_LENGTH || password.length > MAX_LENGTH || classes < 3) {
    throw new TesseraError(
      'PasswordComplexity',
      `The specified password does not comply with password complexity requirements. Please provide a different password. A password needs ${MIN_LENGTH} to ${MAX_LENGTH} characters and at least three of: lowercase letters, uppercase letters, digits, symbols.`,
    );
  }
}
