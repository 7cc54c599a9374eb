import type { Kysely } from 'kysely';

/**
 * What the clients issue needs in the schema:
 *  - a port per App Configuration store and per Media Services account, so each is an origin of
 *    its own (`https://localhost:<port>`) on a machine with no DNS set-up: clients such as the App
 *    Configuration provider keep only an endpoint's origin;
 *  - directory roles (Entra's Global Administrator and friends), which Microsoft Graph and the
 *    portal authorize directory writes with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('configuration_stores').addColumn('port', 'integer').execute();
  await db.schema.alterTable('media_services').addColumn('port', 'integer').execute();
  await db.schema
    .createTable('directory_role_members')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('role_template_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_role_members_pk', ['tenant_id', 'role_template_id', 'principal_id'])
    .execute();
  await db.schema
    .createIndex('directory_role_members_principal')
    .on('directory_role_members')
    .columns(['tenant_id', 'principal_id'])
    .execute();
}
