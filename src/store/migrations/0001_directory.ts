import type { Kysely } from 'kysely';

// Forward-only: a shipped migration is never edited; later changes add a new file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('domain', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('object_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('app_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('sign_in_audience', 'varchar(64)', (c) => c.notNull())
    .addColumn('identifier_uris', 'text', (c) => c.notNull())
    .addColumn('app_roles', 'text', (c) => c.notNull())
    .addColumn('oauth2_permission_scopes', 'text', (c) => c.notNull())
    .addColumn('access_token_version', 'integer')
    .addColumn('is_fallback_public_client', 'integer', (c) => c.notNull())
    .addColumn('public_client_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('web_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_tenant').on('applications').column('tenant_id').execute();

  await db.schema
    .createTable('password_credentials')
    .addColumn('key_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('application_object_id', 'varchar(36)', (c) =>
      c.notNull().references('applications.object_id').onDelete('cascade'),
    )
    .addColumn('display_name', 'varchar(255)')
    .addColumn('hint', 'varchar(8)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('password_credentials_app')
    .on('password_credentials')
    .column('application_object_id')
    .execute();

  await db.schema
    .createTable('key_credentials')
    .addColumn('key_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('application_object_id', 'varchar(36)', (c) =>
      c.notNull().references('applications.object_id').onDelete('cascade'),
    )
    .addColumn('display_name', 'varchar(255)')
    .addColumn('thumbprint_sha1', 'varchar(40)', (c) => c.notNull())
    .addColumn('thumbprint_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('key_credentials_app')
    .on('key_credentials')
    .column('application_object_id')
    .execute();

  await db.schema
    .createTable('service_principals')
    .addColumn('object_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('app_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('app_owner_tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('account_enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('service_principals_tenant_app', ['tenant_id', 'app_id'])
    .execute();

  // Entra resolves a requested resource through the servicePrincipalNames of the tenant's
  // principals (appId and every identifier URI), so names get their own indexed table.
  await db.schema
    .createTable('service_principal_names')
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(512)', (c) => c.notNull())
    .addColumn('name', 'varchar(512)', (c) => c.notNull())
    .addColumn('service_principal_object_id', 'varchar(36)', (c) =>
      c.notNull().references('service_principals.object_id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('service_principal_names_pk', ['tenant_id', 'name_lower'])
    .execute();

  await db.schema
    .createTable('app_role_assignments')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(36)', (c) =>
      c.notNull().references('service_principals.object_id').onDelete('cascade'),
    )
    .addColumn('app_role_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('app_role_assignments_unique', ['principal_id', 'resource_id', 'app_role_id'])
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('state', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('resource_groups')
    .addColumn('subscription_id', 'varchar(36)', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('name', 'varchar(90)', (c) => c.notNull())
    .addColumn('name_lower', 'varchar(90)', (c) => c.notNull())
    .addColumn('location', 'varchar(64)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_groups_pk', ['subscription_id', 'name_lower'])
    .execute();

  await db.schema
    .createTable('role_assignments')
    .addColumn('name', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('scope', 'varchar(1024)', (c) => c.notNull())
    .addColumn('scope_lower', 'varchar(1024)', (c) => c.notNull())
    .addColumn('role_definition_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('principal_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('updated_on', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addUniqueConstraint('role_assignments_unique', ['scope_lower', 'role_definition_id', 'principal_id'])
    .execute();
  await db.schema
    .createIndex('role_assignments_principal')
    .on('role_assignments')
    .column('principal_id')
    .execute();
}
