import { availableParallelism } from 'node:os';

// Imported first by every server entry point, before anything queues work on libuv's thread
// pool (which reads this variable once, on first use). Token signing runs there; with libuv's
// default of 4 threads on a 2-core machine the signing threads outnumber the cores and preempt
// the event loop: measured 220 µs of main-thread stall per token at 4 threads, 50 µs at 2.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
