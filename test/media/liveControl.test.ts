import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import type { ChannelSpec, ProgramSpec } from '../../src/media/live/liveIngest.js';
import type { Caller, CallOptions, Entity, Reply } from './protocolSupport.js';
import {
  ACCEPT,
  NS,
  call,
  child,
  createAsset,
  create,
  keyOf,
  odataError,
  parseXmlDocument,
  upload,
} from './protocolSupport.js';
import type { LiveServer } from './liveControlSupport.js';
import {
  RECORDED,
  operationIdOf,
  settledOperation,
  startLiveServer,
  succeeds,
  until,
} from './liveControlSupport.js';
import { mediaCaller } from './support.js';

/** A pass-through channel as the Postman collection creates one, with an allow list. */
const channelBody = (name: string, extra: Record<string, unknown> = {}) => ({
  Name: name,
  Description: 'a test channel',
  Input: {
    KeyFrameInterval: null,
    StreamingProtocol: 'RTMP',
    AccessControl: { IP: { Allow: [{ Name: 'encoder', Address: '127.0.0.1', SubnetPrefixLength: 32 }] } },
    Endpoints: [],
  },
  Preview: {
    AccessControl: { IP: { Allow: [{ Name: 'Allow All', Address: '0.0.0.0', SubnetPrefixLength: 0 }] } },
    Endpoints: [],
  },
  Output: { Hls: { FragmentsPerSegment: 1 } },
  CrossSiteAccessPolicies: { ClientAccessPolicy: null, CrossDomainPolicy: null },
  ...extra,
});

