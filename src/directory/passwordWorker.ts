/**
 * The body of a password worker (see passwordWorkers.ts). The synchronous argon2 calls run on this
 * thread itself, which exists for nothing else, so blocking it is the point.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';
import type { Options } from '@node-rs/argon2';
import { serveJobs } from '../workers/pool.js';
import type { PasswordRequest } from './passwordWorkers.js';

if (!parentPort) throw new Error('passwordWorker.ts runs in a worker thread, started by passwordWorkers.ts.');
const options = workerData as Options;

// Verify reads its parameters from the stored PHC string, as the hash it checks was made.
serveJobs(parentPort, (request: PasswordRequest) =>
  request.kind === 'hash' ? hashSync(request.password, options) : verifySync(request.hash, request.password),
);
