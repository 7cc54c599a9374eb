import { mkdirSync } from 'node:fs';
import { Migrator } from 'kysely';
import type { Kysely } from 'kysely';
import { attachDirect } from './direct.js';
import { storeEngine } from './engine.js';
import { isPostgresUrl, openPostgres, redactedUrl, withMigrationLock } from './engines/postgres.js';
import { PostgresColumnTypes } from './engines/postgresSchema.js';
import { openSqlite } from './engines/sqlite.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export { sqliteFile } from './engines/sqlite.js';
export { storeEngine } from './engine.js';
export type { StoreEngine } from './engine.js';

export type Store = Kysely<Database>;

export interface StoreOptions {
  /** The data folder: the SQLite database unless `databaseUrl` names another, and always the rest. */
  dataDir: string;
  /** `postgres://…` or `postgresql://…`: the store lives in that PostgreSQL database. */
  databaseUrl?: string;
  /** Connections to PostgreSQL this process keeps at most (10 unless given). */
  poolSize?: number;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { databaseUrl } = options;
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    throw new Error(
      `unsupported database URL ${redactedUrl(databaseUrl)}: Tessera stores its data in the data folder ` +
        '(SQLite, when no URL is given) or in PostgreSQL (postgres://user@host:port/database)',
    );
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { db, direct } =
    databaseUrl === undefined ? openSqlite(options.dataDir) : openPostgres(databaseUrl, options.poolSize);
  attachDirect(db, direct);
  try {
    if (databaseUrl === undefined) await migrate(db);
    else await withMigrationLock(databaseUrl, () => migrate(db));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

async function migrate(db: Store): Promise<void> {
  const migrator = new Migrator({
    db: storeEngine(db) === 'postgres' ? db.withPlugin(new PostgresColumnTypes()) : db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    // Features are developed side by side and each adds its own migration; one that lands with a
    // lower number than a migration a store already ran must still run (never edited, never undone).
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error : undefined;
    const reason = cause ? `: ${cause.message}` : '';
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed${reason}`, { cause });
  }
}
