import type { CompiledQuery, Kysely, QueryResult } from 'kysely';

/**
 * The data plane's queries are SQL text with `?` placeholders, run as compiled queries: the
 * listing and point reads are the hot paths, and building them with Kysely's builder costs more
 * than running them (the SQLite store caches the prepared statements by text). Each engine runs
 * the text its own way (engines/sqlite.ts, engines/postgres.ts).
 */
export interface Sql {
  rows<R>(text: string, params: readonly unknown[]): Promise<R[]>;
}

/** The statements of one write transaction. */
export interface WriteSql extends Sql {
  /** A statement that may change rows. */
  write(text: string, params: readonly unknown[]): Promise<void>;
  /**
   * An insert of one row keyed by a generated `seq`: the number it was given (the rowid on
   * SQLite; on PostgreSQL the statement returns it, `RETURNING seq`).
   */
  insertSeq(text: string, params: readonly unknown[]): Promise<number>;
}

export async function queryRow<R>(
  sql: Sql,
  text: string,
  params: readonly unknown[],
): Promise<R | undefined> {
  return (await sql.rows<R>(text, params))[0];
}

/** Any Kysely instance or connection, by the one method used here. */
export type Executor = Pick<Kysely<unknown>, 'executeQuery'>;

/** How an engine runs SQL text: placeholders and parameter values, and how an insert tells its `seq`. */
export interface SqlDialect {
  compile(text: string, params: readonly unknown[]): CompiledQuery;
  /** The `seq` an insert was given: SQLite's rowid, or the value the statement returned (PostgreSQL). */
  insertedSeq(result: QueryResult<unknown>): number | undefined;
}

/** Statements on one executor, in an engine's dialect. */
export class CompiledSql implements WriteSql {
  /** Whether a statement through `write` or `insertSeq` changed rows. */
  changed = false;

  constructor(
    private readonly executor: Executor,
    private readonly dialect: SqlDialect,
  ) {}

  async rows<R>(text: string, params: readonly unknown[]): Promise<R[]> {
    const result = await this.executor.executeQuery(this.dialect.compile(text, params));
    return result.rows as R[];
  }

  async write(text: string, params: readonly unknown[]): Promise<void> {
    const result = await this.executor.executeQuery(this.dialect.compile(text, params));
    if (Number(result.numAffectedRows ?? 0) > 0) this.changed = true;
  }

  async insertSeq(text: string, params: readonly unknown[]): Promise<number> {
    const result = await this.executor.executeQuery(this.dialect.compile(text, params));
    const seq = this.dialect.insertedSeq(result);
    if (seq === undefined) throw new Error('an insert reported no sequence number');
    this.changed = true;
    return seq;
  }
}
