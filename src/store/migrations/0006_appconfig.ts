import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { storeEngine } from '../engine.js';

// App Configuration's data plane: the current key-values, every revision, and snapshots. All of it
// belongs to a configuration store and goes when the store goes (cascading from its row).
export async function up(db: Kysely<unknown>): Promise<void> {
  const store = 'configuration_stores.name_lower';
  // PostgreSQL has no WITHOUT ROWID (its tables are heaps; the primary key's index serves the same
  // range scans) and no AUTOINCREMENT (an identity column's sequence never reuses a number either).
  const postgres = storeEngine(db) === 'postgres';

  // The current state. The primary key's order (store, key, label) is the listing order, so a
  // key prefix is one index range; WITHOUT ROWID keeps the rows in that order themselves. The null
  // label is stored as '' (Azure makes no difference between the two).
  const keyValues = db.schema
    .createTable('appconfig_key_values')
    .addColumn('store_name', 'varchar(50)', (c) => c.notNull().references(store).onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('content_type', 'text')
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('etag', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_modified', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('appconfig_key_values_pk', ['store_name', 'key', 'label']);
  await (postgres ? keyValues : keyValues.modifyEnd(sql`without rowid`)).execute();
  await db.schema
    .createIndex('appconfig_key_values_label')
    .on('appconfig_key_values')
    .columns(['store_name', 'label'])
    .execute();

  // Every change, a deletion included (a tombstone), so time travel can rebuild any past state.
  // AUTOINCREMENT: sequence numbers are never reused, since the Sync-Token is built from them.
  await db.schema
    .createTable('appconfig_revisions')
    .addColumn('seq', postgres ? 'bigint' : 'integer', (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('store_name', 'varchar(50)', (c) => c.notNull().references(store).onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('content_type', 'text')
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('etag', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_modified', 'bigint', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('appconfig_revisions_key')
    .on('appconfig_revisions')
    .columns(['store_name', 'key', 'label', 'seq'])
    .execute();
  await db.schema
    .createIndex('appconfig_revisions_store')
    .on('appconfig_revisions')
    .columns(['store_name', 'seq'])
    .execute();

  await db.schema
    .createTable('appconfig_snapshots')
    .addColumn('store_name', 'varchar(50)', (c) => c.notNull().references(store).onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('composition_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('expires', 'bigint')
    .addColumn('retention_period', 'integer', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('items_count', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('etag', 'varchar(32)', (c) => c.notNull())
    .addColumn('operation_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('appconfig_snapshots_pk', ['store_name', 'name'])
    .execute();

  // A snapshot's key-values as they were when it was taken, in listing order (position).
  const snapshotItems = db.schema
    .createTable('appconfig_snapshot_items')
    .addColumn('store_name', 'varchar(50)', (c) => c.notNull())
    .addColumn('snapshot_name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('content_type', 'text')
    .addColumn('description', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('etag', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_modified', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('appconfig_snapshot_items_pk', ['store_name', 'snapshot_name', 'position'])
    .addForeignKeyConstraint(
      'appconfig_snapshot_items_snapshot',
      ['store_name', 'snapshot_name'],
      'appconfig_snapshots',
      ['store_name', 'name'],
      (fk) => fk.onDelete('cascade'),
    );
  await (postgres ? snapshotItems : snapshotItems.modifyEnd(sql`without rowid`)).execute();
}
