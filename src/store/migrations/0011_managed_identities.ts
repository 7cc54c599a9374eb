import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { storeEngine } from '../engine.js';

/**
 * Managed identities and workload identity federation:
 *  - user-assigned identities, ARM resources of a resource group (gone with it, by cascade);
 *  - identity hosts, the stand-ins for a VM or an App Service that hold identities: an optional
 *    system-assigned identity, attached user-assigned ones, the App Service secret (SHA-256) and
 *    the loopback port of the host's IMDS;
 *  - federated identity credentials of applications (issuer, subject, audiences).
 * An identity is a service principal with no application behind it, as in Entra. When the row
 * that owns it goes (whatever deleted it: the identity API, the host, a resource group's
 * cascade), a trigger takes the principal, its app role assignments, group and directory role
 * memberships along and moves the directory counter, so caches everywhere notice. PostgreSQL
 * runs the same statements in a trigger function per table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_assigned_identities')
    .addColumn('subscription_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('resource_group', 'varchar(90)', (c) => c.notNull())
    .addColumn('resource_group_lower', 'varchar(90)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(128)', (c) => c.notNull())
    .addColumn('location', 'varchar(64)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_id', 'varchar(36)', (c) =>
      c.notNull().unique().references('service_principals.object_id').onDelete('cascade'),
    )
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_assigned_identities_pk', [
      'subscription_id',
      'resource_group_lower',
      'name_lower',
    ])
    .addForeignKeyConstraint(
      'user_assigned_identities_group',
      ['subscription_id', 'resource_group_lower'],
      'resource_groups',
      ['subscription_id', 'name_lower'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('identity_hosts')
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('imds_port', 'integer', (c) => c.notNull().unique())
    .addColumn('system_principal_id', 'varchar(36)', (c) =>
      c.unique().references('service_principals.object_id').onDelete('set null'),
    )
    .addColumn('system_client_id', 'varchar(36)', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_host_identities')
    .addColumn('host_name_lower', 'varchar(128)', (c) =>
      c.notNull().references('identity_hosts.name_lower').onDelete('cascade'),
    )
    .addColumn('principal_id', 'varchar(36)', (c) =>
      c.notNull().references('user_assigned_identities.principal_id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('identity_host_identities_pk', ['host_name_lower', 'principal_id'])
    .execute();
  await db.schema
    .createIndex('identity_host_identities_principal')
    .on('identity_host_identities')
    .column('principal_id')
    .execute();

  const postgres = storeEngine(db) === 'postgres';
  for (const [table, column, condition] of [
    ['user_assigned_identities', 'principal_id', ''],
    ['identity_hosts', 'system_principal_id', 'OLD.system_principal_id IS NOT NULL'],
  ] as const) {
    const statements = `
           DELETE FROM app_role_assignments WHERE principal_id = OLD.${column};
           DELETE FROM group_members WHERE member_id = OLD.${column};
           DELETE FROM directory_role_members WHERE principal_id = OLD.${column};
           DELETE FROM service_principals WHERE object_id = OLD.${column};
           UPDATE change_counters SET version = version + 1 WHERE name = 'directory';`;
    if (postgres) {
      await sql
        .raw(
          `CREATE FUNCTION ${table}_principal() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN ${statements}
             RETURN NULL;
           END $$`,
        )
        .execute(db);
      await sql
        .raw(
          `CREATE TRIGGER ${table}_principal AFTER DELETE ON ${table} FOR EACH ROW
           ${condition && `WHEN (${condition})`} EXECUTE FUNCTION ${table}_principal()`,
        )
        .execute(db);
      continue;
    }
    await sql
      .raw(
        `CREATE TRIGGER ${table}_principal AFTER DELETE ON ${table} ${condition && `WHEN ${condition}`}
         BEGIN${statements}
         END`,
      )
      .execute(db);
  }

  await db.schema
    .createTable('federated_identity_credentials')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('application_object_id', 'varchar(36)', (c) =>
      c.notNull().references('applications.object_id').onDelete('cascade'),
    )
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(120)', (c) => c.notNull())
    .addColumn('issuer', 'varchar(600)', (c) => c.notNull())
    .addColumn('subject', 'varchar(600)', (c) => c.notNull())
    .addColumn('audiences', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('federated_identity_credentials_name', ['application_object_id', 'name_lower'])
    .addUniqueConstraint('federated_identity_credentials_claims', [
      'application_object_id',
      'issuer',
      'subject',
    ])
    .execute();
}
