import type { Kysely } from 'kysely';

/**
 * Ports of services that need an origin of their own, beside stores and accounts: Microsoft Graph,
 * since az 2.45 calls Graph at the same URL it asks tokens for (`microsoftGraphResourceId`), and the
 * server's own origin already names the management API.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_ports')
    .addColumn('service', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('port', 'integer', (c) => c.notNull().unique())
    .execute();
}
