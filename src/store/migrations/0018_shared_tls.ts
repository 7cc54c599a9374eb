import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The TLS material every node on one PostgreSQL database serves: the local CA and the server
 * certificate it issued, each with its private key sealed under the key-encryption key
 * (tls/sharedTls.ts). One row per name (`ca`, `server`). On SQLite the data folder's `tls/`
 * holds them, as before: one machine, one folder.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql
    .raw(
      `CREATE TABLE shared_tls (
         name text COLLATE "C" PRIMARY KEY,
         certificate_pem text COLLATE "C" NOT NULL,
         private_key_pem text COLLATE "C" NOT NULL,
         updated_at bigint NOT NULL
       )`,
    )
    .execute(db);
}
