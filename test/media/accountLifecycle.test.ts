import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaFixture } from './support.js';
import { expectODataError, media, mediaCaller, startMedia } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Media Services v2: an account deleted and created again under its name', () => {
  let f: MediaFixture;

  before(async () => {
    f = await startMedia('lifecycle');
  });
  after(() => f.t.stop());

  test('takes its entities with it, and the new account starts empty', async () => {
    const bootstrap = f.t.server.bootstrap;
    assert.ok(bootstrap);
    const caller = await mediaCaller(f, { displayName: 'lifecycle', role: 'Contributor' });
    assert.equal((await media(f, caller.token, 'POST', 'Assets', { body: { Name: 'kept?' } })).status, 201);
    const { mediaServices } = f.t.server.tessera;
    const where = {
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
    };
    await mediaServices.delete(where.subscriptionId, where.resourceGroup, 'lifecycle');
    // Account lookups are kept a second.
    let gone = await media(f, caller.token, 'GET', 'Assets');
    for (let i = 0; i < 30 && gone.status !== 404; i++) {
      await sleep(100);
      gone = await media(f, caller.token, 'GET', 'Assets');
    }
    expectODataError(gone, 404);
    await mediaServices.createOrUpdate({ ...where, name: 'lifecycle', location: 'westus' });
    // The role assignment went with the old account; grant it on the new one.
    await f.t.server.tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: f.scope,
      roleDefinition: 'Contributor',
      principalId: caller.servicePrincipal.objectId,
    });
    let assets = await media<{ value: unknown[] }>(f, caller.token, 'GET', 'Assets');
    for (let i = 0; i < 30 && assets.status !== 200; i++) {
      await sleep(100);
      assets = await media<{ value: unknown[] }>(f, caller.token, 'GET', 'Assets');
    }
    assert.equal(assets.status, 200, assets.text);
    assert.deepEqual(assets.json.value, []);
  });
});
