import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { SqliteDatabase as KyselySqlite } from 'kysely';
import type { Database } from '../schema.js';
import { SqliteDirect } from './sqliteDirect.js';

export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'tessera.db');
}

/** The embedded engine: one connection to `tessera.db` in the data folder, which must exist. */
export function openSqlite(dataDir: string): { db: Kysely<Database>; direct: SqliteDirect } {
  const sqlite = new SqliteDatabase(sqliteFile(dataDir));
  // WAL lets the CLI write while a running server reads; busy_timeout makes the two wait for
  // each other instead of failing with SQLITE_BUSY.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  return { db, direct: new SqliteDirect(db, sqlite, (sql) => statements.prepare(sql)) };
}

interface StatementCache extends KyselySqlite {
  prepare(sql: string): SqliteDatabase.Statement;
}

/**
 * Kysely's SQLite driver prepares every query anew, and compiling the SQL costs more than
 * running an indexed lookup. Statements are reusable (SQLite re-prepares them itself after a
 * schema change) and Kysely's SQL is parameterised, so the set of texts is small; the bound
 * only guards against shapes such as `in (?, ?, …)` of every length. No caller streams
 * results, the one case where sharing a statement would be unsafe.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 256): StatementCache {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteDatabase.Statement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (statements.size >= max) {
          const oldest = statements.keys().next();
          if (!oldest.done) statements.delete(oldest.value);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
