import type { Kysely } from 'kysely';

/**
 * Single-page applications (Graph's `application.spa`), as Entra keeps them:
 *  - the application's SPA redirect URIs, a JSON list beside the web and public-client ones
 *    (every existing application has none);
 *  - the browser origin a refresh-token family was issued to, when its sign-in was redeemed
 *    cross-origin for a SPA redirect URI: its tokens are then redeemable only from that origin,
 *    and the family lives 24 hours (authority/signIn/refreshTokens.ts). Null for every other
 *    family, which is every family made before this migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('applications')
    .addColumn('spa_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('refresh_token_families').addColumn('spa_origin', 'text').execute();
}
