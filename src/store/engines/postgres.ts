import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ChangeFeed, attachChangeFeed } from '../changeFeed.js';
import type { Database } from '../schema.js';
import { PostgresDirect } from './postgresDirect.js';
import { storeTypes } from './postgresTypes.js';

export const DEFAULT_POOL_SIZE = 10;

/** Whether `url` names a PostgreSQL database (the only server engine there is). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

export function openPostgres(
  url: string,
  poolSize = DEFAULT_POOL_SIZE,
): { db: Kysely<Database>; direct: PostgresDirect } {
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new Error(`the PostgreSQL pool size must be a whole number of at least 1, not ${poolSize}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: storeTypes(),
    application_name: 'tessera',
  });
  // An idle connection the server closed (a restart, a failover) is dropped from the pool and
  // reported here; the next query opens another. Without a listener the error would end the process.
  pool.on('error', () => {});
  // One more connection, outside the pool, listens for other nodes' changes (opened on first use).
  const feed = new ChangeFeed(url);
  // Kysely's destroy ends the pool: the feed's connection must end with it.
  const closing = {
    connect: () => pool.connect(),
    end: async () => {
      await feed.close();
      await pool.end();
    },
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: closing }) });
  attachChangeFeed(db, feed);
  return { db, direct: new PostgresDirect(pool) };
}

/** Tessera's own advisory lock key (Kysely's migrator takes another, inside its transaction). */
const MIGRATION_LOCK = '7439620186419355073';

/**
 * Runs `work` (the migrations) while holding a session advisory lock on a connection of its own,
 * so that nodes starting at once migrate one after the other: the first applies what is missing,
 * the others then find nothing left to do. Kysely's migrator creates its bookkeeping tables
 * before taking its own lock, which two nodes could race on. A node that dies holding the lock
 * loses its session, and the lock with it.
 */
export function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  return withSessionLock(url, MIGRATION_LOCK, 'tessera migrations', work);
}

/**
 * Runs `work` while holding the session advisory lock `key` on a connection of its own (not one
 * of the pool, whose sessions outlive the work). The lock is released with the session, so a
 * process that dies holding it frees it.
 */
export async function withSessionLock<T>(
  url: string,
  key: string,
  applicationName: string,
  work: () => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to PostgreSQL at ${redactedUrl(url)}: ${reason}`, { cause: error });
  }
  client.on('error', () => {});
  try {
    await client.query('select pg_advisory_lock($1)', [key]);
    return await work();
  } finally {
    // Ending the session releases the lock.
    await client.end().catch(() => {});
  }
}
