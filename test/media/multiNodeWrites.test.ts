import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { entityPath } from '../../src/media/mediaData.js';
import { MediaEntities, MediaWriteConflict } from '../../src/media/persistence/mediaEntities.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { storeEngines } from '../support/database.js';
import { MediaNode, closeCluster, entity, eventually, openCluster } from './multiNodeSupport.js';
import type { Cluster } from './multiNodeSupport.js';

/**
 * Units of work of two nodes on one entity: each reads the entity from its own in-memory view
 * and commits a change over it. No acknowledged change may be lost, whatever the views held.
 */
for (const { engine, skip } of storeEngines()) {
  describe(`media entity writes from two nodes (${engine})`, { skip }, () => {
    let cluster: Cluster;
    let a: MediaNode;
    let b: MediaNode;

    before(async () => {
      cluster = await openCluster(engine);
      [a, b] = await Promise.all([MediaNode.start(cluster, 'node-a'), MediaNode.start(cluster, 'node-b')]);
    });

    after(async () => {
      await closeCluster(cluster);
    });

    const newAsset = async (name: string) => {
      const asset = await cluster.data.entity(cluster.session, 'POST', 'Assets', { Name: name });
      assert.ok(asset);
      return asset.Id as string;
    };

    test('read-modify-write units on one entity from both nodes lose no increment', async () => {
      const assetId = await newAsset('counter');
      const times = 40;
      // Node A's caller retries what is refused; node B's units run again by themselves.
      const [fromA, fromB] = await Promise.all([
        a.call<{ acked: number; refused: number }>({
          op: 'increment',
          assetId,
          times,
          retryOnConflict: false,
        }),
        b.call<{ acked: number; refused: number }>({
          op: 'increment',
          assetId,
          times,
          retryOnConflict: true,
        }),
      ]);
      assert.equal(fromA.acked + fromB.acked, 2 * times);
      const asset = await entity(cluster, 'Assets', assetId);
      assert.equal(asset.AlternateId, String(2 * times), JSON.stringify({ fromA, fromB }));
      if (engine === 'postgres') {
        // Units run under the account's lock: none is ever refused.
        assert.equal(fromA.refused, 0);
      }
    });

    test('MERGEs of two properties of one asset through the API of both nodes keep each last value', async () => {
      const assetId = await newAsset('merged');
      const times = 30;
      await Promise.all([
        a.call({ op: 'merge', assetId, property: 'Name', prefix: 'a-', times }),
        b.call({ op: 'merge', assetId, property: 'AlternateId', prefix: 'b-', times }),
      ]);
      const asset = await entity(cluster, 'Assets', assetId);
      assert.equal(asset.Name, `a-${times}`);
      assert.equal(asset.AlternateId, `b-${times}`);
      // And both nodes read it so, once their views have caught up (each trusts its view for
      // 100 ms after its own last write).
      for (const node of [a, b]) {
        await eventually(
          `${node.name} to read both last values`,
          async () => {
            const read = await node.call<{ status: number; body: string }>({
              op: 'request',
              method: 'GET',
              path: entityPath('Assets', assetId),
            });
            const body = JSON.parse(read.body) as { Name: string; AlternateId: string };
            return body.Name === `a-${times}` && body.AlternateId === `b-${times}` ? true : undefined;
          },
          5000,
        );
      }
    });
  });
}

/**
 * The SQLite race itself, in one process with two connections to one data folder: a unit whose
 * view another connection committed over is refused (or, when it may, runs again), never
 * committed over what it did not see.
 */
describe('a unit that lost the race on SQLite', () => {
  let cluster: Cluster;
  let other: Store;

  before(async () => {
    cluster = await openCluster('sqlite');
    other = await openStore({ dataDir: cluster.location.dataDir });
  });

  after(async () => {
    await other.destroy();
    await closeCluster(cluster);
  });

  test('is refused with a retryable 503 and writes nothing; with retryOnConflict it runs again over the new state', async () => {
    const asset = await cluster.data.entity(cluster.session, 'POST', 'Assets', { Name: 'raced' });
    assert.ok(asset);
    const id = asset.Id as string;
    const mine = cluster.data.entities;
    const theirs = new MediaEntities(other);
    await mine.view(cluster.account);
    let runs = 0;
    // Their commit lands while my unit's rules run (after my view was checked, before my commit).
    const racing =
      (value: string) => async (writer: Parameters<Parameters<MediaEntities['write']>[1]>[0]) => {
        runs += 1;
        const current = writer.get('Assets', id);
        assert.ok(current);
        if (runs === 1) {
          await theirs.write(cluster.account, (w) => {
            const seen = w.get('Assets', id);
            assert.ok(seen);
            w.update('Assets', { ...seen, AlternateId: 'theirs' });
          });
        }
        writer.update('Assets', { ...current, Name: value });
      };
    const refused = await mine.write(cluster.account, racing('mine')).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof MediaWriteConflict, String(refused));
    assert.equal(refused.status, 503);
    assert.equal(refused.code, 'ServerBusy');
    assert.equal(refused.headers['retry-after'], '1');
    let stored = await entity(cluster, 'Assets', id);
    assert.deepEqual([stored.Name, stored.AlternateId], ['raced', 'theirs']);

    runs = 0;
    await mine.write(cluster.account, racing('mine again'), { retryOnConflict: true });
    assert.equal(runs, 2, 'the unit ran again over the state the other connection committed');
    stored = await entity(cluster, 'Assets', id);
    assert.deepEqual([stored.Name, stored.AlternateId], ['mine again', 'theirs']);
  });
});
