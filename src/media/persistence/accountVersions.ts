import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { sqlRead } from '../../store/direct.js';
import { storeEngine } from '../../store/engine.js';
import type { Queryable } from './mediaTables.js';
import { withMediaTables } from './mediaTables.js';

/**
 * Each account's version (migration 0017) and the store-wide `media` change counter: the first
 * tells whether a view of one account is current, the second, in one row, whether any account
 * changed at all (what pollers read).
 */

/**
 * The account's version as of now, outside any transaction: a hand-written statement, which on
 * SQLite skips building a Kysely query (most of the cost of a read this small). Checked before
 * every unit's rules run, so it is worth it.
 */
export async function currentAccountVersion(db: Store, account: string): Promise<number> {
  const row = await sqlRead(db, (statements) =>
    statements.get<{ version: number | bigint }>(
      'SELECT version FROM media_versions WHERE account = ?',
      account,
    ),
  );
  return Number(row?.version ?? 0);
}

/** The account's version: 0 before its first commit. */
export async function accountVersion(db: Queryable, account: string): Promise<number> {
  const row = await withMediaTables(db)
    .selectFrom('media_versions')
    .select('version')
    .where('account', '=', account)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/**
 * Every account's version and the counter, in one statement (one snapshot on either engine), so
 * that the counter's lead over the versions' sum is exact: it moves only when something changed
 * the entities without moving an account's version (an account deleted through ARM, which
 * cascades; a process of an older release).
 */
export async function accountVersions(
  db: Queryable,
): Promise<{ counter: number; versions: Map<string, number> }> {
  const rows = await withMediaTables(db)
    .selectFrom('change_counters as c')
    .leftJoin('media_versions as v', (join) => join.onTrue())
    .select(['c.version as counter', 'v.account', 'v.version'])
    .where('c.name', '=', 'media')
    .execute();
  const versions = new Map<string, number>();
  for (const row of rows) if (row.account !== null) versions.set(row.account, Number(row.version));
  return { counter: Number(rows[0]?.counter ?? 0), versions };
}

/** Moves the account's version on; its new value. In a commit's transaction. */
export async function bumpAccountVersion(trx: Queryable, account: string): Promise<number> {
  const { rows } = await sql<{ version: number | bigint }>`
    INSERT INTO media_versions (account, version) VALUES (${account}, 1)
    ON CONFLICT (account) DO UPDATE SET version = media_versions.version + 1
    RETURNING version`.execute(trx);
  const [row] = rows;
  if (!row) throw new Error(`the version of the media account '${account}' did not move`);
  return Number(row.version);
}

export async function mediaCounter(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('change_counters')
    .select('version')
    .where('name', '=', 'media')
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

export async function bumpMediaCounter(trx: Queryable): Promise<number> {
  const row = await trx
    .updateTable('change_counters')
    .set({ version: sql`version + 1` })
    .where('name', '=', 'media')
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

/**
 * PostgreSQL: serialises the account's units of work across nodes until the transaction ends,
 * so that a unit reads the account, runs its rules and commits with no other commit in between.
 * SQLite needs no lock of this kind: its commits check the version instead (one writer at a time
 * already, and units cannot hold the one connection while their rules run).
 */
export async function lockAccount(trx: Queryable, account: string): Promise<void> {
  if (storeEngine(trx) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`media:${account}`}, 0))`.execute(trx);
}
