import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { RefreshTokens } from '../../src/authority/signIn/refreshTokens.js';
import { openStore, storeEngine } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { numberedPlaceholders } from '../../src/store/engines/postgresDirect.js';
import { migrations } from '../../src/store/migrations/index.js';
import { createTestDatabase, postgresSkip, storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

const TENANT = '00000000-0000-4000-8000-000000000001';
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000002';
const PRINCIPAL = '00000000-0000-4000-8000-000000000003';
const GROUP = '00000000-0000-4000-8000-000000000004';
const USER = '00000000-0000-4000-8000-000000000005';
/** Past 2^31 and 2^32: a 32-bit integer would not hold it. */
const AT_MS = 1_700_000_000_123;

async function seedTenant(db: Store): Promise<void> {
  await db
    .insertInto('tenants')
    .values({
      id: TENANT,
      kind: 'customer',
      domain: 'contoso.example',
      display_name: 'Contoso',
      created_at: 1,
    })
    .execute();
  await db
    .insertInto('subscriptions')
    .values({ id: SUBSCRIPTION, tenant_id: TENANT, display_name: 'Sub', state: 'Enabled', created_at: 1 })
    .execute();
  await db
    .insertInto('resource_groups')
    .values({
      subscription_id: SUBSCRIPTION,
      name: 'Group',
      name_lower: 'group',
      location: 'westus',
      tags: '{}',
      created_at: 1,
    })
    .execute();
  await db
    .insertInto('users')
    .values({
      object_id: USER,
      tenant_id: TENANT,
      user_principal_name: 'ada@contoso.example',
      upn_lower: 'ada@contoso.example',
      display_name: 'Ada',
      mail_nickname: 'ada',
      given_name: null,
      surname: null,
      password_hash: '$argon2id$unused',
      force_change_password: 0,
      account_enabled: 1,
      credential_version: 1,
      created_at: 1,
    })
    .execute();
}

for (const { engine, skip } of storeEngines()) {
  describe(`the store on ${engine}`, { skip }, () => {
    let location: TestStoreLocation;
    let db: Store;
    before(async () => {
      location = await testStoreLocation(engine);
      db = await openStore(location);
      await seedTenant(db);
    });
    after(async () => {
      await db?.destroy();
      await location?.dispose();
    });

    it('says which engine it runs on, in a transaction too', async () => {
      assert.equal(storeEngine(db), engine);
      assert.equal(await db.transaction().execute((trx) => Promise.resolve(storeEngine(trx))), engine);
    });

    it('migrates once: opening again applies nothing and keeps the data', async () => {
      const applied = async (store: Store) =>
        (
          await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store)
        ).rows.map((r) => r.name);
      assert.deepEqual(await applied(db), Object.keys(migrations).sort());
      const again = await openStore(location);
      try {
        assert.deepEqual(await applied(again), Object.keys(migrations).sort());
        const tenant = await again
          .selectFrom('tenants')
          .select('domain')
          .where('id', '=', TENANT)
          .executeTakeFirst();
        assert.equal(tenant?.domain, 'contoso.example');
      } finally {
        await again.destroy();
      }
    });

    it('gives back every kind of column as schema.ts types it', async () => {
      const row = {
        id: 'log-1',
        tenant_id: TENANT,
        at_ms: AT_MS,
        user_id: null,
        // Longer than the declared varchar(320), which SQLite never enforced.
        user_principal_name: `${'z'.repeat(400)}@contoso.example`,
        user_display_name: 'Zoë 🚀 “quoted”',
        app_id: null,
        app_display_name: null,
        resource_id: null,
        resource_display_name: null,
        ip_address: '127.0.0.1',
        correlation_id: '00000000-0000-0000-0000-000000000000',
        flow: 'password',
        is_interactive: 1,
        error_code: 50126,
        failure_reason: null,
      };
      await db.insertInto('sign_in_log').values(row).execute();
      assert.deepEqual(
        await db.selectFrom('sign_in_log').selectAll().where('id', '=', 'log-1').executeTakeFirst(),
        row,
      );

      const aggregates = await sql<{ n: number; total: number; latest: number; yes: number; no: number }>`
        select count(*) as n, sum(at_ms) as total, max(at_ms) as latest, (1 = 1) as yes, (1 = 2) as no
        from sign_in_log`.execute(db);
      assert.deepEqual(aggregates.rows[0], { n: 1, total: AT_MS, latest: AT_MS, yes: 1, no: 0 });

      // Generated keys come back as numbers, in insertion order.
      await db
        .insertInto('media_services')
        .values({
          name: 'media1',
          subscription_id: SUBSCRIPTION,
          resource_group: 'Group',
          resource_group_lower: 'group',
          location: 'westus',
          tags: '{"a":"b"}',
          media_service_id: '00000000-0000-4000-8000-0000000000aa',
          storage_accounts: '[]',
          created_at: 1,
          storage_key: 'k',
          port: null,
        })
        .execute();
      for (const id of ['one', 'two']) {
        await db
          .insertInto('media_entities')
          .values({ account: 'media1', entity_set: 'Assets', id, body: JSON.stringify({ Id: id }) })
          .execute();
      }
      const entities = await db
        .selectFrom('media_entities')
        .select(['seq', 'id', 'body'])
        .orderBy('seq')
        .execute();
      assert.equal(typeof entities[0]?.seq, 'number');
      assert.ok((entities[1]?.seq ?? 0) > (entities[0]?.seq ?? 0));
      assert.deepEqual(
        entities.map((e) => JSON.parse(e.body) as unknown),
        [{ Id: 'one' }, { Id: 'two' }],
      );
      const service = await db.selectFrom('media_services').selectAll().executeTakeFirstOrThrow();
      assert.equal(service.port, null);
      assert.equal(service.tags, '{"a":"b"}');
    });

    it('compares, sorts and lower-cases text byte by byte, as SQLite does', async () => {
      const names = ['b', 'B', 'a', '_x', 'é', 'Z'];
      await db
        .insertInto('authority_secrets')
        .values(names.map((name) => ({ name: `order:${name}`, value: name })))
        .execute();
      const sorted = await db
        .selectFrom('authority_secrets')
        .select('value')
        .where('name', 'like', 'order:%')
        .orderBy('name')
        .execute();
      assert.deepEqual(
        sorted.map((r) => r.value),
        ['B', 'Z', '_x', 'a', 'b', 'é'],
      );
      const folded = await sql<{ folded: string; equal: number }>`select lower(${'ÉCOLE'}) as folded,
        (${'A'} = ${'a'}) as equal`.execute(db);
      assert.deepEqual(folded.rows[0], { folded: 'École', equal: 0 });
    });

    it('takes a deleted identity’s principal and memberships along, and moves the directory counter', async () => {
      await db
        .insertInto('service_principals')
        .values({
          object_id: PRINCIPAL,
          tenant_id: TENANT,
          app_id: '00000000-0000-4000-8000-0000000000bb',
          app_owner_tenant_id: TENANT,
          display_name: 'identity',
          account_enabled: 1,
          created_at: 1,
        })
        .execute();
      await db
        .insertInto('user_assigned_identities')
        .values({
          subscription_id: SUBSCRIPTION,
          resource_group: 'Group',
          resource_group_lower: 'group',
          name: 'Id1',
          name_lower: 'id1',
          location: 'westus',
          tags: '{}',
          tenant_id: TENANT,
          principal_id: PRINCIPAL,
          client_id: '00000000-0000-4000-8000-0000000000cc',
          created_at: 1,
        })
        .execute();
      await db
        .insertInto('groups')
        .values({
          object_id: GROUP,
          tenant_id: TENANT,
          display_name: 'g',
          mail_nickname: 'g',
          description: null,
          created_at: 1,
        })
        .execute();
      await db
        .insertInto('group_members')
        .values({ group_id: GROUP, member_id: PRINCIPAL, member_type: 'ServicePrincipal' })
        .execute();
      const counter = () =>
        db
          .selectFrom('change_counters')
          .select('version')
          .where('name', '=', 'directory')
          .executeTakeFirstOrThrow();
      const before = (await counter()).version;

      await db.deleteFrom('user_assigned_identities').where('principal_id', '=', PRINCIPAL).execute();

      assert.equal(
        await db
          .selectFrom('service_principals')
          .select('object_id')
          .where('object_id', '=', PRINCIPAL)
          .executeTakeFirst(),
        undefined,
      );
      assert.deepEqual(
        await db.selectFrom('group_members').selectAll().where('member_id', '=', PRINCIPAL).execute(),
        [],
      );
      assert.equal((await counter()).version, before + 1);
    });

    it('rotates a refresh token once when two stores on one database race to redeem it', async () => {
      const other = await openStore(location);
      try {
        const [here, there] = [new RefreshTokens(db), new RefreshTokens(other)];
        const token = await here.startFamily({
          tenantId: TENANT,
          userId: USER,
          clientId: 'client',
          authTime: 100,
          credentialVersion: 1,
          amr: ['pwd'],
          scope: 'openid',
          now: 100,
        });
        const [a, b] = await Promise.all([here.find(token), there.find(token)]);
        assert.ok(a?.live && b?.live);
        const outcomes = await Promise.all([here.rotate(a, 'openid', 101), there.rotate(b, 'openid', 101)]);
        assert.equal(outcomes.filter((o) => 'token' in o).length, 1, JSON.stringify(outcomes));
        assert.equal(outcomes.filter((o) => 'refused' in o).length, 1);
        // The loser revoked the family: the winner's token is dead too.
        assert.notEqual((await there.find(token))?.family.revokedAt, null);
      } finally {
        await other.destroy();
      }
    });
  });
}

