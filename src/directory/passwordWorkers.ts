import type { Options } from '@node-rs/argon2';
import { WorkerPool, workerScript } from '../workers/pool.js';

/**
 * argon2id in worker threads of its own. On @node-rs/argon2's async calls it would share libuv's
 * thread pool with everything else: a 15 ms, 19 MiB hash there holds up the work queued behind
 * it, and a pool big enough for argon2 on every core puts more threads than cores beside the
 * event loop. One computation per worker; the pool's size is the number in flight.
 */

/** What a worker is asked to do. */
export type PasswordRequest =
  { kind: 'hash'; password: string } | { kind: 'verify'; hash: string; password: string };

export class PasswordWorkers {
  readonly #pool: WorkerPool<PasswordRequest, string | boolean>;

  constructor(size: number, options: Options) {
    this.#pool = new WorkerPool(workerScript(import.meta.url, 'passwordWorker'), size, {
      workerData: options,
    });
  }

  async hash(password: string): Promise<string> {
    const value = await this.#pool.run({ kind: 'hash', password });
    if (typeof value !== 'string') throw new Error('The password worker did not answer with a hash.');
    return value;
  }

  /** Rejects when the hash does not parse (or the worker died): callers decide what that means. */
  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.#pool.run({ kind: 'verify', hash, password })) === true;
  }
}
