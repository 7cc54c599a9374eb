import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * A refresh-token family holds its one live token's hash itself, so a rotation is a single
 * conditional UPDATE of one row instead of consuming one `refresh_tokens` row and inserting
 * another (two B-trees and three indexes written per refresh). Tokens now name their family and
 * generation; `refresh_tokens` stays, read-only, so tokens issued before this migration still
 * redeem (once each) until the last of them expires, 90 days after its sign-in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const families = db.schema.alterTable('refresh_token_families');
  // SHA-256 (hex) of the family's live token; '' when it has none.
  await families.addColumn('token_hash', 'varchar(64)', (c) => c.notNull().defaultTo('')).execute();
  // Rotations so far: a presented token of an earlier generation was copied.
  await families.addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The live token's scope string and issue time (its inactivity clock).
  await families.addColumn('scope', 'text', (c) => c.notNull().defaultTo('')).execute();
  await families.addColumn('issued_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();

  // Each family's newest unconsumed token becomes its live token, as generation 1: every older
  // `refresh_tokens` row then reads as generation 0, an earlier one.
  const live = (column: string) =>
    sql`(select t.${sql.ref(column)} from refresh_tokens t where t.family_id = refresh_token_families.id and t.used_at is null order by t.issued_at desc limit 1)`;
  await sql`update refresh_token_families set
      token_hash = coalesce(${live('token_hash')}, ''),
      scope = coalesce(${live('scope')}, ''),
      issued_at = coalesce(${live('issued_at')}, auth_time),
      generation = 1`.execute(db);
}
