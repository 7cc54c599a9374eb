import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * A journal of every row change the access engine indexes, written by triggers so that no writer
 * (this process, the CLI, another node, a cascade or another trigger) can forget it. Each process
 * replays the entries after the last one it applied instead of reloading every assignment; an
 * entry names its row, and the reader re-reads the row, so replaying one twice is harmless.
 * Entries older than the last 10,000 are pruned; a reader that fell further behind reloads.
 */
const journaled = [
  { table: 'role_assignments', entity: 'assignment', key: 'name' },
  { table: 'role_definitions', entity: 'definition', key: 'name' },
  { table: 'deny_assignments', entity: 'deny', key: 'name' },
  // A membership is re-read as all of its member's memberships: one key per member.
  { table: 'group_members', entity: 'membership', key: 'member_id' },
] as const;

export const JOURNAL_RETAINED = 10_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return upPostgres(db);
  await sql
    .raw(
      `CREATE TABLE access_changes (
         seq integer PRIMARY KEY AUTOINCREMENT,
         entity varchar(16) NOT NULL,
         entity_key varchar(1024) NOT NULL
       )`,
    )
    .execute(db);
  for (const { table, entity, key } of journaled) {
    const entry = (row: 'NEW' | 'OLD') =>
      `INSERT INTO access_changes (entity, entity_key) VALUES ('${entity}', ${row}.${key});`;
    await sql
      .raw(`CREATE TRIGGER ${table}_journal_insert AFTER INSERT ON ${table} BEGIN ${entry('NEW')} END`)
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${table}_journal_update AFTER UPDATE ON ${table} BEGIN ${entry('OLD')} ${entry('NEW')} END`,
      )
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER ${table}_journal_delete AFTER DELETE ON ${table} BEGIN ${entry('OLD')} END`)
      .execute(db);
  }
  await sql
    .raw(
      `CREATE TRIGGER access_changes_prune AFTER INSERT ON access_changes WHEN NEW.seq % 1000 = 0
       BEGIN DELETE FROM access_changes WHERE seq <= NEW.seq - ${JOURNAL_RETAINED}; END`,
    )
    .execute(db);
}

/**
 * PostgreSQL hands out sequence values before commit, so a reader could see seq 11 committed
 * while seq 10 is still in flight and skip it for ever. Each journaling transaction therefore
 * takes one advisory lock until it commits: entries become visible in the order of their seq.
 */
async function upPostgres(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE TABLE access_changes (
         seq bigserial PRIMARY KEY,
         entity varchar(16) NOT NULL,
         entity_key varchar(1024) NOT NULL
       )`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE FUNCTION access_journal() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_advisory_xact_lock(7230516114);
         IF TG_OP <> 'INSERT' THEN
           INSERT INTO access_changes (entity, entity_key) VALUES (TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);
         END IF;
         IF TG_OP <> 'DELETE' THEN
           INSERT INTO access_changes (entity, entity_key) VALUES (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);
         END IF;
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  for (const { table, entity, key } of journaled) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_journal AFTER INSERT OR UPDATE OR DELETE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION access_journal('${entity}', '${key}')`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `CREATE FUNCTION access_changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.seq % 1000 = 0 THEN
           DELETE FROM access_changes WHERE seq <= NEW.seq - ${JOURNAL_RETAINED};
         END IF;
         -- One notification per transaction: identical payloads are folded at commit.
         PERFORM pg_notify('tessera_access', '');
         RETURN NULL;
       END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER access_changes_prune AFTER INSERT ON access_changes
       FOR EACH ROW EXECUTE FUNCTION access_changes_prune()`,
    )
    .execute(db);
}
