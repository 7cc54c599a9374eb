import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseKeeper } from '../../src/media/live/control/leaseKeeper.js';
import { LiveLeaseLost, StoreLiveLease } from '../../src/media/live/control/liveLease.js';
import type { LeaseTerm, LiveLease } from '../../src/media/live/control/liveLease.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

/** Polls `check` every 20 ms until it holds, at most `limitMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The live lease (migration 0019) on both engines, as several nodes see it: each node is a store
 * of its own on one database (on SQLite, connections to one data folder, as a server and the CLI
 * have).
 */
for (const { engine, skip } of storeEngines()) {
  describe(`the live lease on ${engine}`, { skip }, () => {
    let location: TestStoreLocation;
    const stores: Store[] = [];
    /** A short lease, so that expiry is quick to wait for. */
    const SHORT_MS = 400;

    before(async () => {
      location = await testStoreLocation(engine);
      for (let i = 0; i < 4; i++) stores.push(await openStore(location));
    });
    after(async () => {
      for (const db of stores) await db.destroy();
      await location?.dispose();
    });

    const leases = (leaseMs: number) => stores.map((db) => new StoreLiveLease(db, leaseMs));
    const takeAll = (all: LiveLease[], tag: string) =>
      Promise.all(all.map((lease, i) => lease.acquire(`${tag}-${i}`)));

    test('of nodes taking it at once, exactly one holds it; the others wait while it is renewed', async () => {
      const all = leases(60_000);
      const [head] = all;
      assert.ok(head);
      assert.equal(await head.holder(), undefined, 'never taken yet');
      for (let round = 0; round < 3; round++) {
        const taken = await takeAll(all, `round${round}`);
        const holders = taken.flatMap((t, i) => (t ? [{ t, i }] : []));
        assert.equal(holders.length, 1, `round ${round}: ${JSON.stringify(taken)}`);
        const { t: term, i } = holders[0]!;
        assert.equal(term.node, `round${round}-${i}`);
        assert.deepEqual(await head.holder(), { ...term, live: true });
        // Taken again while held: refused to everyone else, renewals go on.
        assert.deepEqual(
          (await takeAll(all, `again${round}`)).filter((t, j) => t && j !== i),
          [],
        );
        assert.equal(await all[i]!.renew(term), true);
        // A clean stop gives it up: the next round takes it at once, in a new term.
        await all[i]!.release(term);
        assert.equal((await head.holder())?.live, false);
      }
      assert.equal((await head.holder())?.term, 3, 'every takeover is a new term');
    });

    test('expiry hands it over; the old holder can neither renew nor write, and its release is harmless', async () => {
      const [a, b] = leases(SHORT_MS);
      assert.ok(a && b);
      // Whatever the previous test left: free it.
      const before = await a.holder();
      if (before) await a.release(before);
      const first = await a.acquire('node-a');
      assert.ok(first);
      assert.equal(await b.acquire('node-b'), undefined, 'held: refused');
      await until('the lease to expire', async () => (await a.holder())?.live === false);
      // Expired and not taken yet: still no renewal (the term is over once the lease expired).
      assert.equal(await a.renew(first), false, 'a renewal after expiry is refused');
      const second = await b.acquire('node-b');
      assert.ok(second, 'an expired lease is taken');
      assert.equal(second.term, first.term + 1);
      assert.equal(await a.renew(first), false, 'a renewal after a takeover is refused');
      await assert.rejects(
        stores[0]!.transaction().execute((trx) => a.confirm(trx, first)),
        LiveLeaseLost,
        "a write of the old term's is refused",
      );
      await a.release(first);
      assert.deepEqual(await a.holder(), { ...second, live: true }, "the old term's release changes nothing");
      assert.equal(await a.acquire('node-a'), undefined);
      await stores[1]!.transaction().execute((trx) => b.confirm(trx, second));
      assert.equal(await b.renew(second), true);
      await b.release(second);
    });

    test('a node takes its own row back after its term ended, in a new term', async () => {
      const [a] = leases(SHORT_MS);
      assert.ok(a);
      const first = await a.acquire('node-a');
      assert.ok(first);
      // The node ended its term itself (it could not renew in time) while the row still names it.
      const again = await a.acquire('node-a');
      assert.ok(again);
      assert.equal(again.term, first.term + 1);
      assert.equal(await a.renew(first), false, 'the ended term stays ended');
      await a.release(again);
    });
  });
}

