import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('object_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('mail_nickname', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('groups_tenant').on('groups').column('tenant_id').execute();

  // Direct memberships only; nesting is resolved transitively by the access engine.
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'varchar(36)', (c) =>
      c.notNull().references('groups.object_id').onDelete('cascade'),
    )
    .addColumn('member_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('member_type', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_member').on('group_members').column('member_id').execute();

  await db.schema
    .createTable('role_definitions')
    .addColumn('name', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('role_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('role_name_lower', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('assignable_scopes', 'text', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .addColumn('updated_on', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)')
    .addUniqueConstraint('role_definitions_tenant_name', ['tenant_id', 'role_name_lower'])
    .execute();

  await db.schema
    .createTable('deny_assignments')
    .addColumn('name', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('deny_assignment_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('scope', 'varchar(1024)', (c) => c.notNull())
    .addColumn('scope_lower', 'varchar(1024)', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('principals', 'text', (c) => c.notNull())
    .addColumn('exclude_principals', 'text', (c) => c.notNull())
    .addColumn('do_not_apply_to_child_scopes', 'integer', (c) => c.notNull())
    .addColumn('created_on', 'bigint', (c) => c.notNull())
    .execute();

  // Bumped in the same transaction as every change the access engine indexes, so each process
  // (server, CLI, other nodes) can tell with one read whether its index is stale.
  await db.schema
    .createTable('change_counters')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db
    .insertInto('change_counters' as never)
    .values({ name: 'access', version: 1 } as never)
    .execute();
}
