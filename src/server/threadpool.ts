import { availableParallelism } from 'node:os';

// Imported first by every server entry point, before anything queues work on libuv's thread
// pool (which reads this variable once, on first use). Token signing runs there, and nothing else
// heavy does (argon2id has worker threads of its own, directory/passwordWorkers.ts), so the pool
// is the signing pool and gets one thread fewer than the cores: the event loop keeps a core.
// Signing threads as many as the cores time-slice the event loop: on 2 cores a refresh-token grant
// cost 1.04 ms of CPU with 2 threads against 0.80 ms with 1, while client-credentials throughput
// was no lower with 1 (3,411 tokens/s against ~3,250). libuv's default of 4 was worse still:
// 220 µs of main-thread stall per token at 4 threads, 50 µs at 2.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(1, availableParallelism() - 1));
