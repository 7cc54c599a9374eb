import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { storeEngine } from '../engine.js';

/**
 * App Configuration's change counter. On PostgreSQL the data plane's caches (key-values, the
 * Sync-Token's sequence, stores) compare it: every data-plane write bumps it in its own
 * transaction, and so — through a trigger, whoever writes — does every change to a configuration
 * store (created, updated, deleted with its data). On SQLite the data plane compares the
 * database's own change counts instead, which see every write already; the row is there too so
 * both engines hold the same rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db
    .insertInto('change_counters' as never)
    .values({ name: 'appconfig', version: 1 } as never)
    .execute();
  if (storeEngine(db) !== 'postgres') return;
  await sql
    .raw(
      `CREATE FUNCTION appconfig_stores_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE change_counters SET version = version + 1 WHERE name = 'appconfig';
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER configuration_stores_appconfig AFTER INSERT OR UPDATE OR DELETE ON configuration_stores
       FOR EACH STATEMENT EXECUTE FUNCTION appconfig_stores_changed()`,
    )
    .execute(db);
}