/** A lease whose answers the test decides. */
class ScriptedLease implements LiveLease {
  free = true;
  renewals: 'accept' | 'refuse' | 'fail' = 'accept';
  term = 0;
  released: LeaseTerm[] = [];

  async acquire(node: string): Promise<LeaseTerm | undefined> {
    if (!this.free) return undefined;
    this.free = false;
    return { node, term: ++this.term };
  }
  async renew(): Promise<boolean> {
    if (this.renewals === 'fail') throw new Error('the database does not answer');
    return this.renewals === 'accept';
  }
  async confirm(): Promise<void> {}
  async release(held: LeaseTerm): Promise<void> {
    this.released.push(held);
    this.free = true;
  }
  async holder() {
    return undefined;
  }
}

describe('the lease keeper', () => {
  const silent = { error: () => undefined, warn: () => undefined };
  const keeperOn = (lease: ScriptedLease) => {
    const events: string[] = [];
    const keeper = new LeaseKeeper({
      lease,
      node: 'node-a',
      leaseMs: 500,
      renewMs: 50,
      log: silent,
      gained: (term) => events.push(`gained ${term.term}`),
      lost: async (term, reason) => {
        events.push(`lost ${term.term} ${reason}`);
        await sleep(30);
        events.push(`stopped ${term.term}`);
      },
    });
    return { keeper, events };
  };

  test('a refused renewal ends the term at once; the lease is tried again once the work stopped', async () => {
    const lease = new ScriptedLease();
    const { keeper, events } = keeperOn(lease);
    try {
      await keeper.start();
      assert.deepEqual(events, ['gained 1']);
      assert.equal(keeper.term?.term, 1);
      lease.renewals = 'refuse';
      await until('the term to end', () => events.includes('lost 1 taken'));
      assert.equal(keeper.term, undefined);
      // Another node holds it: nothing is gained until it is free again.
      await sleep(150);
      assert.deepEqual(events, ['gained 1', 'lost 1 taken', 'stopped 1']);
      lease.renewals = 'accept';
      lease.free = true;
      await until('the lease to be taken again', () => events.includes('gained 2'));
      assert.ok(events.indexOf('stopped 1') < events.indexOf('gained 2'));
    } finally {
      await keeper.close();
    }
  });

  test('renewals that fail for most of the lease end the term before it can expire', async () => {
    const lease = new ScriptedLease();
    const { keeper, events } = keeperOn(lease);
    try {
      await keeper.start();
      lease.renewals = 'fail';
      // No renewal is refused: the keeper stops on its own clock (at 0.8 of the lease).
      await until('the self-fence', () => events.includes('lost 1 unrenewed'));
      assert.equal(keeper.term, undefined);
      assert.deepEqual(lease.released, [], 'nothing to give up: the database does not answer');
    } finally {
      await keeper.close();
    }
  });

  test('a holder that the work found deposed (drop) stops without waiting for a renewal', async () => {
    const lease = new ScriptedLease();
    const { keeper, events } = keeperOn(lease);
    try {
      await keeper.start();
      const term = keeper.term;
      assert.ok(term);
      keeper.drop({ ...term }); // not the term held: ignored
      assert.equal(keeper.term, term);
      keeper.drop(term);
      assert.deepEqual(events, ['gained 1', 'lost 1 taken']);
    } finally {
      await keeper.close();
    }
  });

  test('closing ends the term, then gives the lease up', async () => {
    const lease = new ScriptedLease();
    const { keeper, events } = keeperOn(lease);
    await keeper.start();
    await keeper.close();
    assert.deepEqual(events, ['gained 1', 'lost 1 closing', 'stopped 1']);
    assert.deepEqual(lease.released, [{ node: 'node-a', term: 1 }]);
    lease.free = true;
    await sleep(120);
    assert.equal(keeper.term, undefined, 'a closed keeper takes nothing');
  });

  test('a node that finds the lease held stays without it and takes it once free', async () => {
    const lease = new ScriptedLease();
    lease.free = false;
    const { keeper, events } = keeperOn(lease);
    try {
      await keeper.start();
      assert.equal(keeper.term, undefined);
      lease.free = true;
      await until('the lease to be taken', () => events.includes('gained 1'));
    } finally {
      await keeper.close();
    }
  });
});
