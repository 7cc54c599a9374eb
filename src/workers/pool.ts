import { Worker } from 'node:worker_threads';

/**
 * Worker threads for CPU-bound work the event loop must not wait on (argon2id), one job per
 * worker at a time: the pool's size bounds how many run at once, and jobs beyond it wait in order
 * of arrival. Workers start on first use (a CLI command that never needs one starts none) and are
 * unref'd while idle, so they never keep the process alive; while a job is outstanding its worker
 * is ref'd, or a CLI awaiting a hash would exit under it. A worker that throws or exits fails its
 * job, and the next job starts another.
 */

/** The job threw in the worker: its own failure, which says nothing of the worker's health. */
export class WorkerJobError extends Error {
  override readonly name = 'WorkerJobError';
}

/** The worker died (threw outside a job, or exited) with the job unanswered. */
export class WorkerLostError extends Error {
  override readonly name = 'WorkerLostError';
}

/** A worker's answer: the job's value, or the message of what it threw. */
export type WorkerAnswer<Value> = { ok: true; value: Value } | { ok: false; error: string };

interface Job<Request, Value> {
  request: Request;
  resolve: (value: Value) => void;
  reject: (error: Error) => void;
}

interface Slot<Request, Value> {
  worker: Worker;
  job: Job<Request, Value> | undefined;
}

/**
 * The worker body beside the module at `moduleUrl` named `name`: tsx runs the sources, the
 * compiled build runs dist/. Under tsx the worker must register tsx itself: `--import tsx`
 * registers its hooks only on the main thread on Node 20. tsx is resolved from here so that it
 * loads whatever the current directory. Nothing of the parent's own execArgv (--test,
 * --cpu-prof) is passed on.
 */
export function workerScript(moduleUrl: string, name: string): { url: URL; execArgv: string[] } {
  const fromSources = moduleUrl.endsWith('.ts');
  const url = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, moduleUrl);
  if (!fromSources) return { url, execArgv: [] };
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import { register } from ${tsx}; register();`;
  return { url, execArgv: ['--import', `data:text/javascript,${encodeURIComponent(bootstrap)}`] };
}

export class WorkerPool<Request, Value> {
  readonly size: number;
  readonly #script: { url: URL; execArgv: string[] };
  readonly #workerData: unknown;
  readonly #slots: Array<Slot<Request, Value>> = [];
  readonly #queue: Array<Job<Request, Value>> = [];

  constructor(
    script: { url: URL; execArgv: string[] },
    size: number,
    options: { workerData?: unknown } = {},
  ) {
    this.size = Math.max(1, size);
    this.#script = script;
    this.#workerData = options.workerData;
  }

  run(request: Request): Promise<Value> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot: Slot<Request, Value> | undefined;
      try {
        slot = this.#slots.find((s) => s.job === undefined) ?? this.#spawn();
      } catch (cause) {
        // No worker can start (its script is missing, say): every waiting job fails now
        // rather than waiting for a worker that will never come.
        const error = new WorkerLostError('A worker thread could not start.', { cause });
        for (const job of this.#queue.splice(0)) job.reject(error);
        return;
      }
      if (!slot) return;
      const job = this.#queue.shift();
      if (!job) return;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  #spawn(): Slot<Request, Value> | undefined {
    if (this.#slots.length >= this.size) return undefined;
    const worker = new Worker(this.#script.url, {
      execArgv: this.#script.execArgv,
      workerData: this.#workerData,
    });
    worker.unref();
    const slot: Slot<Request, Value> = { worker, job: undefined };
    this.#slots.push(slot);

    worker.on('message', (answer: WorkerAnswer<Value>) => {
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      if (answer.ok) job?.resolve(answer.value);
      else job?.reject(new WorkerJobError(answer.error));
      this.#dispatch();
    });
    const lost = (cause: Error) => {
      const error = new WorkerLostError(`A worker thread stopped: ${cause.message}`, { cause });
      const index = this.#slots.indexOf(slot);
      if (index < 0) return;
      this.#slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      job?.reject(error);
      this.#dispatch();
    };
    worker.on('error', (error: Error) => lost(error));
    worker.on('messageerror', (error: Error) => {
      lost(error);
      void worker.terminate();
    });
    worker.on('exit', (code: number) => lost(new Error(`A worker thread exited with code ${code}.`)));
    return slot;
  }
}

/** The body of a worker: answers each message with `work`'s value, or with what it threw. */
export function serveJobs<Request, Value>(
  port: {
    on(event: 'message', listener: (request: Request) => void): void;
    postMessage(answer: unknown): void;
  },
  work: (request: Request) => Value,
): void {
  port.on('message', (request: Request) => {
    let answer: WorkerAnswer<Value>;
    try {
      answer = { ok: true, value: work(request) };
    } catch (error) {
      answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(answer);
  });
}
