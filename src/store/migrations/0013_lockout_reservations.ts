import type { Kysely } from 'kysely';

/**
 * Password checks in flight, counted against smart lockout before argon2 runs, so that parallel
 * guesses cannot all be evaluated against a count read before any of them was recorded. Kept in
 * the store, not in memory, so every process sharing the database sees the same reservations;
 * each expires, so those of a process that died do not hold an account forever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_reservations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.object_id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sign_in_reservations_user')
    .on('sign_in_reservations')
    .columns(['user_id', 'expires_at'])
    .execute();
}
