import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Interactive sign-in: browser sessions (SSO), sign-ins waiting for the person on a page,
 * authorization codes and device codes. Every secret a browser or a client holds (session
 * cookie, pending sign-in id, code, device code, user code) is stored as its SHA-256 only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per browser sign-in to a tenant; the cookie carries the token whose hash is here.
  await db.schema
    .createTable('sign_in_sessions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.object_id').onDelete('cascade'))
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'varchar(64)', (c) => c.notNull())
    // A password change or a revocation moves the user's version and ends the session with it.
    .addColumn('credential_version', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('sign_in_sessions_expiry')
    .on('sign_in_sessions')
    .column('expires_at')
    .execute();

  // A sign-in in progress in a browser: the validated authorization request (or the device code
  // being approved), bound to the browser that started it.
  await db.schema
    .createTable('pending_sign_ins')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('browser_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('stage', 'varchar(16)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('tenant_id', 'varchar(36)')
    .addColumn('session_id', 'varchar(36)')
    .addColumn('auth_time', 'bigint')
    .addColumn('amr', 'varchar(64)')
    // 'password' or 'session': an SSO sign-in is logged when it completes, a password one at once.
    .addColumn('signed_in_by', 'varchar(16)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('pending_sign_ins_expiry')
    .on('pending_sign_ins')
    .column('expires_at')
    .execute();

  // Kept after redemption until well past expiry, so a replay is recognised (and revokes the
  // refresh-token family the first redemption started) rather than read as an unknown code.
  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'varchar(64)')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.object_id').onDelete('cascade'))
    .addColumn('session_id', 'varchar(36)')
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('redeemed_at', 'bigint')
    .addColumn('family_id', 'varchar(36)')
    .execute();
  await db.schema
    .createIndex('authorization_codes_expiry')
    .on('authorization_codes')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('device_codes')
    .addColumn('device_code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_code_hash', 'varchar(64)', (c) => c.notNull().unique())
    // The tenant of the request, or null for /organizations and /common (known at sign-in).
    .addColumn('tenant_id', 'varchar(36)')
    .addColumn('tenant_segment', 'varchar(256)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // pending → approved → redeemed, or pending → declined.
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('approved_tenant_id', 'varchar(36)')
    .addColumn('session_id', 'varchar(36)')
    .addColumn('auth_time', 'bigint')
    .addColumn('amr', 'varchar(64)')
    .addColumn('redeemed_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_codes_expiry').on('device_codes').column('expires_at').execute();

  // Logging out of a browser session revokes the refresh tokens its sign-ins started.
  await db.schema.alterTable('refresh_token_families').addColumn('session_id', 'varchar(36)').execute();
  await db.schema
    .createIndex('refresh_token_families_session')
    .on('refresh_token_families')
    .column('session_id')
    .execute();

  // The key of the sign-in pages' CSRF tokens (HMAC of the browser cookie and the pending sign-in).
  await db
    .insertInto('authority_secrets' as never)
    .values({ name: 'csrf', value: randomBytes(32).toString('base64url') } as never)
    .execute();
}
