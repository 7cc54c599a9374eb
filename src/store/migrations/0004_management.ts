import type { Kysely } from 'kysely';

// Resources that live in resource groups: deleting the group deletes them (and their keys) in
// the same statement, so a group can never be removed while its resources linger.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('configuration_stores')
    .addColumn('name', 'varchar(50)', (c) => c.notNull())
    // Store names are DNS labels, so they are unique across all subscriptions, whatever the case.
    .addColumn('name_lower', 'varchar(50)', (c) => c.primaryKey())
    .addColumn('subscription_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('resource_group', 'varchar(90)', (c) => c.notNull())
    .addColumn('resource_group_lower', 'varchar(90)', (c) => c.notNull())
    .addColumn('location', 'varchar(64)', (c) => c.notNull())
    .addColumn('sku', 'varchar(16)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('disable_local_auth', 'integer', (c) => c.notNull())
    .addColumn('public_network_access', 'varchar(16)')
    .addColumn('soft_delete_retention_days', 'integer', (c) => c.notNull())
    .addColumn('enable_purge_protection', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint(
      'configuration_stores_group',
      ['subscription_id', 'resource_group_lower'],
      'resource_groups',
      ['subscription_id', 'name_lower'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('configuration_stores_group_index')
    .on('configuration_stores')
    .columns(['subscription_id', 'resource_group_lower'])
    .execute();

  // Access keys are HMAC secrets: the data plane needs their value, so they are stored as issued.
  await db.schema
    .createTable('configuration_store_keys')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('store_name_lower', 'varchar(50)', (c) =>
      c.notNull().references('configuration_stores.name_lower').onDelete('cascade'),
    )
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(32)', (c) => c.notNull())
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('read_only', 'integer', (c) => c.notNull())
    .addColumn('last_modified', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('configuration_store_keys_slot', ['store_name_lower', 'slot'])
    .execute();

  await db.schema
    .createTable('media_services')
    // Account names are lower-case only and unique across Azure.
    .addColumn('name', 'varchar(24)', (c) => c.primaryKey())
    .addColumn('subscription_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('resource_group', 'varchar(90)', (c) => c.notNull())
    .addColumn('resource_group_lower', 'varchar(90)', (c) => c.notNull())
    .addColumn('location', 'varchar(64)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('media_service_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('storage_accounts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint(
      'media_services_group',
      ['subscription_id', 'resource_group_lower'],
      'resource_groups',
      ['subscription_id', 'name_lower'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('media_services_group_index')
    .on('media_services')
    .columns(['subscription_id', 'resource_group_lower'])
    .execute();
}
