import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { SqliteDatabase as KyselySqlite } from 'kysely';
import { attachDirect } from './direct.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Store = Kysely<Database>;

export interface StoreOptions {
  dataDir: string;
}

export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'tessera.db');
}

export async function openStore(options: StoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new SqliteDatabase(sqliteFile(options.dataDir));
  // WAL lets the CLI write while a running server reads; busy_timeout makes the two wait for
  // each other instead of failing with SQLITE_BUSY.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  attachDirect(db, sqlite, (sql) => statements.prepare(sql));
  await migrate(db);
  return db;
}

interface StatementCache extends KyselySqlite {
  prepare(sql: string): SqliteDatabase.Statement;
}

async function migrate(db: Store): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    // Features are developed side by side and each adds its own migration; one that lands with a
    // lower number than a migration a store already ran must still run (never edited, never undone).
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error : undefined;
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause });
  }
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
