import type { Kysely } from 'kysely';

/**
 * Live streaming on several nodes sharing one database: one node at a time runs the live
 * pipeline (RTMP listeners, packaging, recordings), the one holding this lease
 * (media/live/control/liveLease.ts). One row per lease name (`pipeline`): the node holding it,
 * the term (moved on by every takeover, so a renewal from an earlier term is refused), and when
 * it expires unless renewed. Times are the database's clock in epoch milliseconds, as in 0017's
 * task claims, so that nodes whose clocks disagree still agree on who holds the lease.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('live_lease')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('node', 'varchar(200)', (c) => c.notNull())
    .addColumn('term', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .execute();
}