describe('Media Services v2 live control plane: channels, programs, streaming endpoints, operations', () => {
  let c: Caller;
  let h: LiveServer;
  let channel: Entity;

  const live = <T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> =>
    call<T>(c, method, path, options);
  const get = async (set: string, id: string): Promise<Entity> => {
    const reply = await live<Entity>('GET', keyOf(set, id));
    assert.equal(reply.status, 200, reply.text);
    return reply.json;
  };
  const ok = (reply: Reply) => succeeds(c, c.f.api, reply);
  const createLive = async (set: string, body: unknown): Promise<Entity> => {
    const reply = await live<Entity>('POST', set, { body });
    await ok(reply);
    return reply.json;
  };
  const count = async (set: string) => (await live<{ value: Entity[] }>('GET', set)).json.value.length;

  before(async () => {
    h = await startLiveServer();
    c = h.c;
  });
  after(async () => {
    await h?.stop();
  });

  test('POST Channels is 202 with an operation-id, the entity and its Location; the operation Succeeded', async () => {
    const reply = await live<Entity>('POST', 'Channels', { body: channelBody('main') });
    const operation = await ok(reply);
    channel = reply.json;
    assert.match(channel.Id, /^nb:chid:UUID:[0-9a-f-]{36}$/);
    assert.equal(
      reply.headers.get('location'),
      `${c.f.t.origin}/media/${c.f.account}/api/${keyOf('Channels', channel.Id)}`,
    );
    assert.equal(channel.State, 'Stopped');
    assert.equal(channel.EncodingType, 'None');
    assert.equal(channel.VanityUrl, false);
    assert.deepEqual(channel.Input, {
      KeyFrameInterval: null,
      StreamingProtocol: 'RTMP',
      AccessControl: { IP: { Allow: [{ Name: 'encoder', Address: '127.0.0.1', SubnetPrefixLength: 32 }] } },
      Endpoints: [],
    });
    assert.equal(channel.Encoding, null);
    assert.deepEqual(Object.keys(operation), [
      'odata.metadata',
      'Id',
      'State',
      'TargetEntityId',
      'ErrorCode',
      'ErrorMessage',
    ]);
    assert.equal(operation.TargetEntityId, channel.Id);
    const stored = await get('Channels', channel.Id);
    assert.ok(!Object.keys(stored).some((k) => k.startsWith('_')), 'hidden fields stay hidden');
    assert.deepEqual(await get('Channels', channel.Id), stored);

    // Verbose JSON in and out, the operation read back as Atom (the .NET SDK's dialect).
    const verbose = await live<{ d: Entity & { __metadata: { type: string } } }>('POST', 'Channels', {
      accept: ACCEPT.verbose,
      contentType: 'application/json;odata=verbose',
      body: { d: channelBody('verbose') },
    });
    const operationId = operationIdOf(verbose);
    assert.equal(verbose.json.d.__metadata.type, 'Microsoft.Cloud.Media.Vod.Rest.Data.Models.Channel');
    const atom = await live('GET', keyOf('Operations', operationId), { accept: ACCEPT.atom });
    assert.equal(atom.status, 200, atom.text);
    const properties = child(
      child(parseXmlDocument(atom.text), NS.atom, 'content'),
      NS.metadata,
      'properties',
    );
    assert.equal(child(properties, NS.data, 'State').text, 'Succeeded');
    assert.equal(child(properties, NS.data, 'TargetEntityId').text, verbose.json.d.Id);
    await ok(await live('DELETE', keyOf('Channels', verbose.json.d.Id)));
    assert.equal((await live('GET', keyOf('Channels', verbose.json.d.Id))).status, 404);
    // The delete ended in its unit of work; the supervisor then has the pipeline forget the channel.
    await until(
      'the pipeline to forget the deleted channel',
      () => h.ingest.called('forgetChannel').some(([, id]) => id === verbose.json.d.Id) || undefined,
    );
    assert.deepEqual(h.ingest.called('forgetChannel'), [[c.f.account, verbose.json.d.Id]]);
  });

  test('bad channels are refused with the documented codes, and nothing is left behind', async () => {
    const before = await count('Channels');
    const refuse = async (body: unknown, status: number, code: string) => {
      const reply = await live('POST', 'Channels', { body });
      odataError(reply, status, code);
      return reply;
    };
    for (const name of ['-dash', 'x'.repeat(33), 'under_score', 'dot.ted'])
      await refuse(channelBody(name), 400, 'InvalidResourceName');
    await refuse(channelBody(''), 400, 'BadRequest');
    await refuse(channelBody('MAIN'), 409, 'ResourceNameTaken');
    await refuse(channelBody('srt', { Input: { StreamingProtocol: 'SRT' } }), 400, 'BadRequest');
    await refuse(channelBody('noinput', { Input: null }), 400, 'BadRequest');
    await refuse(channelBody('rtp', { Input: { StreamingProtocol: 'RTPMPEG2TS' } }), 400, 'BadRequest');
    for (const range of [
      { Address: '300.1.1.1', SubnetPrefixLength: 32 },
      { Address: '10.0.0.0/8', SubnetPrefixLength: null },
      { Address: '10.0.0.0', SubnetPrefixLength: 33 },
      { Address: '::1', SubnetPrefixLength: 129 },
      { SubnetPrefixLength: 8 },
    ]) {
      const message = (
        await refuse(
          channelBody('badip', {
            Input: { StreamingProtocol: 'RTMP', AccessControl: { IP: { Allow: [range] } } },
          }),
          400,
          'BadRequest',
        )
      ).text;
      assert.match(message, /Input\.AccessControl\.IP\.Allow\[0\]/);
    }
    await refuse(channelBody('enc', { Encoding: { SystemPreset: 'Default720p' } }), 400, 'BadRequest');
    await refuse(channelBody('enctype', { EncodingType: 'Fancy' }), 400, 'BadRequest');
    await refuse(
      channelBody('kfi', { Input: { StreamingProtocol: 'RTMP', KeyFrameInterval: 'PT1M' } }),
      400,
      'BadRequest',
    );
    assert.equal(await count('Channels'), before);

    // Five channels an account; the sixth is over the quota.
    const extra: Entity[] = [];
    for (let i = before; i < 5; i++) extra.push(await createLive('Channels', channelBody(`quota${i}`)));
    await refuse(channelBody('sixth'), 403, 'ExceededResourceQuota');
    for (const e of extra) await ok(await live('DELETE', keyOf('Channels', e.Id)));
    assert.equal(await count('Channels'), before);
  });

  test('Start takes the channel through Starting to Running with the URLs the pipeline publishes', async () => {
    const held = h.ingest.hold('startChannel');
    const start = await live('POST', `${keyOf('Channels', channel.Id)}/Start`);
    const operationId = operationIdOf(start);
    await held.reached;
    assert.equal((await get('Operations', operationId)).State, 'InProgress');
    assert.equal((await get('Channels', channel.Id)).State, 'Starting');
    // One operation at a time on an entity.
    for (const [method, path, body] of [
      ['POST', `${keyOf('Channels', channel.Id)}/Start`, undefined],
      ['POST', `${keyOf('Channels', channel.Id)}/Stop`, undefined],
      ['PATCH', keyOf('Channels', channel.Id), { Description: 'x' }],
      ['DELETE', keyOf('Channels', channel.Id), undefined],
    ] as const) {
      odataError(await live(method, path, body ? { body } : {}), 409, 'OperationInProgress');
    }
    held.release();
    const operation = await settledOperation(c, c.f.api, operationId);
    assert.equal(operation.State, 'Succeeded', JSON.stringify(operation));
    const running = await get('Channels', channel.Id);
    assert.equal(running.State, 'Running');
    const guid = channel.Id.slice('nb:chid:UUID:'.length);
    assert.deepEqual((running.Input as { Endpoints: unknown }).Endpoints, [
      { Protocol: 'RTMP', Url: `rtmp://127.0.0.1:19350/live/${guid}` },
    ]);
    assert.equal(
      (running.Preview as { Endpoints: Array<{ Url: string }> }).Endpoints[0]?.Url,
      `${c.f.t.origin}/media/${c.f.account}/streaming/${guid}/preview.ism/manifest`,
    );
    const [spec, origin] = h.ingest.called('startChannel').at(-1) as [ChannelSpec, string];
    assert.equal(origin, c.f.t.origin);
    assert.deepEqual(spec, {
      accountName: c.f.account,
      channelId: channel.Id,
      name: 'main',
      protocol: 'RTMP',
      encodingType: 'None',
      keyFrameIntervalSeconds: null,
      inputAllow: [{ name: 'encoder', address: '127.0.0.1', subnetPrefixLength: 32 }],
      previewAllow: [{ name: 'Allow All', address: '0.0.0.0', subnetPrefixLength: 0 }],
      hlsFragmentsPerSegment: 1,
    });

    // What a Running channel refuses: starting again, settings, deletion.
    odataError(await live('POST', `${keyOf('Channels', channel.Id)}/Start`), 409, 'InvalidOperation');
    odataError(
      await live('PATCH', keyOf('Channels', channel.Id), { body: { Description: 'x' } }),
      409,
      'InvalidOperation',
    );
    odataError(
      await live('POST', keyOf('Channels', channel.Id), {
        body: { Description: 'x' },
        headers: { 'x-http-method': 'MERGE' },
      }),
      409,
      'InvalidOperation',
    );
    odataError(await live('DELETE', keyOf('Channels', channel.Id)), 409, 'InvalidOperation');
  });

  test('a program records on a running channel into its asset, which keeps the recorded files', async () => {
    const asset = await createAsset(c, 'recording');
    const program = (extra: Record<string, unknown> = {}) => ({
      Name: 'show',
      Description: 'the show',
      ChannelId: channel.Id,
      AssetId: asset.Id,
      ArchiveWindowLength: 'PT1H',
      ManifestName: 'show',
      ...extra,
    });
    const before = await count('Programs');
    for (const [body, status, code] of [
      [program({ ArchiveWindowLength: 'PT1M' }), 400, 'BadRequest'],
      [program({ ArchiveWindowLength: 'PT26H' }), 400, 'BadRequest'],
      [program({ ArchiveWindowLength: null }), 400, 'BadRequest'],
      [program({ ArchiveWindowLength: '1 hour' }), 400, 'BadRequest'],
      [program({ ChannelId: `nb:chid:UUID:${randomUUID()}` }), 400, 'BadRequest'],
      [program({ AssetId: `nb:cid:UUID:${randomUUID()}` }), 400, 'BadRequest'],
      [program({ Name: 'bad name' }), 400, 'InvalidResourceName'],
      [program({ ManifestName: '../x' }), 400, 'BadRequest'],
    ] as const) {
      odataError(await live('POST', 'Programs', { body }), status, code);
    }
    assert.equal(await count('Programs'), before);
    const show = await createLive('Programs', program());
    assert.equal(show.State, 'Stopped');
    assert.equal(show.ArchiveWindowLength, 'PT1H');
    odataError(
      await live('POST', 'Programs', {
        body: program({ Name: 'SHOW', AssetId: (await createAsset(c, 'other')).Id }),
      }),
      409,
      'ResourceNameTaken',
    );
    odataError(await live('POST', 'Programs', { body: program({ Name: 'again' }) }), 409, 'InvalidOperation');

    // Not on a stopped channel.
    const idle = await createLive('Channels', channelBody('idle'));
    const early = await createLive(
      'Programs',
      program({ Name: 'early', ChannelId: idle.Id, AssetId: (await createAsset(c, 'early')).Id }),
    );
    odataError(await live('POST', `${keyOf('Programs', early.Id)}/Start`), 409, 'InvalidOperation');
    odataError(await live('DELETE', keyOf('Channels', idle.Id)), 409, 'InvalidOperation');
    await ok(await live('DELETE', keyOf('Programs', early.Id)));
    await ok(await live('DELETE', keyOf('Channels', idle.Id)));

    await ok(await live('POST', `${keyOf('Programs', show.Id)}/Start`));
    assert.equal((await get('Programs', show.Id)).State, 'Running');
    const [spec] = h.ingest.called('startProgram').at(-1) as [ProgramSpec];
    assert.deepEqual(spec, {
      accountName: c.f.account,
      channelId: channel.Id,
      programId: show.Id,
      assetId: asset.Id,
      archiveWindowSeconds: 3600,
      manifestName: 'show',
    });
    // While it records: the channel cannot stop, the program cannot change or go.
    odataError(await live('POST', `${keyOf('Channels', channel.Id)}/Stop`), 409, 'InvalidOperation');
    odataError(
      await live('PATCH', keyOf('Programs', show.Id), { body: { Description: 'y' } }),
      409,
      'InvalidOperation',
    );
    odataError(await live('DELETE', keyOf('Programs', show.Id)), 409, 'InvalidOperation');
    odataError(await live('POST', `${keyOf('Programs', show.Id)}/Start`), 409, 'InvalidOperation');

    await ok(await live('POST', `${keyOf('Programs', show.Id)}/Stop`));
    assert.equal((await get('Programs', show.Id)).State, 'Stopped');
    const files = await call<{ value: Entity[] }>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files`);
    assert.deepEqual(
      files.json.value.map((f) => [f.Name, f.ContentFileSize, f.IsPrimary, f.MimeType]),
      RECORDED.map((f) => [f.name, String(f.size), f.isPrimary, f.mimeType]),
    );
    odataError(await live('POST', `${keyOf('Programs', show.Id)}/Start`), 409, 'InvalidOperation');

    // Navigations both ways; a stopped program's settings change again.
    const programs = await live<{ value: Entity[] }>('GET', `${keyOf('Channels', channel.Id)}/Programs`);
    assert.deepEqual(
      programs.json.value.map((p) => p.Id),
      [show.Id],
    );
    assert.equal((await live<Entity>('GET', `${keyOf('Programs', show.Id)}/Channel`)).json.Id, channel.Id);
    await ok(await live('MERGE', keyOf('Programs', show.Id), { body: { Description: 'recorded' } }));
    assert.equal((await get('Programs', show.Id)).Description, 'recorded');
  });

  test("a pipeline failure ends the operation Failed with the pipeline's code", async () => {
    const flaky = await createLive('Channels', channelBody('flaky'));
    const startPath = `${keyOf('Channels', flaky.Id)}/Start`;
    h.ingest.failNext(
      'startChannel',
      new LiveIngestError('InsufficientCapacity', 'No port is free for RTMP.'),
    );
    let operation = await settledOperation(c, c.f.api, operationIdOf(await live('POST', startPath)));
    assert.equal(operation.State, 'Failed');
    assert.equal(operation.ErrorCode, 'InsufficientCapacity');
    assert.equal(operation.ErrorMessage, 'No port is free for RTMP.');
    assert.equal((await get('Channels', flaky.Id)).State, 'Stopped');

    h.ingest.failNext('startChannel', new Error('unexpected'));
    operation = await settledOperation(c, c.f.api, operationIdOf(await live('POST', startPath)));
    assert.equal(operation.ErrorCode, 'InternalError');
    assert.match(operation.ErrorMessage ?? '', /internal error/);

    await ok(await live('POST', startPath));
    h.ingest.failNext('stopChannel', new LiveIngestError('InternalError', 'The listener would not close.'));
    operation = await settledOperation(
      c,
      c.f.api,
      operationIdOf(await live('POST', `${keyOf('Channels', flaky.Id)}/Stop`)),
    );
    assert.equal(operation.ErrorCode, 'InternalError');
    assert.equal(
      (await get('Channels', flaky.Id)).State,
      'Running',
      'a channel that did not stop still runs',
    );
    await ok(await live('POST', `${keyOf('Channels', flaky.Id)}/Stop`));
    assert.equal((await get('Channels', flaky.Id)).State, 'Stopped');
    await ok(await live('DELETE', keyOf('Channels', flaky.Id)));
    await until(
      'the pipeline to forget the deleted channel',
      () => h.ingest.forgotten.has(flaky.Id) || undefined,
    );
  });

  test('slates and ad markers reach the pipeline of a live encoding channel', async () => {
    const slate = await createAsset(c, 'slate');
    const encoder = await createLive(
      'Channels',
      channelBody('encoder', {
        EncodingType: 'Standard',
        Slate: { InsertSlateOnAdMarker: true, DefaultSlateAssetId: slate.Id },
      }),
    );
    assert.deepEqual(encoder.Encoding, {
      SystemPreset: 'Default720p',
      IgnoreCea708ClosedCaptions: false,
      AdMarkerSource: 'Api',
      VideoStream: null,
      AudioStreams: [],
    });
    const path = (action: string) => `${keyOf('Channels', encoder.Id)}/${action}`;
    odataError(await live('POST', path('ShowSlate'), { body: {} }), 409, 'InvalidOperation');
    await ok(await live('POST', path('Start')));
    const other = await createAsset(c, 'other slate');
    await ok(await live('POST', path('ShowSlate'), { body: { duration: 'PT45S', assetId: other.Id } }));
    await ok(await live('POST', path('ShowSlate'), { body: '' }));
    assert.deepEqual(
      h.ingest.called('showSlate').map((args) => args[2]),
      [
        { durationSeconds: 45, assetId: other.Id },
        { durationSeconds: 600, assetId: slate.Id },
      ],
    );
    await ok(await live('POST', path('HideSlate')));
    // The Postman collection's body: every value a string.
    await ok(
      await live('POST', path('StartAdvertisement'), {
        body: { duration: 'PT45S', cueId: '67520935', showSlate: 'true' },
      }),
    );
    assert.deepEqual(h.ingest.called('startAdvertisement').at(-1)?.[2], {
      cueId: 67520935,
      durationSeconds: 45,
      showSlate: true,
    });
    await ok(await live('POST', path('EndAdvertisement'), { body: '' }));
    assert.deepEqual(h.ingest.called('endAdvertisement').at(-1)?.[2], { cueId: 67520935 });
    odataError(await live('POST', path('EndAdvertisement'), { body: '' }), 409, 'InvalidOperation');
    await ok(await live('POST', path('Reset')));
    assert.equal(h.ingest.called('resetChannel').length, 1);
    for (const [action, body] of [
      ['StartAdvertisement', { cueId: 1 }],
      ['StartAdvertisement', { duration: 'PT0S' }],
      ['ShowSlate', { duration: 'PT10S', assetId: `nb:cid:UUID:${randomUUID()}` }],
      ['ShowSlate', { duration: 'PT10S', color: 'red' }],
    ] as const) {
      odataError(await live('POST', path(action), { body }), 400, 'BadRequest');
    }
    // A pass-through channel has no slates.
    odataError(
      await live('POST', `${keyOf('Channels', channel.Id)}/ShowSlate`, { body: '' }),
      400,
      'BadRequest',
    );
    await ok(await live('POST', path('Stop')));
    await ok(await live('DELETE', keyOf('Channels', encoder.Id)));
  });

  test('the default streaming endpoint stops, starts and scales; locators are served only while it runs', async () => {
    const endpoints = await live<{ value: Entity[] }>('GET', 'StreamingEndpoints');
    const [origin] = endpoints.json.value;
    assert.ok(origin);
    assert.equal(origin.Name, 'default');
    assert.equal(origin.State, 'Running');
    assert.equal(origin.ScaleUnits, 0);
    const originPath = keyOf('StreamingEndpoints', origin.Id);

    const asset = await createAsset(c, 'vod');
    await upload(c, asset, [{ name: 'clip.mp4', bytes: 'not really a movie' }]);
    const policy = await create(c, 'AccessPolicies', { Name: 'read', DurationInMinutes: 60, Permissions: 1 });
    const locator = await create(c, 'Locators', { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 2 });
    const clip = `${h.streaming}/${locator.Id.slice('nb:lid:UUID:'.length)}/clip.mp4`;
    assert.equal((await fetch(clip)).status, 200);

    await ok(await live('POST', `${originPath}/Stop`));
    assert.equal((await get('StreamingEndpoints', origin.Id)).State, 'Stopped');
    const refused = await fetch(clip);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /not running/);
    odataError(await live('POST', `${originPath}/Stop`), 409, 'InvalidOperation');
    await ok(await live('POST', `${originPath}/Start`));
    assert.equal((await fetch(clip)).status, 200);

    await ok(await live('POST', `${originPath}/Scale`, { body: { scaleUnits: 2 } }));
    const scaled = await get('StreamingEndpoints', origin.Id);
    assert.equal(scaled.State, 'Running');
    assert.equal(scaled.ScaleUnits, 2);
    odataError(await live('POST', `${originPath}/Scale`, { body: { scaleUnits: 11 } }), 400, 'BadRequest');
    odataError(await live('POST', `${originPath}/Scale`), 400, 'BadRequest');
    odataError(await live('DELETE', originPath), 400, 'DeleteNotAllowedOnDefaultOrigin');
    odataError(await live('PATCH', originPath, { body: { Description: 'x' } }), 409, 'InvalidOperation');

    const extra = await createLive('StreamingEndpoints', { Name: 'extra', ScaleUnits: 1 });
    assert.equal(extra.State, 'Stopped');
    odataError(
      await live('POST', 'StreamingEndpoints', { body: { Name: 'DEFAULT' } }),
      409,
      'ResourceNameTaken',
    );
    odataError(
      await live('POST', 'StreamingEndpoints', { body: { Name: 'third' } }),
      403,
      'ExceededResourceQuota',
    );
    await ok(
      await live('PATCH', keyOf('StreamingEndpoints', extra.Id), { body: { Description: 'the other one' } }),
    );
    await ok(await live('POST', `${keyOf('StreamingEndpoints', extra.Id)}/Start`));
    odataError(await live('DELETE', keyOf('StreamingEndpoints', extra.Id)), 409, 'InvalidOperation');
    await ok(await live('POST', `${keyOf('StreamingEndpoints', extra.Id)}/Stop`));
    await ok(await live('DELETE', keyOf('StreamingEndpoints', extra.Id)));
    assert.equal((await live('GET', keyOf('StreamingEndpoints', extra.Id))).status, 404);
  });

  test('Operations are read-only; unknown and malformed ids have their own codes', async () => {
    odataError(
      await live('GET', keyOf('Operations', `nb:opid:UUID:${randomUUID()}`)),
      404,
      'OperationNotFound',
    );
    odataError(await live('GET', keyOf('Operations', 'garbage')), 400, 'InvalidIdentifierFormat');
    const [operation] = (await live<{ value: Entity[] }>('GET', 'Operations')).json.value;
    assert.ok(operation);
    odataError(await live('POST', 'Operations', { body: { State: 'Succeeded' } }), 405);
    odataError(await live('DELETE', keyOf('Operations', operation.Id)), 405);
    odataError(await live('POST', `${keyOf('Channels', 'garbage')}/Start`), 400, 'InvalidIdentifierFormat');
    odataError(
      await live('POST', `${keyOf('Channels', `nb:chid:UUID:${randomUUID()}`)}/Start`),
      404,
      'ResourceNotFound',
    );
    odataError(await live('GET', `${keyOf('Channels', channel.Id)}/Start`), 405);
  });

  test('a Reader, and a caller without a token, get 401 as everywhere in the API', async () => {
    const reader = await mediaCaller(c.f, { displayName: 'live-reader', role: 'Reader' });
    const as = (token: string) => ({ f: c.f, token });
    for (const caller of [as(reader.token), as('')]) {
      for (const [method, path] of [
        ['POST', 'Channels'],
        ['GET', 'Channels'],
        ['POST', `${keyOf('Channels', channel.Id)}/Stop`],
        ['GET', keyOf('Operations', `nb:opid:UUID:${randomUUID()}`)],
      ] as const) {
        const reply = await call(caller, method, path, method === 'POST' ? { body: channelBody('x') } : {});
        odataError(reply, 401, 'Unauthorized');
      }
    }
    assert.equal((await get('Channels', channel.Id)).State, 'Running');
    assert.ok(!h.ingest.forgotten.has(channel.Id), 'a channel that was not deleted is not forgotten');
  });
});
