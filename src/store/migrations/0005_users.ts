import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Users and what their sign-ins leave behind: lockout state, the sign-in log and refresh-token
 * families. Lockout and log rows change on every sign-in, so they live apart from the users
 * table, whose writes invalidate the directory's read caches everywhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('object_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('tenants.id'))
    .addColumn('user_principal_name', 'varchar(320)', (c) => c.notNull())
    .addColumn('upn_lower', 'varchar(320)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(256)', (c) => c.notNull())
    .addColumn('mail_nickname', 'varchar(64)', (c) => c.notNull())
    .addColumn('given_name', 'varchar(64)')
    .addColumn('surname', 'varchar(64)')
    .addColumn('password_hash', 'varchar(256)', (c) => c.notNull())
    .addColumn('force_change_password', 'integer', (c) => c.notNull())
    .addColumn('account_enabled', 'integer', (c) => c.notNull())
    // Bumped when the password changes or sessions are revoked: refresh-token families record
    // the value they were issued under and die when it moves.
    .addColumn('credential_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('users_tenant_upn', ['tenant_id', 'upn_lower'])
    .execute();

  await db.schema
    .createTable('sign_in_lockouts')
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.primaryKey().references('users.object_id').onDelete('cascade'),
    )
    .addColumn('failed_count', 'integer', (c) => c.notNull())
    // JSON list of keyed hashes of the latest wrong passwords, never the passwords themselves.
    .addColumn('recent_failures', 'text', (c) => c.notNull())
    .addColumn('lockouts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sign_in_log')
    // Random and only ever shown, never looked up: no index to maintain on every sign-in.
    .addColumn('id', 'varchar(36)', (c) => c.notNull())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    // Milliseconds: several attempts a second are common and the log is read newest first.
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('user_principal_name', 'varchar(320)', (c) => c.notNull())
    .addColumn('user_display_name', 'varchar(256)')
    .addColumn('app_id', 'varchar(36)')
    .addColumn('app_display_name', 'varchar(256)')
    .addColumn('resource_id', 'varchar(36)')
    .addColumn('resource_display_name', 'varchar(256)')
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('correlation_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('flow', 'varchar(32)', (c) => c.notNull())
    .addColumn('is_interactive', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'integer', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .execute();
  await db.schema
    .createIndex('sign_in_log_tenant_at')
    .on('sign_in_log')
    .columns(['tenant_id', 'at_ms'])
    .execute();
  await db.schema.createIndex('sign_in_log_user').on('sign_in_log').columns(['user_id', 'at_ms']).execute();

  // One family per sign-in: every refresh token rotated from it shares its absolute expiry and
  // dies with it (reuse of a rotated token, password change, disabled or deleted user).
  await db.schema
    .createTable('refresh_token_families')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.object_id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('credential_version', 'integer', (c) => c.notNull())
    .addColumn('amr', 'varchar(64)', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_reason', 'varchar(32)')
    .execute();
  await db.schema
    .createIndex('refresh_token_families_user')
    .on('refresh_token_families')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    // SHA-256 of the token: the token itself is never stored.
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('family_id', 'varchar(36)', (c) =>
      c.notNull().references('refresh_token_families.id').onDelete('cascade'),
    )
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();

  // Server-wide keys every node must share (pairwise `sub`, wrong-password fingerprints).
  await db.schema
    .createTable('authority_secrets')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(128)', (c) => c.notNull())
    .execute();
  for (const name of ['pairwise_subject', 'failed_password']) {
    await db
      .insertInto('authority_secrets' as never)
      .values({ name, value: randomBytes(32).toString('base64url') } as never)
      .execute();
  }
}
