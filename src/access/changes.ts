import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';

// Per opened store: changes made by this process, so its engine sees them at once instead of
// after its freshness window.
const localGenerations = new WeakMap<Store, number>();

/**
 * Runs a change to what the access engine indexes (role assignments and definitions, deny
 * assignments, group memberships) in a transaction that also bumps the store's access version,
 * which is how other processes and nodes learn that their index is stale.
 */
export async function changeAccess<T>(
  db: Store,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const result = await db.transaction().execute(async (trx) => {
    const value = await work(trx);
    await trx
      .updateTable('change_counters')
      .set({ version: sql`version + 1` })
      .where('name', '=', 'access')
      .execute();
    return value;
  });
  localGenerations.set(db, (localGenerations.get(db) ?? 0) + 1);
  return result;
}

export const localAccessGeneration = (db: Store): number => localGenerations.get(db) ?? 0;

export async function readAccessVersion(db: Store): Promise<number> {
  const row = await db
    .selectFrom('change_counters')
    .select('version')
    .where('name', '=', 'access')
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}
