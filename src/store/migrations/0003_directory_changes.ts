import type { Kysely } from 'kysely';

/** The directory's change counter: token issuance reads the directory through a cache. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db
    .insertInto('change_counters' as never)
    .values({ name: 'directory', version: 1 } as never)
    .execute();
}
