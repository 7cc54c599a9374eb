/**
 * The token endpoint's few hot statements skip Kysely: building and compiling a query, and a
 * transaction's awaits between statements, cost more than the SQLite work (about 90 µs per
 * refresh grant by `npm run bench -- signins --profile`). Work is hand-written SQL with `?`
 * placeholders, which each engine runs its own way (engines/sqliteDirect.ts,
 * engines/postgresDirect.ts).
 *
 * Work may await only the statements of the `sql` it is given. On SQLite it runs while holding
 * the store's one connection, so awaiting anything else that needs the store (a Kysely query, a
 * secret read through the store) would wait for that connection for ever.
 */
export interface DirectSql {
  get<Row>(sql: string, ...parameters: unknown[]): Promise<Row | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, ...parameters: unknown[]): Promise<number>;
}

/** The statements of one atomic write. */
export interface DirectTransaction extends DirectSql {
  /**
   * Serialises this write against every other write that locks the same key, until it commits,
   * across processes too: a read-check-write (a count, then an insert) needs it. SQLite takes its
   * one write lock for every write anyway; PostgreSQL takes an advisory transaction lock.
   */
  lock(key: string): Promise<void>;
}

/** What an engine provides: reads outside any transaction, and atomic writes. */
export interface DirectEngine {
  read<T>(work: (sql: DirectSql) => Promise<T>): Promise<T>;
  write<T>(work: (sql: DirectTransaction) => Promise<T>): Promise<T>;
}

const engines = new WeakMap<object, DirectEngine>();

/** Called by openStore: `db`'s direct statements run on `engine`. */
export function attachDirect(db: object, engine: DirectEngine): void {
  engines.set(db, engine);
}

function directOf(db: object): DirectEngine {
  const engine = engines.get(db);
  if (!engine) throw new Error('direct SQL needs a store opened by openStore');
  return engine;
}

/** Runs `work` outside any transaction. */
export const sqlRead = async <T>(db: object, work: (sql: DirectSql) => Promise<T>): Promise<T> =>
  directOf(db).read(work);

/**
 * Runs `work` atomically, and settles only once it is durable. On SQLite it commits with the
 * other writes of this turn of the event loop (group commit); on PostgreSQL in a transaction of
 * its own on a pooled connection.
 */
export const sqlWrite = async <T>(db: object, work: (sql: DirectTransaction) => Promise<T>): Promise<T> =>
  directOf(db).write(work);
