import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { storeEngine } from '../engine.js';

/**
 * The Media Services v2 data plane. Every entity set has the same shape of row: the entity as
 * JSON, keyed by account, set and Id; the EDM model (src/media/odata/model.ts) is the schema, so
 * a new property needs no migration. Many-to-many navigations (an asset's content keys, a job's
 * input assets) are rows of `media_links`. All of it goes when the account goes. `seq` is the
 * listing order (insertion), never reused.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const account = 'media_services.name';
  // PostgreSQL: an identity column (its sequence never reuses a number, like AUTOINCREMENT).
  const postgres = storeEngine(db) === 'postgres';
  const seq = postgres ? 'bigint' : 'integer';
  await db.schema
    .createTable('media_entities')
    .addColumn('seq', seq, (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('account', 'varchar(24)', (c) => c.notNull().references(account).onDelete('cascade'))
    .addColumn('entity_set', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(128)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addUniqueConstraint('media_entities_key', ['account', 'entity_set', 'id'])
    .execute();
  await db.schema
    .createTable('media_links')
    .addColumn('seq', seq, (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('account', 'varchar(24)', (c) => c.notNull().references(account).onDelete('cascade'))
    .addColumn('source_set', 'varchar(64)', (c) => c.notNull())
    .addColumn('source_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('navigation', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_set', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(128)', (c) => c.notNull())
    .addUniqueConstraint('media_links_key', ['account', 'source_set', 'source_id', 'navigation', 'target_id'])
    .execute();
  await db.schema
    .createIndex('media_links_target')
    .on('media_links')
    .columns(['account', 'target_set', 'target_id'])
    .execute();
  // Every process keeps a view of the accounts it serves; this counter tells it another wrote.
  await db
    .insertInto('change_counters' as never)
    .values({ name: 'media', version: 1 } as never)
    .execute();
  // A signing key per account for SAS locators (Azure's storage account key).
  await db.schema
    .alterTable('media_services')
    .addColumn('storage_key', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .execute();
  if (!postgres) {
    await sql`UPDATE media_services SET storage_key = lower(hex(randomblob(32))) WHERE storage_key = ''`.execute(
      db,
    );
    return;
  }
  // PostgreSQL has no random bytes without pgcrypto: the keys are made here.
  const { rows } = await sql<{
    name: string;
  }>`SELECT name FROM media_services WHERE storage_key = ''`.execute(db);
  for (const { name } of rows) {
    await sql`UPDATE media_services SET storage_key = ${randomBytes(32).toString('hex')} WHERE name = ${name}`.execute(
      db,
    );
  }
}
