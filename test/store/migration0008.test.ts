import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { openStore, sqliteFile } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import type { RefreshTokenFamilyTable, RefreshTokenTable } from '../../src/store/schema.js';

/** The two tables as they were before 0008. */
interface Before0008 {
  refresh_token_families: Omit<RefreshTokenFamilyTable, 'token_hash' | 'generation' | 'scope' | 'issued_at'>;
  refresh_tokens: RefreshTokenTable;
}

const family = (id: string) => ({
  id,
  tenant_id: 'tenant',
  user_id: 'user',
  client_id: 'client',
  auth_time: 100,
  expires_at: 100 + 90 * 86400,
  credential_version: 1,
  amr: 'pwd',
  revoked_at: null,
  revoked_reason: null,
  session_id: null,
});

describe('migration 0008: refresh-token families hold their live token', () => {
  it('makes each family’s newest unconsumed token its live one, generation 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-0008-'));
    try {
      // A store as the release before 0008 left it.
      const sqlite = new SqliteDatabase(sqliteFile(dataDir));
      const before = new Kysely<Before0008>({ dialect: new SqliteDialect({ database: sqlite }) });
      const older = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0008'));
      const { error } = await new Migrator({
        db: before,
        provider: { getMigrations: () => Promise.resolve(older) },
      }).migrateToLatest();
      assert.equal(error, undefined);
      // The users these families name do not matter here.
      sqlite.pragma('foreign_keys = OFF');
      await before
        .insertInto('refresh_token_families')
        .values([family('rotated'), family('spent')])
        .execute();
      await before
        .insertInto('refresh_tokens')
        .values([
          { token_hash: 'a', family_id: 'rotated', scope: 'first', issued_at: 101, used_at: 105 },
          { token_hash: 'b', family_id: 'rotated', scope: 'second', issued_at: 105, used_at: null },
          { token_hash: 'c', family_id: 'spent', scope: 'only', issued_at: 101, used_at: 102 },
        ])
        .execute();
      await before.destroy();

      const db = await openStore({ dataDir });
      const rows = await db
        .selectFrom('refresh_token_families')
        .select(['id', 'token_hash', 'generation', 'scope', 'issued_at'])
        .orderBy('id')
        .execute();
      assert.deepEqual(rows, [
        { id: 'rotated', token_hash: 'b', generation: 1, scope: 'second', issued_at: 105 },
        // Every token consumed (a rotation that never answered): none is live.
        { id: 'spent', token_hash: '', generation: 1, scope: '', issued_at: 100 },
      ]);
      // The legacy rows stay for lookups.
      assert.equal((await db.selectFrom('refresh_tokens').select('token_hash').execute()).length, 3);
      await db.destroy();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
