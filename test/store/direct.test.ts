import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { sqlRead, sqlWrite } from '../../src/store/direct.js';
import { storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

const INSERT = 'insert into authority_secrets (name, value) values (?, ?)';
const SELECT = 'select value from authority_secrets where name = ?';
const UPDATE = 'update authority_secrets set value = ? where name = ?';

for (const { engine, skip } of storeEngines()) {
  describe(`direct SQL on ${engine}`, { skip }, () => {
    let location: TestStoreLocation;
    let db: Store;
    before(async () => {
      location = await testStoreLocation(engine);
      db = await openStore(location);
    });
    after(async () => {
      await db?.destroy();
      await location?.dispose();
    });

    const value = (name: string) =>
      sqlRead(db, async (sql) => (await sql.get<{ value: string }>(SELECT, name))?.value);

    it('runs each write atomically: one that throws is undone alone, the others commit', async () => {
      const results = await Promise.allSettled([
        sqlWrite(db, (sql) => sql.run(INSERT, 'group-a', '1')),
        sqlWrite(db, async (sql) => {
          await sql.run(INSERT, 'group-b', '2');
          // The same primary key again: this work fails after its first statement succeeded.
          await sql.run(INSERT, 'group-b', '3');
        }),
        sqlWrite(db, (sql) => sql.run(INSERT, 'group-c', '4')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal(results[0]?.status === 'fulfilled' && results[0].value, 1);
      assert.equal(await value('group-a'), '1');
      assert.equal(await value('group-b'), undefined, 'the failed work left nothing behind');
      assert.equal(await value('group-c'), '4');
    });

    it('counts the rows a statement changed, and reads nothing as undefined', async () => {
      assert.equal(await sqlWrite(db, (sql) => sql.run(UPDATE, 'x', 'no-such-secret')), 0);
      assert.equal(await value('no-such-secret'), undefined);
    });

    it('keeps a write out of a Kysely transaction open beside it', async () => {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const transaction = db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('authority_secrets').values({ name: 'in-trx', value: 'x' }).execute();
          await held;
          throw new Error('roll back');
        })
        .catch(() => 'rolled back');
      // Queued while the transaction holds a connection: on SQLite it must wait, not join it.
      const write = sqlWrite(db, (sql) => sql.run(INSERT, 'beside-trx', 'y'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      assert.equal(await transaction, 'rolled back');
      assert.equal(await write, 1);
      assert.equal(await value('in-trx'), undefined);
      assert.equal(await value('beside-trx'), 'y', 'the direct write survived the rollback beside it');
    });

    it('serialises read-then-write work that locks the same key', async () => {
      await sqlWrite(db, (sql) => sql.run(INSERT, 'counter', '0'));
      // Without the lock, PostgreSQL's concurrent transactions would read the same value and
      // lose increments; SQLite's single writer serialises them either way.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          sqlWrite(db, async (sql) => {
            await sql.lock('counter');
            const row = await sql.get<{ value: string }>(SELECT, 'counter');
            await sql.run(UPDATE, String(Number(row?.value) + 1), 'counter');
          }),
        ),
      );
      assert.equal(await value('counter'), '20');
    });

    it('rejects stores it did not open', async () => {
      await assert.rejects(() => sqlRead({}, () => Promise.resolve(1)), /opened by openStore/);
      await assert.rejects(() => sqlWrite({}, () => Promise.resolve(1)), /opened by openStore/);
    });
  });
}
