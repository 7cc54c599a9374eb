import { CompiledQuery } from 'kysely';
import { changeNotices } from '../../../store/changes.js';
import type { Store } from '../../../store/database.js';
import { numberedPlaceholders } from '../../../store/engines/postgresDirect.js';
import type { TagFilter } from '../../filters/filterSyntax.js';
import { KeyValueRows } from '../rows.js';
import { inOneStatement } from './postgresChanges.js';
import type { AppConfigEngine } from '../engineContract.js';
import type { Executor, Sql, WriteSql } from '../sql.js';
import type { SqlDialect } from '../sql.js';
import { CompiledSql, queryRow } from '../sql.js';
import { comparableText, postgresText } from './postgresText.js';

/** The data plane's row in change_counters (migration 0015). */
const COUNTER = 'appconfig';

const STAMP = `SELECT version FROM change_counters WHERE name = '${COUNTER}'`;
const rollback = CompiledQuery.raw('ROLLBACK');
// Statements without parameters go in one round trip (the simple query protocol takes several).
const commit = CompiledQuery.raw('COMMIT');
const bumpAndCommit = CompiledQuery.raw(
  `UPDATE change_counters SET version = version + 1 WHERE name = '${COUNTER}'; COMMIT`,
);

/**
 * BEGIN, then a lock per store, each held until the transaction ends and named by the 64-bit hash
 * of its key. Store names are DNS labels (letters, digits, hyphens), quoted all the same.
 */
function beginLocked(stores: readonly string[]): CompiledQuery {
  const locks = [...new Set(stores)]
    .sort() // one order on every node, so two batches naming the same stores cannot deadlock
    .map(
      (store) =>
        `SELECT pg_advisory_xact_lock(hashtextextended('appconfig:${store.replaceAll("'", "''")}', 0))`,
    );
  return CompiledQuery.raw(['BEGIN', ...locks].join('; '));
}

const parameter = (value: unknown): unknown => (typeof value === 'string' ? comparableText(value) : value);

/**
 * The data plane on PostgreSQL, where several nodes write one database through pools of
 * connections. What SQLite's single writer gave for free is made explicit:
 *  - each write transaction holds an advisory lock per store it touches, taken before its first
 *    read: checks (If-Match, locks) see every write committed before, and since a sequence value
 *    is handed out inside the lock, a store's revisions commit in the order of their numbers, so
 *    a Sync-Token read anywhere never counts a revision still in flight nor skips one;
 *  - a write that changed something bumps the `appconfig` change counter in the same transaction,
 *    which is the stamp other nodes' caches compare (and, through migration 0016's trigger, a
 *    notification that reaches them at once). A trigger bumps it when a configuration store
 *    changes (migration 0015), since the data plane caches stores too.
 */
export class PostgresEngine implements AppConfigEngine {
  readonly reads: Sql;
  readonly rows = new KeyValueRows(postgresText);
  readonly changes = inOneStatement;
  private readonly texts = new Map<string, string>();
  private readonly dialect: SqlDialect = {
    compile: (text, params) => CompiledQuery.raw(this.numbered(text), params.map(parameter)),
    // Sequence values are not rowids: the statement returns the one it took.
    insertedSeq: (result) => {
      const row = result.rows[0] as { seq?: unknown } | undefined;
      return row?.seq === undefined ? undefined : Number(row.seq);
    },
  };

  constructor(private readonly db: Store) {
    this.reads = new CompiledSql(db, this.dialect);
  }

  write<T>(stores: readonly string[], work: (trx: WriteSql) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (connection) => {
      try {
        await connection.executeQuery(beginLocked(stores));
        const trx = new CompiledSql(connection as Executor, this.dialect);
        const result = await work(trx);
        // Last, so the counter's row lock (one for every store) is held only while committing.
        await connection.executeQuery(trx.changed ? bumpAndCommit : commit);
        return result;
      } catch (error) {
        // A connection that failed has nothing left to roll back; the first error is the one to report.
        await connection.executeQuery(rollback).catch(() => {});
        throw error;
      }
    });
  }

  async readStamp(): Promise<string> {
    const row = await queryRow<{ version: number }>(this.reads, STAMP, []);
    return `v${row?.version ?? 0}`;
  }

  notices(): number {
    return changeNotices(this.db, COUNTER);
  }

  /**
   * The tag as jsonb, compared as jsonb: a string equals only a string (as SQLite's `type = 'text'`),
   * null only null, and a missing name nothing. Names and values are compared in stored form.
   */
  tagCondition(column: string, tag: TagFilter): { clause: string; params: unknown[] } {
    const name = postgresText.store(tag.name);
    if (tag.value === null)
      return { clause: `((${column})::jsonb -> ?::text) = 'null'::jsonb`, params: [name] };
    return {
      clause: `((${column})::jsonb -> ?::text) = to_jsonb(?::text)`,
      params: [name, postgresText.store(tag.value)],
    };
  }

  /** PostgreSQL refuses a negative limit; LIMIT NULL is none. */
  limit(limit: number): number | null {
    return limit < 0 ? null : limit;
  }

  /** `?` as `$1`, `$2`, …, remembered per text (the shapes are few). */
  private numbered(text: string): string {
    let numbered = this.texts.get(text);
    if (numbered === undefined) {
      numbered = numberedPlaceholders(text);
      if (this.texts.size >= 512) this.texts.clear();
      this.texts.set(text, numbered);
    }
    return numbered;
  }
}
