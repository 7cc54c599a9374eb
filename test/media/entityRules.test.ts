import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Caller, Entity } from './protocolSupport.js';
import {
  ACCEPT,
  MES_ID,
  TASK_BODY,
  call,
  contributor,
  create,
  createAsset,
  keyOf,
  listAll,
  odataError,
  upload,
  waitForJob,
} from './protocolSupport.js';
import { makeClip, mediaCaller } from './support.js';

type List = { value: Entity[] };

describe('Media Services v2 entity rules through the API', () => {
  let c: Caller;
  let clip: Buffer;
  let clipDir: string;

  before(async () => {
    // ffmpeg runs synchronously here, before the server has anything in flight.
    const path = makeClip({ seconds: 2 });
    clip = readFileSync(path);
    clipDir = dirname(path);
    c = await contributor();
  });
  after(async () => {
    await c.f.t.stop();
    rmSync(clipDir, { recursive: true, force: true });
  });

  const readPolicy = () =>
    create(c, 'AccessPolicies', { Name: 'read', DurationInMinutes: 60, Permissions: 1 });

  test('locators: five per asset (the sixth is 409), duplicate Id 409, SAS update 400, origin with Write 400', async () => {
    const asset = await createAsset(c, 'five locators');
    const policy = await readPolicy();
    const made: Entity[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        await create(c, 'Locators', { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: i % 2 ? 2 : 1 }),
      );
    odataError(
      await call(c, 'POST', 'Locators', { body: { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1 } }),
      409,
    );
    assert.equal((await call(c, 'DELETE', keyOf('Locators', made[0]?.Id ?? ''))).status, 204);
    const chosen = `nb:lid:UUID:${randomUUID()}`;
    const withId = await create(c, 'Locators', {
      Id: chosen,
      AccessPolicyId: policy.Id,
      AssetId: asset.Id,
      Type: 1,
    });
    assert.equal(withId.Id, chosen);
    const other = await createAsset(c, 'other');
    odataError(
      await call(c, 'POST', 'Locators', {
        body: { Id: chosen, AccessPolicyId: policy.Id, AssetId: other.Id, Type: 1 },
      }),
      409,
    );

    const sas = made[2];
    assert.equal(sas?.Type, 1);
    odataError(await call(c, 'MERGE', keyOf('Locators', sas.Id), { body: { Name: 'renamed' } }), 400);
    odataError(
      await call(c, 'MERGE', keyOf('Locators', sas.Id), {
        body: { ExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString() },
      }),
      400,
    );
    const origin = made[1];
    assert.equal(origin?.Type, 2);
    const later = new Date(Date.now() + 7_200_000);
    assert.equal(
      (
        await call(c, 'MERGE', keyOf('Locators', origin.Id), {
          body: { ExpirationDateTime: later.toISOString() },
        })
      ).status,
      204,
    );
    const updated = await call<Entity>(c, 'GET', keyOf('Locators', origin.Id));
    assert.equal(Date.parse(String(updated.json.ExpirationDateTime)), later.getTime());

    const write = await create(c, 'AccessPolicies', { Name: 'write', DurationInMinutes: 60, Permissions: 2 });
    const readWrite = await create(c, 'AccessPolicies', {
      Name: 'rw',
      DurationInMinutes: 60,
      Permissions: 3,
    });
    for (const p of [write, readWrite]) {
      odataError(
        await call(c, 'POST', 'Locators', { body: { AccessPolicyId: p.Id, AssetId: other.Id, Type: 2 } }),
        400,
      );
    }
    // Unknown asset or policy, and no Type at all.
    odataError(
      await call(c, 'POST', 'Locators', {
        body: {
          AccessPolicyId: policy.Id,
          AssetId: 'nb:cid:UUID:00000000-0000-0000-0000-000000000000',
          Type: 1,
        },
      }),
      400,
    );
    odataError(
      await call(c, 'POST', 'Locators', { body: { AccessPolicyId: policy.Id, AssetId: other.Id } }),
      400,
    );
    assert.deepEqual(
      (await call<List>(c, 'GET', `${keyOf('Assets', other.Id)}/Locators`)).json.value,
      [],
      'refused locators leave nothing',
    );
  });

  test('limits hold under concurrent requests: five locators, one file name, one primary', async () => {
    const asset = await createAsset(c, 'raced');
    const policy = await readPolicy();
    const locators = await Promise.all(
      Array.from({ length: 12 }, () =>
        call(c, 'POST', 'Locators', { body: { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1 } }),
      ),
    );
    assert.deepEqual(locators.map((r) => r.status).sort(), [...Array(5).fill(201), ...Array(7).fill(409)]);
    const names = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(c, 'POST', 'Files', {
          body: {
            Name: i % 2 ? 'same.mp4' : `primary-${i}.mp4`,
            ParentAssetId: asset.Id,
            IsPrimary: i % 2 === 0,
          },
        }),
      ),
    );
    assert.deepEqual(names.map((r) => r.status).sort(), [201, 201, ...Array(8).fill(409)]);
    const files = await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files`);
    assert.equal(files.json.value.length, 2);
    assert.equal(files.json.value.filter((f) => f.IsPrimary === true).length, 1);
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => createAsset(c, `parallel-${i}`)));
    assert.equal(new Set(many.map((a) => a.Id)).size, 40);
    const listed = await listAll(c, `Assets?$filter=${encodeURIComponent("startswith(Name,'parallel-')")}`);
    assert.equal(listed.length, 40);
  });

  test('WriteOnce: an asset keeps its Options; an access policy its duration and permissions', async () => {
    const asset = await createAsset(c, 'write once', { Options: 1 });
    assert.equal(asset.Options, 1);
    odataError(await call(c, 'MERGE', keyOf('Assets', asset.Id), { body: { Options: 0 } }), 400);
    odataError(await call(c, 'PUT', keyOf('Assets', asset.Id), { body: { Name: 'x', Options: 4 } }), 400);
    // The same value again is no change (the .NET SDK sends every property back).
    assert.equal(
      (await call(c, 'MERGE', keyOf('Assets', asset.Id), { body: { Options: '1', Name: 'renamed' } })).status,
      204,
    );
    const read = await call<Entity>(c, 'GET', keyOf('Assets', asset.Id));
    assert.equal(read.json.Options, 1);
    assert.equal(read.json.Name, 'renamed');
    const policy = await readPolicy();
    odataError(await call(c, 'MERGE', keyOf('AccessPolicies', policy.Id), { body: { Permissions: 2 } }), 400);
    odataError(
      await call(c, 'MERGE', keyOf('AccessPolicies', policy.Id), { body: { DurationInMinutes: 5 } }),
      400,
    );
  });

  test('files: one primary per asset, unique names, write-once parent', async () => {
    const asset = await createAsset(c, 'files');
    const file = (body: Record<string, unknown>) =>
      call<Entity>(c, 'POST', 'Files', { body: { ParentAssetId: asset.Id, MimeType: 'video/mp4', ...body } });
    const primary = await file({ Name: 'a.mp4', IsPrimary: 'true', IsEncrypted: 'false' });
    assert.equal(primary.status, 201, primary.text);
    assert.equal(primary.json.IsPrimary, true);
    assert.equal(primary.json.IsEncrypted, false);
    odataError(await file({ Name: 'b.mp4', IsPrimary: true }), 409);
    const second = await file({ Name: 'b.mp4', IsPrimary: 'false' });
    assert.equal(second.status, 201);
    odataError(await call(c, 'MERGE', keyOf('Files', second.json.Id), { body: { IsPrimary: true } }), 409);
    odataError(await file({ Name: 'a.mp4' }), 409);
    odataError(await file({ Name: 'dir/c.mp4' }), 400);
    const other = await createAsset(c, 'other files');
    odataError(
      await call(c, 'MERGE', keyOf('Files', second.json.Id), { body: { ParentAssetId: other.Id } }),
      400,
    );
    // Moving the primary flag: clear it first, then set it elsewhere.
    assert.equal(
      (await call(c, 'MERGE', keyOf('Files', primary.json.Id), { body: { IsPrimary: false } })).status,
      204,
    );
    assert.equal(
      (await call(c, 'MERGE', keyOf('Files', second.json.Id), { body: { IsPrimary: true } })).status,
      204,
    );
    const files = await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files?$orderby=Name`);
    assert.deepEqual(
      files.json.value.map((f) => [f.Name, f.IsPrimary]),
      [
        ['a.mp4', false],
        ['b.mp4', true],
      ],
    );
  });

  test('values as clients send them: numbers and booleans as strings, US and zone-less dates, lenient JSON', async () => {
    odataError(
      await call(c, 'POST', 'AccessPolicies', { body: { Name: 'no duration', Permissions: 1 } }),
      400,
    );
    odataError(
      await call(c, 'POST', 'AccessPolicies', {
        body: { Name: 'null', DurationInMinutes: null, Permissions: 1 },
      }),
      400,
    );
    odataError(
      await call(c, 'POST', 'AccessPolicies', {
        body: { Name: 'text', DurationInMinutes: 'long', Permissions: 1 },
      }),
      400,
    );
    const policy = await create(c, 'AccessPolicies', {
      Name: 'strings',
      DurationInMinutes: '440',
      Permissions: '2',
    });
    assert.equal(policy.DurationInMinutes, 440);
    assert.equal(policy.Permissions, 2);
    const read = await create(c, 'AccessPolicies', {
      Name: 'read',
      DurationInMinutes: '43200.0',
      Permissions: '1',
    });
    const asset = await createAsset(c, 'strings', { Options: '0' });
    assert.equal(asset.Options, 0);

    const us = await create(c, 'Locators', {
      AccessPolicyId: read.Id,
      AssetId: asset.Id,
      StartTime: '12/5/2026 06:06:30 AM',
      Type: '2',
    });
    assert.equal(us.Type, 2);
    assert.equal(us.StartTime, '2026-12-05T06:06:30Z');
    assert.equal(
      Date.parse(String(us.ExpirationDateTime)),
      Date.parse('2026-12-05T06:06:30Z') + 43200 * 60_000,
    );
    const pm = await create(c, 'Locators', {
      AccessPolicyId: read.Id,
      AssetId: asset.Id,
      StartTime: '1/15/2027 6:06:30 PM',
      Type: 1,
    });
    assert.equal(pm.StartTime, '2027-01-15T18:06:30Z');
    const zoneless = await create(c, 'Locators', {
      AccessPolicyId: read.Id,
      AssetId: asset.Id,
      StartTime: '2026-12-05T06:06:30.1234567',
      Type: 1,
    });
    assert.equal(zoneless.StartTime, '2026-12-05T06:06:30.123Z');
    const omitted = await create(c, 'Locators', { AccessPolicyId: read.Id, AssetId: asset.Id, Type: 1 });
    assert.equal(omitted.StartTime, null);
    odataError(
      await call(c, 'POST', 'Locators', {
        body: { AccessPolicyId: read.Id, AssetId: asset.Id, StartTime: '13/45/2026 99:00 AM', Type: 1 },
      }),
      400,
    );

    // The OData JSON reader's leniency: single quotes and bare property names.
    const lenient = await call<Entity>(c, 'POST', 'Assets', {
      body: "{Name:'single quoted', Options:'0', 'AlternateId':'alt'}",
    });
    assert.equal(lenient.status, 201, lenient.text);
    assert.equal(lenient.json.Name, 'single quoted');
    assert.equal(lenient.json.AlternateId, 'alt');
    const file = await call<Entity>(c, 'POST', 'Files', {
      body: `{"Name":"x.mp4","ParentAssetId":"${asset.Id}","IsPrimary":"false","IsEncrypted":"False","ContentFileSize":"1186540"}`,
    });
    assert.equal(file.status, 201, file.text);
    assert.equal(file.json.IsPrimary, false);
    assert.equal(file.json.ContentFileSize, '1186540');
    odataError(
      await call(c, 'POST', 'Files', {
        body: { Name: 'y.mp4', ParentAssetId: asset.Id, IsPrimary: 'maybe' },
      }),
      400,
    );
  });

  test('account isolation: an entity of one account is a 404 in another', async () => {
    const bootstrap = c.f.t.server.bootstrap;
    assert.ok(bootstrap, 'the server bootstrapped');
    const { account: second } = await c.f.t.server.tessera.mediaServices.createOrUpdate({
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
      name: 'media2',
      location: 'westus',
    });
    const both = await mediaCaller(c.f, {
      displayName: 'both accounts',
      role: 'Contributor',
      scope: second.id,
    });
    await c.f.t.server.tessera.roleAssignments.create({
      tenantId: c.f.t.tenant.id,
      scope: c.f.scope,
      roleDefinition: 'Contributor',
      principalId: both.servicePrincipal.objectId,
    });
    const a: Caller = { f: c.f, token: both.token };
    const api2 = `${c.f.t.origin}/media/media2/api/`;
    const asset = await createAsset(a, 'in account one');
    const policy = await readPolicy();
    assert.equal((await call(a, 'GET', keyOf('Assets', asset.Id))).status, 200);
    odataError(await call(a, 'GET', keyOf('Assets', asset.Id), { api: api2 }), 404);
    odataError(await call(a, 'GET', `${keyOf('Assets', asset.Id)}/Files`, { api: api2 }), 404);
    odataError(await call(a, 'MERGE', keyOf('Assets', asset.Id), { api: api2, body: { Name: 'x' } }), 404);
    odataError(await call(a, 'DELETE', keyOf('Assets', asset.Id), { api: api2 }), 404);
    odataError(await call(a, 'DELETE', keyOf('AccessPolicies', policy.Id), { api: api2 }), 404);
    odataError(
      await call(a, 'GET', `CreateFileInfos?assetid='${encodeURIComponent(asset.Id)}'`, { api: api2 }),
      404,
    );
    const policy2 = await call<Entity>(a, 'POST', 'AccessPolicies', {
      api: api2,
      body: { Name: 'p', DurationInMinutes: 60, Permissions: 1 },
    });
    assert.equal(policy2.status, 201);
    odataError(
      await call(a, 'POST', 'Locators', {
        api: api2,
        body: { AccessPolicyId: policy2.json.Id, AssetId: asset.Id, Type: 1 },
      }),
      400,
    );
    odataError(
      await call(a, 'POST', 'Locators', {
        body: { AccessPolicyId: policy2.json.Id, AssetId: asset.Id, Type: 1 },
      }),
      400,
    );
    odataError(
      await call(a, 'POST', 'Jobs', {
        api: api2,
        body: {
          Name: 'cross',
          'InputMediaAssets@odata.bind': [`${api2}${keyOf('Assets', asset.Id)}`],
          Tasks: [
            { Configuration: 'H264 Single Bitrate 720p', MediaProcessorId: MES_ID, TaskBody: TASK_BODY },
          ],
        },
      }),
      400,
    );
    const list2 = await call<List>(a, 'GET', 'Assets', { api: api2 });
    assert.deepEqual(list2.json.value, []);
    const storage2 = await call<List>(a, 'GET', 'StorageAccounts', { api: api2 });
    assert.deepEqual(
      storage2.json.value.map((s) => s.Name),
      ['media2'],
    );
    // The caller of account one alone is refused by account two.
    odataError(await call(c, 'GET', 'Assets', { api: api2 }), 401);
  });

  test('deleting an asset removes its files, locators and links, and its blob container', async () => {
    const asset = await createAsset(c, 'doomed');
    await upload(c, asset, [
      { name: 'a.txt', bytes: 'a' },
      { name: 'b.txt', bytes: 'bb' },
    ]);
    const files = (await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files`)).json.value;
    assert.equal(files.length, 2);
    const policy = await readPolicy();
    const sas = await create(c, 'Locators', { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1 });
    const origin = await create(c, 'Locators', { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 2 });
    const delivery = await create(c, 'AssetDeliveryPolicies', {
      Name: 'd',
      AssetDeliveryProtocol: 0xffff,
      AssetDeliveryPolicyType: 2,
    });
    assert.equal(
      (
        await call(c, 'POST', `${keyOf('Assets', asset.Id)}/$links/DeliveryPolicies`, {
          body: { uri: `${c.f.api}${keyOf('AssetDeliveryPolicies', delivery.Id)}` },
        })
      ).status,
      204,
    );
    const child = await createAsset(c, 'child');
    await call(c, 'POST', `${keyOf('Assets', child.Id)}/$links/ParentAssets`, {
      body: { uri: `${c.f.api}${keyOf('Assets', asset.Id)}` },
    });
    const blobUrl = `${String(sas.BaseUri)}/a.txt${String(sas.ContentAccessComponent)}`;
    assert.equal((await fetch(blobUrl)).status, 200);
    const container = join(c.f.t.dataDir, 'media', 'blobs', `asset-${asset.Id.slice('nb:cid:UUID:'.length)}`);
    assert.ok(existsSync(container), container);

    assert.equal((await call(c, 'DELETE', keyOf('Assets', asset.Id))).status, 204);
    odataError(await call(c, 'GET', keyOf('Assets', asset.Id)), 404);
    for (const file of files) odataError(await call(c, 'GET', keyOf('Files', file.Id)), 404);
    odataError(await call(c, 'GET', keyOf('Locators', sas.Id)), 404);
    odataError(await call(c, 'GET', keyOf('Locators', origin.Id)), 404);
    assert.equal(
      (await call(c, 'GET', keyOf('AssetDeliveryPolicies', delivery.Id))).status,
      200,
      'the policy stays',
    );
    assert.deepEqual(
      (await call<List>(c, 'GET', `${keyOf('Assets', child.Id)}/ParentAssets`)).json.value,
      [],
    );
    const blob = await fetch(blobUrl);
    assert.ok(blob.status === 403 || blob.status === 404, `the blob is unreachable: ${blob.status}`);
    await blob.arrayBuffer();
    const streamed = await fetch(`${String(origin.Path)}a.txt`);
    assert.equal(streamed.status, 404);
    await streamed.arrayBuffer();
    for (let i = 0; i < 50 && existsSync(container); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(existsSync(container), false, 'the container is gone');
    const all = await listAll(c, 'Files');
    assert.ok(!all.some((f) => f.ParentAssetId === asset.Id), 'no file of the asset is listed');
  });

  test('a job that is not final cannot be deleted; canceled, it can', async () => {
    const input = await createAsset(c, 'clip');
    await upload(c, input, [{ name: 'clip.mp4', bytes: clip }]);
    const submit = (name: string) =>
      create(c, 'Jobs', {
        Name: name,
        'InputMediaAssets@odata.bind': [`${c.f.api}${keyOf('Assets', input.Id)}`],
        Tasks: [{ Configuration: 'H264 Single Bitrate 720p', MediaProcessorId: MES_ID, TaskBody: TASK_BODY }],
      });
    const running = await submit('first');
    // One encoding task at a time without reserved units: the second waits in the queue.
    const queued = await submit('second');
    odataError(await call(c, 'DELETE', keyOf('Jobs', queued.Id)), 400);
    odataError(await call(c, 'DELETE', keyOf('Jobs', running.Id)), 400);
    assert.equal((await call(c, 'GET', `CancelJob?jobid='${encodeURIComponent(queued.Id)}'`)).status, 204);
    assert.equal(await waitForJob(c, queued.Id), 5);
    odataError(await call(c, 'GET', `CancelJob?jobid='${encodeURIComponent(queued.Id)}'`), 400);
    const tasks = (await call<List>(c, 'GET', `${keyOf('Jobs', queued.Id)}/Tasks`)).json.value;
    assert.equal(tasks.length, 1);
    assert.equal((await call(c, 'DELETE', keyOf('Jobs', queued.Id))).status, 204);
    odataError(await call(c, 'GET', keyOf('Jobs', queued.Id)), 404);
    odataError(await call(c, 'GET', keyOf('Tasks', tasks[0]?.Id ?? '')), 404);

    const cancel = await call(c, 'GET', `CancelJob?jobid='${encodeURIComponent(running.Id)}'`);
    assert.equal(cancel.status, 204, cancel.text);
    const final = await waitForJob(c, running.Id);
    assert.ok(final === 5 || final === 3, `canceled (or finished first): ${final}`);
    const outputs = (await call<List>(c, 'GET', `${keyOf('Jobs', running.Id)}/OutputMediaAssets`)).json.value;
    assert.equal((await call(c, 'DELETE', keyOf('Jobs', running.Id))).status, 204);
    // Output assets outlive their job.
    for (const output of outputs)
      assert.equal((await call(c, 'GET', keyOf('Assets', output.Id))).status, 200);
  });

  test('EncodingReservedUnitTypes: one row per account, PUT and MERGE, quota and type checked', async () => {
    const list = await call<List>(c, 'GET', 'EncodingReservedUnitTypes');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.value.length, 1);
    const row = list.json.value[0] as Entity & { AccountId: string };
    assert.match(row.AccountId, /^[0-9a-f-]{36}$/);
    assert.equal(row.ReservedUnitType, 0);
    assert.equal(row.CurrentReservedUnits, 0);
    assert.equal(row.MaxReservableUnits, 25);
    const path = `EncodingReservedUnitTypes(guid'${row.AccountId}')`;
    const merged = await call(c, 'MERGE', path, { body: { CurrentReservedUnits: '2', ReservedUnitType: 1 } });
    assert.equal(merged.status, 204, merged.text);
    let read = await call<Entity>(c, 'GET', path);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.CurrentReservedUnits, 2);
    assert.equal(read.json.ReservedUnitType, 1);
    const quoted = await call<Entity>(c, 'GET', `EncodingReservedUnitTypes('${row.AccountId}')`);
    assert.equal(quoted.json.CurrentReservedUnits, 2);
    const put = await call(c, 'PUT', path, {
      body: {
        AccountId: row.AccountId,
        ReservedUnitType: 2,
        CurrentReservedUnits: 3,
        MaxReservableUnits: 25,
      },
    });
    assert.equal(put.status, 204, put.text);
    read = await call<Entity>(c, 'GET', path);
    assert.equal(read.json.ReservedUnitType, 2);
    assert.equal(read.json.CurrentReservedUnits, 3);
    assert.equal((await call<List>(c, 'GET', 'EncodingReservedUnitTypes')).json.value.length, 1);
    odataError(await call(c, 'MERGE', path, { body: { CurrentReservedUnits: 26 } }), 403);
    odataError(await call(c, 'MERGE', path, { body: { ReservedUnitType: 7 } }), 400);
    odataError(await call(c, 'MERGE', path, { body: { CurrentReservedUnits: -1 } }), 403);
    odataError(await call(c, 'POST', 'EncodingReservedUnitTypes', { body: { ReservedUnitType: 0 } }), 405);
    odataError(await call(c, 'DELETE', path), 405);
    odataError(
      await call(c, 'GET', `EncodingReservedUnitTypes(guid'00000000-0000-0000-0000-000000000000')`),
      404,
    );
    assert.equal(
      (await call(c, 'MERGE', path, { body: { CurrentReservedUnits: 0, ReservedUnitType: 0 } })).status,
      204,
    );
  });

  test('StorageAccounts and MediaProcessors are listed as the service listed them', async () => {
    const storage = await call<List>(c, 'GET', 'StorageAccounts');
    assert.deepEqual(
      storage.json.value.map((s) => [s.Name, s.IsDefault]),
      [[c.f.account, true]],
    );
    const one = await call<Entity>(c, 'GET', `StorageAccounts('${c.f.account}')`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.Name, c.f.account);
    odataError(await call(c, 'GET', "StorageAccounts('elsewhere')"), 404);
    odataError(await call(c, 'POST', 'StorageAccounts', { body: { Name: 'x' } }), 405);

    const processors = await call<List>(c, 'GET', 'MediaProcessors');
    assert.equal(processors.json.value.length, 11);
    const names = processors.json.value.map((p) => p.Name);
    for (const name of [
      'Media Encoder Standard',
      'Media Encoder Premium Workflow',
      'Azure Media Indexer',
      'Azure Media Indexer 2 Preview',
      'Storage Decryption',
      'Azure Media Face Detector',
      'Azure Media Motion Detector',
      'Azure Media Video Thumbnails',
      'Azure Media OCR',
      'Azure Media Content Moderator',
      'Azure Media Redactor',
    ])
      assert.ok(names.includes(name), name);
    for (const p of processors.json.value) assert.match(p.Id, /^nb:mpid:UUID:[0-9a-f-]{36}$/);
    const mes = await call<List>(c, 'GET', `MediaProcessors()?$filter=Name eq 'Media Encoder Standard'`);
    assert.deepEqual(mes.json.value, [
      {
        Id: MES_ID,
        Name: 'Media Encoder Standard',
        Description: 'Media Encoder Standard',
        Sku: '',
        Vendor: 'Microsoft',
        Version: '1.1',
      },
    ]);
    const byId = await call<Entity>(c, 'GET', `MediaProcessors('${MES_ID}')`);
    assert.equal(byId.json.Name, 'Media Encoder Standard');
    // A processor that is listed but does not run here is refused at submission, never accepted.
    const indexer = processors.json.value.find((p) => p.Name === 'Azure Media Indexer');
    const input = await createAsset(c, 'indexer input');
    odataError(
      await call(c, 'POST', 'Jobs', {
        body: {
          Name: 'index',
          'InputMediaAssets@odata.bind': [`${c.f.api}${keyOf('Assets', input.Id)}`],
          Tasks: [{ Configuration: '', MediaProcessorId: indexer?.Id, TaskBody: TASK_BODY }],
        },
      }),
      400,
    );
  });

  test('NotificationEndPoints: create, read, update, delete; bad addresses and types refused', async () => {
    const endpoint = await create(c, 'NotificationEndPoints', {
      Name: 'hook',
      EndPointAddress: 'https://example.invalid/hook',
      EndPointType: 3,
      CredentialType: 0,
      ProtectionKeyType: 0,
    });
    assert.match(endpoint.Id, /^nb:nepid:UUID:/);
    assert.equal(endpoint.EndPointType, 3);
    const queue = await create(c, 'NotificationEndPoints', {
      Name: 'queue',
      EndPointAddress: 'jobnotifications',
      EndPointType: '1',
    });
    assert.equal(queue.EndPointType, 1);
    const path = keyOf('NotificationEndPoints', endpoint.Id);
    assert.equal(
      (
        await call(c, 'MERGE', path, {
          body: { Name: 'renamed', EndPointAddress: 'http://example.invalid/2' },
        })
      ).status,
      204,
    );
    const read = await call<Entity>(c, 'GET', path);
    assert.equal(read.json.Name, 'renamed');
    assert.equal(read.json.EndPointAddress, 'http://example.invalid/2');
    odataError(await call(c, 'MERGE', path, { body: { EndPointAddress: 'not a url' } }), 400);
    odataError(
      await call(c, 'POST', 'NotificationEndPoints', {
        body: { Name: 'x', EndPointAddress: 'ftp://example.invalid/', EndPointType: 3 },
      }),
      400,
    );
    odataError(
      await call(c, 'POST', 'NotificationEndPoints', {
        body: { Name: 'x', EndPointAddress: 'https://example.invalid/', EndPointType: 9 },
      }),
      400,
    );
    odataError(await call(c, 'POST', 'NotificationEndPoints', { body: { Name: 'x', EndPointType: 3 } }), 400);
    const listed = await call<List>(c, 'GET', 'NotificationEndPoints?$orderby=Name');
    assert.deepEqual(
      listed.json.value.map((e) => e.Name),
      ['queue', 'renamed'],
    );
    assert.equal((await call(c, 'DELETE', path)).status, 204);
    odataError(await call(c, 'GET', path), 404);
    assert.equal((await call(c, 'DELETE', keyOf('NotificationEndPoints', queue.Id))).status, 204);
  });

  test('stored sets follow the model: service fields ignored, set-once fields kept, required fields required', async () => {
    const manifest = await create(c, 'IngestManifests', {
      Name: 'bulk',
      State: 2,
      BlobStorageUriForUpload: 'https://elsewhere.invalid/',
    });
    assert.equal(manifest.State, 0, 'State is the service’s');
    assert.equal(manifest.BlobStorageUriForUpload, null);
    assert.equal(manifest.StorageAccountName, c.f.account);
    const storage = await call<Entity>(c, 'GET', `${keyOf('IngestManifests', manifest.Id)}/StorageAccount`);
    assert.equal(storage.json.Name, c.f.account);
    odataError(
      await call(c, 'POST', 'IngestManifests', { body: { Name: 'x', StorageAccountName: 'elsewhere' } }),
      400,
    );
    const other = await create(c, 'IngestManifests', { Name: 'other' });
    const manifestAsset = await create(c, 'IngestManifestAssets', { ParentIngestManifestId: manifest.Id });
    const path = keyOf('IngestManifestAssets', manifestAsset.Id);
    odataError(await call(c, 'MERGE', path, { body: { ParentIngestManifestId: other.Id } }), 400);
    assert.equal(
      (await call(c, 'MERGE', path, { body: { ParentIngestManifestId: manifest.Id } })).status,
      204,
    );
    // PUT keeps what the service set and what was set once.
    assert.equal(
      (await call(c, 'PUT', keyOf('IngestManifests', manifest.Id), { body: { Name: 'renamed' } })).status,
      204,
    );
    const replaced = await call<Entity>(c, 'GET', keyOf('IngestManifests', manifest.Id));
    assert.equal(replaced.json.Name, 'renamed');
    assert.equal(replaced.json.Created, manifest.Created);
    assert.equal(replaced.json.StorageAccountName, c.f.account);
    assert.equal(replaced.json.State, 0);

    odataError(
      await call(c, 'POST', 'IngestManifestFiles', {
        body: { Name: 'f', ParentIngestManifestId: manifest.Id },
      }),
      400,
    );
    odataError(await call(c, 'POST', 'TaskTemplates', { body: { Name: 'no processor' } }), 400);
    odataError(await call(c, 'POST', 'JobTemplates', { body: { Name: 'no body' } }), 400);
    odataError(
      await call(c, 'POST', 'ContentKeyAuthorizationPolicyOptions', {
        body: { Name: 'o', KeyDeliveryType: 2 },
      }),
      400,
    );
    odataError(
      await call(c, 'POST', 'ContentKeyAuthorizationPolicies', {
        body: { Name: 'p', Options: [{ Name: 'inline' }] },
      }),
      400,
    );
    const template = await create(c, 'TaskTemplates', { Name: 'tt', MediaProcessorId: MES_ID, Options: 1 });
    odataError(await call(c, 'MERGE', keyOf('TaskTemplates', template.Id), { body: { Options: 0 } }), 400);
    assert.equal((await call(c, 'DELETE', keyOf('TaskTemplates', template.Id))).status, 204);
    assert.equal((await call(c, 'DELETE', path)).status, 204);
    assert.equal((await call(c, 'DELETE', keyOf('IngestManifests', other.Id))).status, 204);
  });

  test('AssetDeliveryPolicies: Blocked closes its protocols at the streaming endpoint; unnamed protocols close too', async () => {
    const asset = await createAsset(c, 'delivered');
    await upload(c, asset, [{ name: 'tiny.mp4', bytes: clip }]);
    const origin = await create(c, 'Locators', {
      AccessPolicyId: (await readPolicy()).Id,
      AssetId: asset.Id,
      Type: 2,
    });
    const path = String(origin.Path);
    assert.match(path, /\/streaming\/[0-9a-f-]{36}\/$/);
    const status = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.status;
    };
    const hls = `${path}tiny.ism/manifest(format=m3u8-aapl)`;
    const dash = `${path}tiny.ism/manifest(format=mpd-time-csf)`;
    const smooth = `${path}tiny.ism/manifest`;
    const progressive = `${path}tiny.mp4`;

    // No policy: everything open (an asset of MP4s without a server manifest is packaged as one).
    assert.equal(await status(progressive), 200);
    const bytes = Buffer.from(await (await fetch(progressive)).arrayBuffer());
    assert.ok(bytes.equals(clip), 'progressive download serves the uploaded bytes');
    assert.equal(await status(hls), 200);

    const policy = async (body: Record<string, unknown>) => {
      const created = await create(c, 'AssetDeliveryPolicies', body);
      const link = await call(c, 'POST', `${keyOf('Assets', asset.Id)}/$links/DeliveryPolicies`, {
        body: { uri: `${c.f.api}${keyOf('AssetDeliveryPolicies', created.Id)}` },
      });
      assert.equal(link.status, 204, link.text);
      return created;
    };
    const blockHls = await policy({
      Name: 'no hls',
      AssetDeliveryProtocol: '4',
      AssetDeliveryPolicyType: '1',
    });
    assert.equal(blockHls.AssetDeliveryPolicyType, 1);
    // A single policy: what it does not name is closed too, as the service documented.
    assert.equal(await status(hls), 403);
    assert.equal(await status(dash), 403);
    assert.equal(await status(progressive), 200);

    const clear = await policy({ Name: 'clear', AssetDeliveryProtocol: 3, AssetDeliveryPolicyType: 2 });
    assert.equal(await status(hls), 403);
    assert.equal(await status(dash), 200, 'DASH is open again');
    assert.equal(await status(smooth), 200);
    assert.equal(await status(progressive), 200);

    const blockDownload = await policy({
      Name: 'no download',
      AssetDeliveryProtocol: 16,
      AssetDeliveryPolicyType: 1,
    });
    assert.equal(await status(progressive), 403);
    const read = await call(c, 'GET', `${keyOf('Assets', asset.Id)}/DeliveryPolicies?$orderby=Name`, {
      accept: ACCEPT.minimal,
    });
    assert.deepEqual(
      (read.json as List).value.map((p) => p.Name),
      ['clear', 'no download', 'no hls'],
    );

    // Unlinked, or deleted, a policy stops applying.
    assert.equal(
      (
        await call(
          c,
          'DELETE',
          `${keyOf('Assets', asset.Id)}/$links/DeliveryPolicies('${encodeURIComponent(blockDownload.Id)}')`,
        )
      ).status,
      204,
    );
    assert.equal(await status(progressive), 200);
    assert.equal((await call(c, 'DELETE', keyOf('AssetDeliveryPolicies', blockHls.Id))).status, 204);
    assert.equal(await status(hls), 403, 'no remaining policy names HLS');
    assert.equal(await status(dash), 200);
    assert.equal((await call(c, 'DELETE', keyOf('AssetDeliveryPolicies', clear.Id))).status, 204);
    assert.equal(await status(hls), 200, 'no policy at all: every protocol is open');
    assert.deepEqual(
      (await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/DeliveryPolicies`)).json.value,
      [],
    );
    odataError(
      await call(c, 'POST', 'AssetDeliveryPolicies', {
        body: { Name: 'bad', AssetDeliveryProtocol: 3, AssetDeliveryPolicyType: 9 },
      }),
      400,
    );
  });
});
