import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

/**
 * The data plane's queries are written as SQL text and run as compiled queries: the listing and
 * point reads are the hot paths, and building them with Kysely's builder costs more than running
 * them (the store caches the prepared statements by text).
 */
export type SqlExecutor = Pick<Kysely<Database>, 'executeQuery'>;

export async function queryRows<R>(db: SqlExecutor, text: string, params: readonly unknown[]): Promise<R[]> {
  const result = await db.executeQuery(CompiledQuery.raw(text, [...params]) as CompiledQuery<R>);
  return result.rows;
}

export async function queryRow<R>(
  db: SqlExecutor,
  text: string,
  params: readonly unknown[],
): Promise<R | undefined> {
  return (await queryRows<R>(db, text, params))[0];
}

/** Runs a statement; returns the rowid it inserted, if any. */
export async function execute(db: SqlExecutor, text: string, params: readonly unknown[]): Promise<number> {
  const result = await db.executeQuery(CompiledQuery.raw(text, [...params]));
  return Number(result.insertId ?? 0);
}
