import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { storeEngine } from '../../store/engine.js';
import type { Database } from '../../store/schema.js';

/** Migration 0017's tables, declared beside the only code that reads them. */
// A type, not an interface: withTables wants an index signature, which interfaces lack.
export type MediaTables = {
  media_versions: { account: string; version: number };
  media_task_claims: {
    account: string;
    task_id: string;
    node: string;
    expires_at: number;
    claimed_at: number;
  };
};

/** A store, or one of its transactions. */
export type Queryable = Kysely<Database>;

/** `db` (a store or a transaction) with the media tables in its type. */
export const withMediaTables = (db: Queryable): Kysely<Database & MediaTables> =>
  db.withTables<MediaTables>();

/**
 * The database's clock in epoch milliseconds. Leases are compared against it rather than each
 * node's own clock, so that nodes whose clocks disagree still agree on which lease has expired.
 */
export function databaseNowMs(db: Queryable): RawBuilder<number> {
  return storeEngine(db) === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::int8`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}
