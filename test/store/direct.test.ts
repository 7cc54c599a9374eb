import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { sqlRead, sqlWrite } from '../../src/store/direct.js';

const INSERT = 'insert into authority_secrets (name, value) values (?, ?)';
const SELECT = 'select value from authority_secrets where name = ?';

describe('direct SQL on the store connection', () => {
  let dir: string;
  let db: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-direct-'));
    db = await openStore({ dataDir: dir });
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const value = (name: string) => sqlRead(db, (sql) => sql.get<{ value: string }>(SELECT, name)?.value);

  it('commits the writes of one turn together, each atomic: one that throws is undone alone', async () => {
    const results = await Promise.allSettled([
      sqlWrite(db, (sql) => sql.run(INSERT, 'group-a', '1')),
      sqlWrite(db, (sql) => {
        sql.run(INSERT, 'group-b', '2');
        // The same primary key again: this work fails after its first statement succeeded.
        sql.run(INSERT, 'group-b', '3');
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

  it('never runs inside a Kysely transaction that is open on the connection', async () => {
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
    // Queued while the transaction holds the connection: it must wait, not join it.
    const write = sqlWrite(db, (sql) => sql.run(INSERT, 'beside-trx', 'y'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    assert.equal(await transaction, 'rolled back');
    assert.equal(await write, 1);
    assert.equal(await value('in-trx'), undefined);
    assert.equal(await value('beside-trx'), 'y', 'the direct write survived the rollback beside it');
  });

  it('rejects stores it did not open', async () => {
    await assert.rejects(() => sqlRead({}, () => 1), /opened by openStore/);
    await assert.rejects(() => sqlWrite({}, () => 1), /opened by openStore/);
  });
});
