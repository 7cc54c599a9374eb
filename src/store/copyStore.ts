import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { openStore, sqliteFile } from './database.js';
import type { Database } from './schema.js';

/** One table's rows in the source and, after the copy, in the target. */
export interface CopiedTable {
  table: string;
  source: number;
  target: number;
}

export interface CopyOptions {
  /**
   * Per table, what a row must become on PostgreSQL where a slice stores it otherwise than on
   * SQLite (App Configuration's free text): the slices know their rows, the copy does not.
   */
  transforms?: Readonly<Record<string, (row: Record<string, unknown>) => Record<string, unknown>>>;
}

export class StoreCopyError extends Error {
  override readonly name = 'StoreCopyError';
}

// Bookkeeping each store keeps for itself: the migrator's own tables, SQLite's sequences, and
// the access journal, which describes a store's history, not its content (the target's triggers
// journal the copy itself).
const OWN_BOOKKEEPING = /^(sqlite_|kysely_)|^access_changes$/;

/**
 * Copies a data folder's SQLite store into an empty PostgreSQL database, in one transaction (all or
 * nothing), then counts every table on both sides. Both stores are first migrated to this
 * release's schema, so their tables and columns are the same; tables go in foreign-key order.
 */
export async function copySqliteToPostgres(
  dataDir: string,
  databaseUrl: string,
  options: CopyOptions = {},
): Promise<CopiedTable[]> {
  // Opening migrates: an older data folder is brought to this release's schema first.
  await (await openStore({ dataDir })).destroy();
  const target = await openStore({ dataDir, databaseUrl });
  const source = new SqliteDatabase(sqliteFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    const tables = tablesInDependencyOrder(source);
    const { count } = await sql<{ count: string | number }>`select count(*) as count from tenants`
      .execute(target)
      .then((r) => r.rows[0] ?? { count: 0 });
    if (Number(count) > 0) {
      throw new StoreCopyError(
        'the target database already holds a directory (tenants); copy into an empty database',
      );
    }
    await target.transaction().execute(async (trx) => {
      // Rows the target's own migrations wrote (change counters and the like) make way for the source's.
      for (const table of [...tables].reverse()) await sql`delete from ${sql.table(table)}`.execute(trx);
      for (const table of tables) await copyTable(source, trx, table, options.transforms?.[table]);
      await advanceIdentities(trx);
    });
    const copied: CopiedTable[] = [];
    for (const table of tables) {
      const sourceCount = (source.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
      const row = (
        await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(target)
      ).rows[0];
      copied.push({ table, source: sourceCount, target: Number(row?.n ?? 0) });
    }
    return copied;
  } finally {
    source.close();
    await target.destroy();
  }
}

/** Every table the store's schema holds, each after the tables its foreign keys name. */
function tablesInDependencyOrder(db: SqliteDatabase.Database): string[] {
  const names = (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{
      name: string;
    }>
  )
    .map((r) => r.name)
    .filter((name) => !OWN_BOOKKEEPING.test(name));
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (placed.has(table) || visiting.has(table)) return;
    visiting.add(table);
    const parents = db
      .prepare(`SELECT "table" AS parent FROM pragma_foreign_key_list(?)`)
      .all(table) as Array<{
      parent: string;
    }>;
    for (const { parent } of parents) if (parent !== table && names.includes(parent)) visit(parent);
    visiting.delete(table);
    placed.add(table);
    ordered.push(table);
  };
  for (const name of names) visit(name);
  return ordered;
}

// PostgreSQL takes at most 65,535 parameters per statement.
const MAX_PARAMETERS = 60_000;

async function copyTable(
  source: SqliteDatabase.Database,
  trx: Kysely<Database>,
  table: string,
  transform: ((row: Record<string, unknown>) => Record<string, unknown>) | undefined,
) {
  const columns = (
    source.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>
  ).map((c) => c.name);
  const batchSize = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)));
  let batch: Array<Record<string, unknown>> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await trx
      .insertInto(table as never)
      .values(batch as never)
      .execute();
    batch = [];
  };
  // Streamed: a store's largest tables (revisions, the sign-in log) need not fit in memory twice.
  for (const row of source.prepare(`SELECT * FROM "${table}"`).iterate() as Iterable<
    Record<string, unknown>
  >) {
    batch.push(transform ? transform(row) : row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
}

/** Identity columns continue after the highest value copied, as the source's sequences did. */
async function advanceIdentities(trx: Kysely<Database>) {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and (is_identity = 'YES' or column_default like 'nextval(%')
  `.execute(trx);
  for (const { table_name: table, column_name: column } of rows) {
    await sql`select setval(
      pg_get_serial_sequence(${`"${table}"`}, ${column}),
      coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1,
      false
    )`.execute(trx);
  }
}
