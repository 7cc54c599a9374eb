import { AppConfigError } from '../errors.js';
import type { AppConfigEngine } from './engineContract.js';
import type { WriteSql } from './sql.js';

/**
 * A write job. It must check before it writes: the only errors it may throw after its first
 * write are unexpected ones (the database's), which undo the whole batch.
 */
export type WriteJob<T> = (trx: WriteSql) => Promise<T>;

interface Queued {
  /** The store the job writes to (the engine serialises writers per store). */
  store: string;
  work: WriteJob<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes that arrive within one turn of the event loop share a transaction, in
 * arrival order, and are answered once it has committed. The fixed cost of a commit (SQLite's WAL
 * frames of the pages each write touches, PostgreSQL's round trips, locks and WAL flush) is then
 * paid once per batch instead of once per write, which is what sustains concurrent writers. A job
 * refused by its own checks (a precondition, a lock) has written nothing and leaves the others
 * alone; an unexpected failure rolls the batch back and its jobs run again one transaction each,
 * so every job gets its own outcome and no job's writes are kept half-done.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(private readonly engine: Pick<AppConfigEngine, 'write'>) {}

  run<T>(store: string, work: WriteJob<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ store, work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Requests read in this turn of the event loop get to join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      await this.write(batch);
    } finally {
      this.scheduled = false;
      if (this.queue.length > 0) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async write(batch: Queued[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      const stores = batch.map((job) => job.store);
      outcomes = await this.engine.write(stores, async (trx) => {
        const done: Outcome[] = [];
        for (const job of batch) done.push(await settle(job.work, trx));
        return done;
      });
    } catch {
      // An unexpected failure somewhere in the batch: nothing of it was kept. Each job now runs
      // alone, so only the one at fault fails.
      outcomes = [];
      for (const job of batch) {
        try {
          outcomes.push({ ok: true, value: await this.engine.write([job.store], job.work) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }
    for (const [index, job] of batch.entries()) {
      const outcome = outcomes[index];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    }
  }
}

/** A job's own refusal is its outcome; anything else aborts the batch. */
async function settle(work: WriteJob<unknown>, trx: WriteSql): Promise<Outcome> {
  try {
    return { ok: true, value: await work(trx) };
  } catch (error) {
    if (error instanceof AppConfigError) return { ok: false, error };
    throw error;
  }
}