describe('PostgreSQL specifics', { skip: postgresSkip() }, () => {
  it('lets several nodes open one new database at once: the migrations run once, under a lock', async () => {
    const location = await testStoreLocation('postgres');
    try {
      const opened = await Promise.allSettled([1, 2, 3].map(() => openStore(location)));
      for (const result of opened) if (result.status === 'fulfilled') await result.value.destroy();
      assert.deepEqual(
        opened.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
        ['ok', 'ok', 'ok'],
      );
      const db = await openStore(location);
      try {
        const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(db);
        assert.equal(rows[0]?.n, Object.keys(migrations).length);
      } finally {
        await db.destroy();
      }
    } finally {
      await location.dispose();
    }
  });

  it('declares string columns as byte-ordered text, whatever the database’s collation', async () => {
    const location = await testStoreLocation('postgres');
    const db = await openStore(location);
    try {
      const { rows } = await sql<{ column_name: string; data_type: string; collation_name: string | null }>`
        select column_name, data_type, collation_name from information_schema.columns
        where table_name = 'users' and column_name in ('upn_lower', 'password_hash', 'created_at')
        order by column_name`.execute(db);
      assert.deepEqual(rows, [
        { column_name: 'created_at', data_type: 'bigint', collation_name: null },
        { column_name: 'password_hash', data_type: 'text', collation_name: 'C' },
        { column_name: 'upn_lower', data_type: 'text', collation_name: 'C' },
      ]);
      // A bigint a JavaScript number cannot hold is an error, never a silently rounded value.
      await assert.rejects(
        sql`select 9007199254740993::bigint as v`.execute(db),
        /9007199254740993 does not fit in a JavaScript number/,
      );
    } finally {
      await db.destroy();
      await location.dispose();
    }
  });

  it('opens a database other than the first it was given, from a URL with a password', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    try {
      const url = new URL(database.url);
      url.password = 'ignored-by-trust-authentication';
      const db = await openStore({ dataDir, databaseUrl: url.toString(), poolSize: 2 });
      await db.destroy();
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('choosing the engine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a URL of any other database, without repeating its password', async () => {
    await assert.rejects(
      openStore({ dataDir, databaseUrl: 'mysql://root:hunter2@127.0.0.1/tessera' }),
      (error: Error) => {
        assert.match(error.message, /unsupported database URL mysql:\/\/root:\*\*\*@127\.0\.0\.1\/tessera/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
    await assert.rejects(openStore({ dataDir, databaseUrl: '' }), /unsupported database URL/);
  });

  it('says which server it could not reach', async () => {
    // Port 9 (discard) is closed on loopback: the connection is refused at once.
    await assert.rejects(
      openStore({ dataDir, databaseUrl: 'postgres://tessera:hunter2@127.0.0.1:9/tessera' }),
      (error: Error) => {
        assert.match(
          error.message,
          /cannot connect to PostgreSQL at postgres:\/\/tessera:\*\*\*@127\.0\.0\.1:9\/tessera/,
        );
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  });

  it('refuses a pool without connections', async () => {
    await assert.rejects(
      openStore({ dataDir, databaseUrl: 'postgres://tessera@127.0.0.1:9/tessera', poolSize: 0 }),
      /pool size must be a whole number of at least 1/,
    );
  });

  it('numbers the placeholders of direct statements for PostgreSQL, leaving quoted ones alone', () => {
    assert.equal(
      numberedPlaceholders(`select '?' as "a?", x from t where a = ? and b = 'it''s ?' and c = ?`),
      `select '?' as "a?", x from t where a = $1 and b = 'it''s ?' and c = $2`,
    );
  });
});
