import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MediaFixture } from './support.js';
import { expectODataError, makeClip, media, mediaCaller, startMedia, uploadAsset } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Media Services v2: an account deleted and created again under its name', () => {
  let f: MediaFixture;

  let clip: string;

  before(async () => {
    f = await startMedia('lifecycle');
    clip = makeClip({ seconds: 1 });
  });
  after(() => f.t.stop());

  test('takes its entities with it, and the new account starts empty', async () => {
    const bootstrap = f.t.server.bootstrap;
    assert.ok(bootstrap);
    const caller = await mediaCaller(f, { displayName: 'lifecycle', role: 'Contributor' });
    const asset = await uploadAsset(f, caller.token, clip, 'kept.mp4');
    const container = join(f.t.dataDir, 'media', 'blobs', `asset-${asset.Id.slice('nb:cid:UUID:'.length)}`);
    assert.ok(existsSync(container), 'the upload has a container');
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
    // The rows went by cascade; the container goes when the server next starts.
    await f.t.restart();
    assert.ok(!existsSync(container), 'the deleted account left no container behind');
    // A restart opened the store anew: the server's services are the new ones.
    await f.t.server.tessera.mediaServices.createOrUpdate({
      ...where,
      name: 'lifecycle',
      location: 'westus',
    });
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
