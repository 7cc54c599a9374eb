import type SqliteDatabase from 'better-sqlite3';
import type { DirectEngine, DirectSql, DirectTransaction } from '../direct.js';

/** A Kysely instance, by the one method used here: holding its connection. */
interface Connection {
  connection(): { execute<T>(callback: () => Promise<T>): Promise<T> };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  work: (sql: DirectTransaction) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Direct statements on the store's one better-sqlite3 connection, run while holding it as Kysely's
 * driver does, so no Kysely transaction is ever open in between (and so they must not be awaited
 * inside one: they would wait for the connection that transaction holds). The statements are
 * synchronous underneath; only their results are promises, so that the same work runs on
 * PostgreSQL.
 *
 * Writes are group-committed: every write queued in one turn of the event loop runs in one
 * `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint, so one that throws is undone alone
 * and the others still commit. Each caller's promise settles after the commit, so nothing is
 * acknowledged before it is durable; a commit that fails rejects the whole group. BEGIN
 * IMMEDIATE takes the database's write lock, which serialises every writer, across processes
 * as well: `lock` has nothing left to do.
 */
export class SqliteDirect implements DirectEngine {
  private queue: Queued[] = [];
  private readonly api: DirectTransaction;
  private readonly control: Record<
    'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo',
    () => void
  >;

  constructor(
    private readonly db: Connection,
    private readonly sqlite: SqliteDatabase.Database,
    prepare: (sql: string) => SqliteDatabase.Statement,
  ) {
    this.api = {
      get: <Row>(text: string, ...parameters: unknown[]) =>
        Promise.resolve(prepare(text).get(parameters) as Row | undefined),
      run: (text: string, ...parameters: unknown[]) =>
        Promise.resolve(Number(prepare(text).run(parameters).changes)),
      lock: () => Promise.resolve(),
    };
    const statement = (text: string) => {
      const prepared = sqlite.prepare(text);
      return () => void prepared.run();
    };
    this.control = {
      begin: statement('BEGIN IMMEDIATE'),
      commit: statement('COMMIT'),
      rollback: statement('ROLLBACK'),
      savepoint: statement('SAVEPOINT direct_write'),
      release: statement('RELEASE direct_write'),
      undo: statement('ROLLBACK TO direct_write'),
    };
  }

  read<T>(work: (sql: DirectSql) => Promise<T>): Promise<T> {
    return this.db.connection().execute(() => work(this.api));
  }

  write<T>(work: (sql: DirectTransaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.commitQueued());
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async commitQueued(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    const outcomes: Outcome[] = [];
    const { control } = this;
    try {
      await this.db.connection().execute(async () => {
        control.begin();
        try {
          for (const { work } of group) {
            control.savepoint();
            try {
              outcomes.push({ ok: true, value: await work(this.api) });
              control.release();
            } catch (error) {
              control.undo();
              control.release();
              outcomes.push({ ok: false, error });
            }
          }
          control.commit();
        } catch (error) {
          // SQLite may have rolled back already (a full disk); the first error is the one to report.
          if (this.sqlite.inTransaction) control.rollback();
          throw error;
        }
      });
    } catch (error) {
      for (const queued of group) queued.reject(error);
      return;
    }
    group.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) queued.resolve(outcome.value);
      else queued.reject(outcome?.error);
    });
  }
}
