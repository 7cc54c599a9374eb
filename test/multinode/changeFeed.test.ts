import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AccessEngine } from '../../src/access/engine.js';
import { changeFeedOf } from '../../src/store/changeFeed.js';
import { ChangeWatcher, changeNotices } from '../../src/store/changes.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { Tessera } from '../../src/tessera.js';
import { testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';
import { multinodeSkip, until } from './support.js';

// Longer than any test: whatever a reader sees, it saw through a notification, not a poll.
const NEVER_POLL = 3_600_000;

/** Backends of the store's database with this application_name. */
async function backends(db: Store, application: string): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() and application_name = ${application}`.execute(
    db,
  );
  return rows.map((row) => row.pid);
}

describe(
  'the change feed: LISTEN/NOTIFY between processes on one PostgreSQL database',
  { skip: multinodeSkip() },
  () => {
    let location: TestStoreLocation;
    let writer: Tessera;
    let reader: Tessera;
    before(async () => {
      location = await testStoreLocation('postgres');
      writer = await Tessera.open({ ...location, poolSize: 2 });
      reader = await Tessera.open({ ...location, poolSize: 2 });
    });
    after(async () => {
      await reader?.close();
      await writer?.close();
      await location?.dispose();
    });

    it('moves another process’s directory stamp at once, with polling out of the picture', async () => {
      const watcher = new ChangeWatcher(reader.db, 'directory', NEVER_POLL);
      const before = await watcher.stamp();
      await until('the feed listens', () => changeFeedOf(reader.db)?.listening === true);
      // The first connect counts as "notifications may have been missed": settle that read first.
      const settled = await watcher.stamp();
      await writer.directory.createTenant({ domain: `feed-${randomUUID().slice(0, 8)}` });
      const waited = await until('the stamp moves', async () => (await watcher.stamp()) !== settled);
      assert.notEqual(await watcher.stamp(), before);
      assert.ok(waited < 5_000);
    });

    it('replays another process’s role assignment into the access index on the journal’s notification', async () => {
      const engine = new AccessEngine(reader.db, { freshnessMs: NEVER_POLL });
      const tenant = await writer.directory.createTenant({ domain: `access-${randomUUID().slice(0, 8)}` });
      const subscription = await writer.subscriptions.create(tenant.id, 'feed');
      const { servicePrincipal } = await writer.directory.registerApplication(tenant, {
        displayName: 'feed-app',
      });
      const scope = `/subscriptions/${subscription.subscriptionId}`;
      const read = 'Microsoft.Resources/subscriptions/resourceGroups/read';
      assert.equal((await engine.evaluate(servicePrincipal.objectId, read, scope, 'action')).allowed, false);
      await writer.roleAssignments.create({
        tenantId: tenant.id,
        scope,
        roleDefinition: 'Reader',
        principalId: servicePrincipal.objectId,
        principalType: 'ServicePrincipal',
      });
      await until(
        'the assignment is enforced',
        async () => (await engine.evaluate(servicePrincipal.objectId, read, scope, 'action')).allowed,
      );
    });

    it('counts a counter no ChangeArea names (media) for readers that poll it', async () => {
      const before = changeNotices(reader.db, 'media');
      await until('the feed listens', () => changeFeedOf(reader.db)?.listening === true);
      await sql`update change_counters set version = version + 1 where name = 'media'`.execute(writer.db);
      await until('the media notice arrives', () => changeNotices(reader.db, 'media') > before);
    });

    it('after losing its connection, reconnects and treats every area as changed', async () => {
      const watcher = new ChangeWatcher(reader.db, 'directory', NEVER_POLL);
      await until('the feed listens', () => changeFeedOf(reader.db)?.listening === true);
      const settled = await watcher.stamp();
      // A change nobody is notified of, as one committed while the connection was down would be.
      await writer.db.transaction().execute(async (trx) => {
        await sql`alter table change_counters disable trigger change_counters_notify`.execute(trx);
        await sql`update change_counters set version = version + 1 where name = 'directory'`.execute(trx);
        await sql`alter table change_counters enable trigger change_counters_notify`.execute(trx);
      });
      await sleep(50);
      assert.equal(await watcher.stamp(), settled, 'unnotified, and not polled');
      // Every feed on the database (the writer's too) loses its connection.
      const { rows } = await sql<{ ended: boolean }>`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = current_database() and application_name = 'tessera changes'`.execute(writer.db);
      assert.ok(rows.length > 0 && rows.every((row) => row.ended));
      await until(
        'the reader’s stamp moves after the reconnect',
        async () => (await watcher.stamp()) !== settled,
      );
      assert.equal(changeFeedOf(reader.db)?.listening, true);
    });

    it('closes its connection with the store, and opens none for a store nobody reads through', async () => {
      const db = await openStore(location);
      const feed = changeFeedOf(db);
      assert.ok(feed);
      assert.equal(feed.listening, false, 'not connected before a reader subscribes');
      await new ChangeWatcher(db, 'access', NEVER_POLL).stamp();
      await until('the feed listens', () => feed.listening);
      // By its pid, not by counting: the other stores' feeds may be reconnecting meanwhile.
      const pid = feed.backendPid;
      assert.ok(pid !== undefined);
      assert.ok((await backends(writer.db, 'tessera changes')).includes(pid));
      await db.destroy();
      assert.equal(feed.listening, false);
      assert.equal(feed.backendPid, undefined);
      await until(
        'its backend is gone',
        async () => !(await backends(writer.db, 'tessera changes')).includes(pid),
      );
    });
  },
);

describe('the change feed on SQLite', () => {
  it('has none: readers poll the counters there', async () => {
    const location = await testStoreLocation('sqlite');
    const db = await openStore(location);
    try {
      assert.equal(changeFeedOf(db), undefined);
      assert.equal(changeNotices(db, 'directory'), 0);
    } finally {
      await db.destroy();
      await location.dispose();
    }
  });
});
