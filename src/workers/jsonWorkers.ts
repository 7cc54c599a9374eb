import type { JsonPlan } from '../net/jsonPieces.js';
import { WorkerPool, workerScript } from './pool.js';

/** What a JSON worker is asked: check and cut one body (see net/jsonPieces.ts). */
export interface JsonPlanRequest {
  bytes: Uint8Array;
  pieceSize: number;
  maxDepth: number;
}

/**
 * The worker threads that check and cut large JSON bodies, apart from the password workers: a
 * 4 MiB body must not wait behind argon2 hashes, nor sign-ins behind bodies. One thread: large
 * bodies are rare, and on two cores a second one would take its time from the event loop.
 */
export class JsonWorkers {
  readonly #pool: WorkerPool<JsonPlanRequest, JsonPlan>;

  constructor(size = 1) {
    this.#pool = new WorkerPool(workerScript(import.meta.url, 'jsonWorker'), size);
  }

  /** The body is copied to the worker (the caller keeps its bytes, which the pieces are cut from). */
  plan(bytes: Uint8Array, pieceSize: number, maxDepth: number): Promise<JsonPlan> {
    return this.#pool.run({ bytes, pieceSize, maxDepth });
  }
}

let shared: JsonWorkers | undefined;

/** The process's JSON workers, started on the first large body. */
export function jsonWorkers(): JsonWorkers {
  shared ??= new JsonWorkers();
  return shared;
}
