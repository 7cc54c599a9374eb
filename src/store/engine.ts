import { PostgresAdapter } from 'kysely';
import type { DialectAdapter } from 'kysely';

/** The database a store runs on: SQLite in the data folder (the default) or a PostgreSQL server. */
export type StoreEngine = 'sqlite' | 'postgres';

/** Any Kysely instance: a store, one of its transactions, or the untyped one migrations get. */
interface HasAdapter {
  getExecutor(): { readonly adapter: DialectAdapter };
}

/**
 * For the few places whose SQL must differ between the engines (migrations, hand-written
 * statements). Read from the dialect rather than from a registry, so that it answers for a
 * transaction or a `withPlugin` copy as well as for the store itself.
 */
export const storeEngine = (db: HasAdapter): StoreEngine =>
  db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
