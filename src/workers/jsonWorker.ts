/**
 * The body of a JSON worker (see jsonWorkers.ts): the depth check, the validating parse and the
 * cut run here, so the event loop only ever parses pieces of a body already known to be valid.
 */
import { parentPort } from 'node:worker_threads';
import { planJsonBody } from '../net/jsonPieces.js';
import { serveJobs } from './pool.js';
import type { JsonPlanRequest } from './jsonWorkers.js';

if (!parentPort) throw new Error('jsonWorker.ts runs in a worker thread, started by jsonWorkers.ts.');

serveJobs(parentPort, (request: JsonPlanRequest) =>
  planJsonBody(request.bytes, request.pieceSize, request.maxDepth),
);
