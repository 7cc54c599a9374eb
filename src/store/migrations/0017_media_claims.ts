import type { Kysely } from 'kysely';

/**
 * Media Services on several processes sharing one database (nodes on PostgreSQL, or the CLI and
 * servers on one SQLite data folder).
 *
 * `media_versions`: one version per account, moved by every commit of the account's entities.
 * A process's in-memory view of an account records the version it was built at, and a unit of
 * work commits only over the version it read (src/media/persistence/mediaEntities.ts), so no
 * process overwrites a commit it has not seen. No foreign key: an account deleted and created
 * again under its name must go on from its old version, never repeat one a stale view holds.
 *
 * `media_task_claims`: the lease of an encoding task on the node running it, taken in the same
 * transaction as the task's move to Scheduled and renewed while ffmpeg runs; a lease that
 * expires (its node died) lets another node queue the task again. Times are the database's
 * clock in epoch milliseconds, so that nodes with skewed clocks agree on what has expired.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('media_versions')
    .addColumn('account', 'varchar(24)', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('media_task_claims')
    .addColumn('account', 'varchar(24)', (c) =>
      c.notNull().references('media_services.name').onDelete('cascade'),
    )
    .addColumn('task_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('node', 'varchar(200)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_task_claims_key', ['account', 'task_id'])
    .execute();
  await db.schema.createIndex('media_task_claims_node').on('media_task_claims').column('node').execute();
}
