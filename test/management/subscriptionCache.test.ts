import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { recordChange } from '../../src/store/changes.js';
import type { Store } from '../../src/store/database.js';
import { Tessera } from '../../src/tessera.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

interface SubscriptionBody {
  subscriptionId: string;
  displayName: string;
  state: string;
}

/**
 * The management API answers `GET /subscriptions/{id}` from the directory read cache and keeps
 * each subscription's JSON per cached object: a change made by this process shows on the next
 * request, one made by another process (the CLI) within the directory's freshness window (1 s).
 */
describe('subscription reads are cached, and see changes', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;
  let cli: Tessera;

  const get = (subscriptionId: string) =>
    arm<SubscriptionBody>(t, 'GET', `/subscriptions/${subscriptionId}?${API.subscriptions}`, { token });

  const rename = (db: Store, subscriptionId: string, displayName: string, state = 'Enabled') =>
    recordChange(db, 'directory', (trx) =>
      trx
        .updateTable('subscriptions')
        .set({ display_name: displayName, state })
        .where('id', '=', subscriptionId)
        .execute(),
    );

  /** Asks until `done` holds, for at most 5 s: a few times the 1 s the cache may lag another process. */
  async function eventually<T>(ask: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
    let answer = await ask();
    for (let i = 0; i < 50 && !done(answer); i++) {
      await sleep(100);
      answer = await ask();
    }
    return answer;
  }

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    const reader = await principalWithRole(t, {
      displayName: 'reader',
      role: 'Reader',
      scope: f.subscriptionScope,
    });
    token = reader.token;
    // A second opening of the data folder, as a `tessera` CLI command beside the running server.
    cli = await Tessera.open({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
  });
  after(async () => {
    await cli.close();
    await t.stop();
  });

  it('answers with the same JSON while nothing changes', async () => {
    const first = await get(f.subscription.subscriptionId);
    const second = await get(f.subscription.subscriptionId);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(second.text, first.text);
    assert.equal(first.json.displayName, f.subscription.displayName);
  });

  it('sees a rename made by this process on the next request', async () => {
    const id = f.subscription.subscriptionId;
    assert.equal((await get(id)).json.displayName, f.subscription.displayName, 'cached first');
    await rename(t.server.tessera.db, id, 'Renamed here', 'Disabled');
    const after = await get(id);
    assert.equal(after.status, 200);
    assert.equal(after.json.displayName, 'Renamed here');
    assert.equal(after.json.state, 'Disabled');
    await rename(t.server.tessera.db, id, f.subscription.displayName);
    assert.equal((await get(id)).json.state, 'Enabled');
  });

  it('sees a rename made by another process within the freshness window', async () => {
    const id = f.subscription.subscriptionId;
    assert.equal((await get(id)).json.displayName, f.subscription.displayName, 'cached first');
    await rename(cli.db, id, 'Renamed by the CLI');
    const renamed = await eventually(
      () => get(id),
      (answer) => answer.json.displayName === 'Renamed by the CLI',
    );
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json.displayName, 'Renamed by the CLI');
    assert.equal(renamed.json.subscriptionId, id);
  });

  it('answers SubscriptionNotFound once another process deleted the subscription', async () => {
    // The reader has no role there: found (403) while it exists, not found (404) once deleted.
    const doomed = await t.server.tessera.subscriptions.create(t.tenant.id, 'Doomed');
    expectArmError(await get(doomed.subscriptionId), 403, 'AuthorizationFailed');
    await recordChange(cli.db, 'directory', (trx) =>
      trx.deleteFrom('subscriptions').where('id', '=', doomed.subscriptionId).execute(),
    );
    const gone = await eventually(
      () => get(doomed.subscriptionId),
      (answer) => answer.status === 404,
    );
    expectArmError(gone, 404, 'SubscriptionNotFound');
  });
});
