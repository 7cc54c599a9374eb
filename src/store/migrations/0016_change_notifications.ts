import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Every bump of a change counter notifies `tessera_changes` with the counter's name, at commit,
 * so that other nodes empty that area's in-memory views at once instead of at their next poll
 * (store/changeFeed.ts). Whoever bumps the counter — recordChange, the media slice, a trigger
 * (migration 0011) — notifies without knowing it. Identical notifications of one transaction are
 * folded into one. SQLite has no notifications: its readers poll the counters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql
    .raw(
      `CREATE FUNCTION change_counters_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('tessera_changes', NEW.name);
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER change_counters_notify AFTER UPDATE ON change_counters
       FOR EACH ROW EXECUTE FUNCTION change_counters_notify()`,
    )
    .execute(db);
}
