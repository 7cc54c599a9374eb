// CommonJS on purpose. libuv sizes its thread pool from UV_THREADPOOL_SIZE once, on first use, and
// Node's ESM loader reads module files through that pool: an ES module that sets the variable runs
// too late, and the pool keeps its default of 4. A CommonJS entry point (src/cli/tessera.cts) is
// loaded synchronously, so it sets the variable before anything has queued work.
import os = require('node:os');

/**
 * Token signing is the only heavy work on the pool (argon2id has worker threads of its own,
 * directory/passwordWorkers.ts), so it gets one thread fewer than the cores and the event loop
 * keeps a core. More signing threads time-slice the event loop: on 2 cores, libuv's default of 4
 * cost refresh-token grants 0.59 of the raw signing rate against 0.66 with 1 (`npm run bench --
 * signins`), the signing threads waking on the event loop's core. An operator's own value wins.
 */
function sizeThreadPool(env: NodeJS.ProcessEnv = process.env): number {
  env.UV_THREADPOOL_SIZE ??= String(Math.max(1, os.availableParallelism() - 1));
  return Number(env.UV_THREADPOOL_SIZE);
}

export = { sizeThreadPool };
