import { CompiledQuery } from 'kysely';
import type { Store } from '../../../store/database.js';
import type { TagFilter } from '../../filters/filterSyntax.js';
import { statementByStatement } from '../keyValueChanges.js';
import { KeyValueRows, plainText } from '../rows.js';
import type { AppConfigEngine } from '../engineContract.js';
import type { Sql, WriteSql } from '../sql.js';
import type { SqlDialect } from '../sql.js';
import { CompiledSql, queryRow } from '../sql.js';

const begin = CompiledQuery.raw('BEGIN IMMEDIATE');
const commit = CompiledQuery.raw('COMMIT');
const rollback = CompiledQuery.raw('ROLLBACK');

// total_changes(): rows this connection changed since it opened (every local write moves it).
// data_version: moves when another connection (the CLI, another process) commits.
const STAMP = 'SELECT total_changes() AS local, (SELECT data_version FROM pragma_data_version()) AS foreign_';

// SQL text as written; an insert's `seq` is its rowid, which costs nothing to learn (RETURNING
// would cost about a tenth of a write: a result row for every revision).
const dialect: SqlDialect = {
  compile: (text, params) => CompiledQuery.raw(text, [...params]),
  insertedSeq: (result) => (result.insertId === undefined ? undefined : Number(result.insertId)),
};

/**
 * The data plane on SQLite: one connection, one writer at a time (the database's own write lock,
 * across processes too), and a stamp made of SQLite's own change counts, which see every write
 * to the database, whoever made it, at no cost to writers.
 */
export class SqliteEngine implements AppConfigEngine {
  readonly reads: Sql;
  readonly rows = new KeyValueRows(plainText);
  readonly changes = statementByStatement;

  constructor(private readonly db: Store) {
    this.reads = new CompiledSql(db, dialect);
  }

  /**
   * A write transaction that takes SQLite's write lock at once. A deferred transaction that reads
   * before writing (every conditional write does) fails with SQLITE_BUSY when another process (the
   * CLI) committed in between; IMMEDIATE makes the two wait for each other under busy_timeout.
   * That lock serialises every writer, so the stores named need no lock of their own.
   */
  write<T>(_stores: readonly string[], work: (trx: WriteSql) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (connection) => {
      await connection.executeQuery(begin);
      let result: T;
      try {
        result = await work(new CompiledSql(connection, dialect));
      } catch (error) {
        try {
          await connection.executeQuery(rollback);
        } catch {
          // SQLite may have rolled back already (a full disk); the first error is the one to report.
        }
        throw error;
      }
      await connection.executeQuery(commit);
      return result;
    });
  }

  async readStamp(): Promise<string> {
    const row = await queryRow<{ local: number; foreign_: number }>(this.reads, STAMP, []);
    return `${row?.local ?? 0}:${row?.foreign_ ?? 0}`;
  }

  notices(): number {
    return 0;
  }

  /** An EXISTS over the row's tags (json_each decodes names and values; `type` tells null from text). */
  tagCondition(column: string, tag: TagFilter): { clause: string; params: unknown[] } {
    if (tag.value === null) {
      return {
        clause: `EXISTS (SELECT 1 FROM json_each(${column}) AS t WHERE t.key = ? AND t.type = 'null')`,
        params: [tag.name],
      };
    }
    return {
      clause: `EXISTS (SELECT 1 FROM json_each(${column}) AS t WHERE t.key = ? AND t.type = 'text' AND t.value = ?)`,
      params: [tag.name, tag.value],
    };
  }

  /** SQLite reads a negative limit as none. */
  limit(limit: number): number {
    return limit;
  }
}
