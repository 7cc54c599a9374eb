import type SqliteDatabase from 'better-sqlite3';

/** Prepared statements on the store's connection, for work run by {@link sqlRead} / {@link sqlWrite}. */
export interface DirectSql {
  get<Row>(sql: string, ...parameters: unknown[]): Row | undefined;
  /** Returns the number of rows changed. */
  run(sql: string, ...parameters: unknown[]): number;
}

/** A Kysely instance, by the one method used here: holding its connection. */
interface Connection {
  connection(): { execute<T>(callback: () => Promise<T>): Promise<T> };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Queued {
  work: (sql: DirectSql) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The token endpoint's few hot statements skip Kysely: building and compiling a query, and a
 * transaction's awaits between statements, cost more than the SQLite work (about 90 µs per
 * refresh grant by `npm run bench -- signins --profile`). Work runs synchronously on the
 * store's one connection while holding it as Kysely's driver does, so no Kysely transaction is
 * ever open in between (and so they must not be awaited inside one: they would wait for the
 * connection that transaction holds).
 *
 * Writes are group-committed: every write queued in one turn of the event loop runs in one
 * `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint, so one that throws is undone alone
 * and the others still commit. Each caller's promise settles after the commit, so nothing is
 * acknowledged before it is durable; a commit that fails rejects the whole group.
 */
class DirectStore {
  private queue: Queued[] = [];
  private readonly api: DirectSql;

  constructor(
    private readonly db: Connection,
    private readonly sqlite: SqliteDatabase.Database,
    prepare: (sql: string) => SqliteDatabase.Statement,
  ) {
    this.api = {
      get: <Row>(text: string, ...parameters: unknown[]) => prepare(text).get(parameters) as Row | undefined,
      run: (text: string, ...parameters: unknown[]) => Number(prepare(text).run(parameters).changes),
    };
  }

  read<T>(work: (sql: DirectSql) => T): Promise<T> {
    return this.db.connection().execute(() => Promise.resolve(work(this.api)));
  }

  write<T>(work: (sql: DirectSql) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.commitQueued());
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async commitQueued(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    const outcomes: Outcome[] = [];
    try {
      await this.db.connection().execute(async () => {
        this.sqlite
          .transaction(() => {
            for (const { work } of group) {
              try {
                outcomes.push({ ok: true, value: this.sqlite.transaction(() => work(this.api))() });
              } catch (error) {
                outcomes.push({ ok: false, error });
              }
            }
          })
          .immediate();
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

const stores = new WeakMap<object, DirectStore>();

export function attachDirect(
  db: Connection,
  sqlite: SqliteDatabase.Database,
  prepare: (sql: string) => SqliteDatabase.Statement,
): void {
  stores.set(db, new DirectStore(db, sqlite, prepare));
}

function directOf(db: object): DirectStore {
  const store = stores.get(db);
  if (!store) throw new Error('direct SQL needs a store opened by openStore');
  return store;
}

/** Runs `work` on the store's connection, outside any transaction. */
export const sqlRead = async <T>(db: object, work: (sql: DirectSql) => T): Promise<T> =>
  directOf(db).read(work);

/** Runs `work` atomically; it commits with the other writes of this turn of the event loop. */
export const sqlWrite = async <T>(db: object, work: (sql: DirectSql) => T): Promise<T> =>
  directOf(db).write(work);
