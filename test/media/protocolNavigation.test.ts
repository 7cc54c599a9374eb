import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller, Entity } from './protocolSupport.js';
import {
  ACCEPT,
  MES_ID,
  NS,
  TASK_BODY,
  call,
  children,
  contributor,
  create,
  createAsset,
  createContentKey,
  keyOf,
  odataError,
  parseXmlDocument,
  upload,
  waitForJob,
} from './protocolSupport.js';

type List = { value: Entity[] };
const ids = (list: List): string[] => list.value.map((e) => e.Id).sort();

describe('Media Services v2 navigation and addressing', () => {
  let c: Caller;
  let asset: Entity;
  let policy: Entity;
  let locator: Entity;

  before(async () => {
    c = await contributor();
    asset = await createAsset(c, 'navigated');
    await upload(c, asset, [{ name: 'a.txt', bytes: 'hello' }]);
    policy = await create(c, 'AccessPolicies', { Name: 'read', DurationInMinutes: 60, Permissions: 1 });
    locator = await create(c, 'Locators', { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1 });
  });
  after(() => c.f.t.stop());

  test('Assets(…)/Files, /Locators, Locators(…)/Asset, Files(…) through its asset, and $count', async () => {
    const files = await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files`);
    assert.equal(files.status, 200, files.text);
    assert.deepEqual(
      files.json.value.map((f) => f.Name),
      ['a.txt'],
    );
    assert.match(String((files.json as unknown as Record<string, unknown>)['odata.metadata']), /#Files$/);
    const fileId = files.json.value[0]?.Id ?? '';
    const one = await call<Entity>(
      c,
      'GET',
      `${keyOf('Assets', asset.Id)}/Files('${encodeURIComponent(fileId)}')`,
    );
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.Name, 'a.txt');
    const stranger = await call(
      c,
      'GET',
      `${keyOf('Assets', asset.Id)}/Files('nb:cid:UUID:00000000-0000-0000-0000-000000000001')`,
    );
    odataError(stranger, 404);

    const locators = await call<List>(c, 'GET', `${keyOf('Assets', asset.Id)}/Locators`);
    assert.deepEqual(ids(locators.json), [locator.Id]);
    const owner = await call<Entity>(c, 'GET', `${keyOf('Locators', locator.Id)}/Asset`);
    assert.equal(owner.status, 200, owner.text);
    assert.equal(owner.json.Id, asset.Id);
    assert.match(String(owner.json['odata.metadata']), /#Assets\/@Element$/);
    const ownerPolicy = await call<Entity>(c, 'GET', `${keyOf('Locators', locator.Id)}/AccessPolicy`);
    assert.equal(ownerPolicy.json.Id, policy.Id);

    const count = await call(c, 'GET', `${keyOf('Assets', asset.Id)}/Files/$count`);
    assert.equal(count.status, 200);
    assert.match(count.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(count.text, '1');
    const all = await call(c, 'GET', 'Assets/$count');
    assert.equal(all.text, '1');
    const filtered = await call(c, 'GET', `Assets/$count?$filter=${encodeURIComponent("Name eq 'nope'")}`);
    assert.equal(filtered.text, '0');

    // A navigation the type does not have, and a key on a single-valued one.
    odataError(await call(c, 'GET', `${keyOf('Assets', asset.Id)}/Nope`), 404);
    odataError(await call(c, 'GET', `${keyOf('Locators', locator.Id)}/Asset('${asset.Id}')`), 400);
  });

  test('single properties: Name, Jobs(…)/State in minimal, verbose and Atom, and /$value', async () => {
    const name = await call<Record<string, unknown>>(c, 'GET', `${keyOf('Assets', asset.Id)}/Name`);
    assert.equal(name.status, 200, name.text);
    assert.equal(name.json.value, 'navigated');
    assert.match(String(name.json['odata.metadata']), /\$metadata#Edm\.String$/);
    const verbose = await call(c, 'GET', `${keyOf('Assets', asset.Id)}/Name`, { accept: ACCEPT.verbose });
    assert.deepEqual(verbose.json, { d: { Name: 'navigated' } });
    const raw = await call(c, 'GET', `${keyOf('Assets', asset.Id)}/Name/$value`);
    assert.equal(raw.status, 200);
    assert.match(raw.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(raw.text, 'navigated');
    const created = await call(c, 'GET', `${keyOf('Assets', asset.Id)}/Created/$value`);
    assert.equal(created.text, asset.Created);
    odataError(await call(c, 'GET', `${keyOf('Assets', asset.Id)}/AlternateId/$value`), 404);

    const input = await createAsset(c, 'job input');
    const job = await create(c, 'Jobs', {
      Name: 'navigation job',
      'InputMediaAssets@odata.bind': [`${c.f.api}${keyOf('Assets', input.Id)}`],
      Tasks: [
        {
          Name: 'task',
          Configuration: 'H264 Single Bitrate 720p',
          MediaProcessorId: MES_ID,
          TaskBody: TASK_BODY,
        },
      ],
    });
    // The input asset has no file: the job ends in Error, and is then final.
    const final = await waitForJob(c, job.Id);
    assert.equal(final, 4);
    const state = await call<Record<string, unknown>>(c, 'GET', `${keyOf('Jobs', job.Id)}/State`);
    assert.deepEqual(Object.keys(state.json), ['odata.metadata', 'value']);
    assert.equal(state.json.value, 4);
    assert.match(String(state.json['odata.metadata']), /\$metadata#Edm\.Int32$/);
    const verboseState = await call(c, 'GET', `${keyOf('Jobs', job.Id)}/State`, { accept: ACCEPT.verbose });
    assert.deepEqual(verboseState.json, { d: { State: 4 } });
    const atomState = await call(c, 'GET', `${keyOf('Jobs', job.Id)}/State`, { accept: ACCEPT.atom });
    const element = parseXmlDocument(atomState.text);
    assert.equal(element.ns, NS.data);
    assert.equal(element.local, 'State');
    assert.equal(element.text, '4');
    const value = await call(c, 'GET', `${keyOf('Jobs', job.Id)}/State/$value`);
    assert.equal(value.text, '4');

    const tasks = await call<List>(c, 'GET', `${keyOf('Jobs', job.Id)}/Tasks`);
    assert.equal(tasks.json.value.length, 1);
    assert.equal(tasks.json.value[0]?.Name, 'task');
    const inputs = await call<List>(c, 'GET', `${keyOf('Jobs', job.Id)}/InputMediaAssets`);
    assert.deepEqual(ids(inputs.json), [input.Id]);
    const outputs = await call<List>(c, 'GET', `${keyOf('Jobs', job.Id)}/OutputMediaAssets`);
    assert.equal(outputs.json.value.length, 1);
    assert.equal(outputs.json.value[0]?.Name, 'out');
    const taskId = tasks.json.value[0]?.Id ?? '';
    const taskOutputs = await call<List>(c, 'GET', `${keyOf('Tasks', taskId)}/OutputMediaAssets`);
    assert.deepEqual(ids(taskOutputs.json), ids(outputs.json));
    const taskCount = await call(c, 'GET', `${keyOf('Jobs', job.Id)}/Tasks/$count`);
    assert.equal(taskCount.text, '1');
    const links = await call<{ value: Array<{ url: string }> }>(
      c,
      'GET',
      `${keyOf('Jobs', job.Id)}/$links/InputMediaAssets`,
    );
    assert.deepEqual(
      links.json.value.map((l) => l.url),
      [`${c.f.api}${keyOf('Assets', input.Id)}`],
    );
  });

  test('$links: GET, POST and DELETE for DeliveryPolicies, ContentKeys and ParentAssets; /ContentKeys, /ParentAssets', async () => {
    const target = await createAsset(c, 'linked');
    const delivery = await create(c, 'AssetDeliveryPolicies', {
      Name: 'clear',
      AssetDeliveryProtocol: 7,
      AssetDeliveryPolicyType: 2,
      AssetDeliveryConfiguration: null,
    });
    const key = await createContentKey(c);
    const parent = await createAsset(c, 'parent');
    const base = keyOf('Assets', target.Id);

    for (const [nav, set, entity, body] of [
      [
        'DeliveryPolicies',
        'AssetDeliveryPolicies',
        delivery,
        { uri: `${c.f.api}${keyOf('AssetDeliveryPolicies', delivery.Id)}` },
      ],
      // Another host and the raw key: bind URLs are matched on the set and key.
      ['ContentKeys', 'ContentKeys', key, { uri: `https://media.windows.net/api/ContentKeys('${key.Id}')` }],
      [
        'ParentAssets',
        'Assets',
        parent,
        `<uri xmlns="${NS.data}">${c.f.api}${keyOf('Assets', parent.Id)}</uri>`,
      ],
    ] as const) {
      const options =
        typeof body === 'string'
          ? { body, contentType: 'application/xml' }
          : { body, contentType: 'application/json' };
      const linked = await call(c, 'POST', `${base}/$links/${nav}`, options);
      assert.equal(linked.status, 204, `${nav}: ${linked.text}`);
      // Linking twice is harmless.
      assert.equal((await call(c, 'POST', `${base}/$links/${nav}`, options)).status, 204);
      const listed = await call<List>(c, 'GET', `${base}/${nav}`);
      assert.deepEqual(ids(listed.json), [entity.Id], nav);
      const urls = await call<{ value: Array<{ url: string }> }>(c, 'GET', `${base}/$links/${nav}`);
      assert.deepEqual(
        urls.json.value.map((u) => u.url),
        [`${c.f.api}${keyOf(set, entity.Id)}`],
      );
      const verbose = await call(c, 'GET', `${base}/$links/${nav}`, { accept: ACCEPT.verbose });
      assert.deepEqual(verbose.json, { d: { results: [{ uri: `${c.f.api}${keyOf(set, entity.Id)}` }] } });
      const atom = parseXmlDocument(
        (await call(c, 'GET', `${base}/$links/${nav}`, { accept: ACCEPT.atom })).text,
      );
      assert.deepEqual(
        children(atom, NS.data, 'uri').map((u) => u.text),
        [`${c.f.api}${keyOf(set, entity.Id)}`],
      );
      const removed = await call(c, 'DELETE', `${base}/$links/${nav}('${encodeURIComponent(entity.Id)}')`);
      assert.equal(removed.status, 204, removed.text);
      assert.deepEqual((await call<List>(c, 'GET', `${base}/${nav}`)).json.value, []);
      odataError(await call(c, 'DELETE', `${base}/$links/${nav}('${encodeURIComponent(entity.Id)}')`), 404);
    }

    // Targets that do not exist, of the wrong set, and links the model does not let change.
    odataError(
      await call(c, 'POST', `${base}/$links/DeliveryPolicies`, {
        body: {
          uri: `${c.f.api}AssetDeliveryPolicies('nb:adpid:UUID:00000000-0000-0000-0000-000000000000')`,
        },
      }),
      404,
    );
    odataError(
      await call(c, 'POST', `${base}/$links/DeliveryPolicies`, {
        body: { uri: `${c.f.api}${keyOf('Assets', parent.Id)}` },
      }),
      400,
    );
    odataError(
      await call(c, 'POST', `${base}/$links/ParentAssets`, { body: { uri: `${c.f.api}${base}` } }),
      400,
    );
    odataError(
      await call(c, 'POST', `${keyOf('Locators', locator.Id)}/$links/Asset`, {
        body: { uri: `${c.f.api}${base}` },
      }),
      400,
    );
  });

  test('every navigation property the model declares answers; the stored sets link as the SDK links them', async () => {
    // Key authorization policies: the SDK adds an option with POST …/$links/Options.
    const policy = await create(c, 'ContentKeyAuthorizationPolicies', { Name: 'open policy' });
    const option = await create(c, 'ContentKeyAuthorizationPolicyOptions', {
      Name: 'open',
      KeyDeliveryType: 2,
      KeyDeliveryConfiguration: null,
      Restrictions: [{ Name: 'Open', KeyRestrictionType: 0, Requirements: null }],
    });
    const options = `${keyOf('ContentKeyAuthorizationPolicies', policy.Id)}/Options`;
    assert.deepEqual((await call<List>(c, 'GET', options)).json.value, []);
    const link = await call(
      c,
      'POST',
      `${keyOf('ContentKeyAuthorizationPolicies', policy.Id)}/$links/Options`,
      {
        body: `<uri xmlns="${NS.data}">${c.f.api}${keyOf('ContentKeyAuthorizationPolicyOptions', option.Id)}</uri>`,
        contentType: 'application/xml',
      },
    );
    assert.equal(link.status, 204, link.text);
    assert.deepEqual(ids((await call<List>(c, 'GET', options)).json), [option.Id]);
    assert.equal(
      (await call(c, 'DELETE', keyOf('ContentKeyAuthorizationPolicyOptions', option.Id))).status,
      204,
    );
    assert.deepEqual((await call<List>(c, 'GET', options)).json.value, []);
    const links = await call<{ value: unknown[] }>(
      c,
      'GET',
      `${keyOf('ContentKeyAuthorizationPolicies', policy.Id)}/$links/Options`,
    );
    assert.deepEqual(links.json.value, [], 'deleting the option removed its link');

    // Ingest manifests: assets bound inline (verbose), files by their parents' ids.
    const manifest = await create(c, 'IngestManifests', { Name: 'bulk' });
    const target = await createAsset(c, 'ingested');
    const manifestAsset = await call<{ d: Entity }>(c, 'POST', 'IngestManifestAssets', {
      accept: ACCEPT.verbose,
      contentType: 'application/json;odata=verbose',
      body: {
        ParentIngestManifestId: manifest.Id,
        Asset: { __metadata: { uri: `${c.f.api}${keyOf('Assets', target.Id)}` } },
      },
    });
    assert.equal(manifestAsset.status, 201, manifestAsset.text);
    const manifestAssetId = manifestAsset.json.d.Id;
    const file = await create(c, 'IngestManifestFiles', {
      Name: 'f.mp4',
      ParentIngestManifestId: manifest.Id,
      ParentIngestManifestAssetId: manifestAssetId,
    });
    assert.deepEqual(
      ids((await call<List>(c, 'GET', `${keyOf('IngestManifests', manifest.Id)}/IngestManifestAssets`)).json),
      [manifestAssetId],
    );
    assert.deepEqual(
      ids(
        (await call<List>(c, 'GET', `${keyOf('IngestManifestAssets', manifestAssetId)}/IngestManifestFiles`))
          .json,
      ),
      [file.Id],
    );
    const bound = await call<Entity>(c, 'GET', `${keyOf('IngestManifestAssets', manifestAssetId)}/Asset`);
    assert.equal(bound.status, 200, bound.text);
    assert.equal(bound.json.Id, target.Id);
    odataError(
      await call(c, 'POST', 'IngestManifestAssets', {
        body: {
          ParentIngestManifestId: manifest.Id,
          'Asset@odata.bind': `${c.f.api}Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')`,
        },
      }),
      404,
    );

    // Job templates name their task templates through $links.
    const taskTemplate = await create(c, 'TaskTemplates', {
      Name: 'tt',
      MediaProcessorId: MES_ID,
      Configuration: 'H264 Single Bitrate 720p',
      NumberofInputAssets: 1,
      NumberofOutputAssets: 1,
    });
    const jobTemplate = await create(c, 'JobTemplates', {
      Name: 'jt',
      JobTemplateBody: `<?xml version="1.0" encoding="utf-8"?><jobTemplate><taskBody taskTemplateId="${taskTemplate.Id}"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody></jobTemplate>`,
      TemplateType: 1,
    });
    assert.equal(
      (
        await call(c, 'POST', `${keyOf('JobTemplates', jobTemplate.Id)}/$links/TaskTemplates`, {
          body: { uri: `${c.f.api}${keyOf('TaskTemplates', taskTemplate.Id)}` },
        })
      ).status,
      204,
    );
    assert.deepEqual(
      ids((await call<List>(c, 'GET', `${keyOf('JobTemplates', jobTemplate.Id)}/TaskTemplates`)).json),
      [taskTemplate.Id],
    );

    // Every deferred link of every entity answers: a collection, or the one entity (404 only
    // for a single-valued navigation that has nothing).
    const single = new Set(['AccessPolicy', 'Asset', 'StorageAccount', 'Channel']);
    const service = await call<{ value: Array<{ name: string }> }>(c, 'GET', '');
    for (const { name: set } of service.json.value) {
      const list = await call<{ d: { results: Array<Record<string, unknown>> } }>(c, 'GET', set, {
        accept: ACCEPT.verbose,
      });
      assert.equal(list.status, 200, set);
      for (const entity of list.json.d.results) {
        for (const [nav, value] of Object.entries(entity)) {
          const deferred = (value as { __deferred?: { uri: string } } | null)?.__deferred;
          if (!deferred) continue;
          const reply = await call(c, 'GET', deferred.uri);
          if (single.has(nav) && reply.status === 404) continue;
          assert.equal(reply.status, 200, `${deferred.uri}: ${reply.text}`);
        }
      }
    }
  });

  test('every key spelling of the reference addresses the same entity', async () => {
    const guid = asset.Id.slice('nb:cid:UUID:'.length);
    const origin = c.f.t.origin;
    const prefix = `${origin}/media/${c.f.account}/`;
    for (const url of [
      `${c.f.api}Assets('nb:cid:UUID:${guid}')`,
      `${c.f.api}Assets('nb%3Acid%3AUUID%3A${guid}')`,
      `${c.f.api}Assets(%27nb%3Acid%3AUUID%3A${guid}%27)`,
      `${c.f.api}Assets(%27nb:cid:UUID:${guid}%27)`,
      `${c.f.api}Assets('nb%253Acid%253AUUID%253A${guid}')`,
      `${c.f.api}Assets(Id='nb:cid:UUID:${guid}')`,
      `${prefix}api%2FAssets%28%27nb%3Acid%3AUUID%3A${guid}%27%29`,
      `${prefix}api%2fAssets%28%27nb%3Acid%3AUUID%3A${guid}%27%29`,
      `${c.f.api}/Assets('nb:cid:UUID:${guid}')`,
      `${c.f.api}Assets('nb:cid:UUID:${guid}')/`,
    ]) {
      const reply = await call<Entity>(c, 'GET', url);
      assert.equal(reply.status, 200, `${url}: ${reply.text}`);
      assert.equal(reply.json.Id, asset.Id, url);
    }
    const locatorGuid = locator.Id.slice('nb:lid:UUID:'.length);
    const encoded = await call<Entity>(
      c,
      'GET',
      `${prefix}api%2FLocators%28%27nb%3Alid%3AUUID%3A${locatorGuid}%27%29`,
    );
    assert.equal(encoded.status, 200, encoded.text);
    assert.equal(encoded.json.Id, locator.Id);

    for (const url of [`${c.f.api}Assets()`, `${c.f.api}Assets`, `${prefix}api%2FAssets%28%29`]) {
      const reply = await call<List>(c, 'GET', url);
      assert.equal(reply.status, 200, `${url}: ${reply.text}`);
      assert.ok(
        reply.json.value.some((a) => a.Id === asset.Id),
        url,
      );
    }

    // `//CreateFileInfos`, as the docs' clients concatenated the endpoint and the function.
    const double = await call(
      c,
      'GET',
      `${c.f.api}/CreateFileInfos?assetid='${encodeURIComponent(asset.Id)}'`,
    );
    assert.equal(double.status, 204, double.text);
    const unencoded = await call(c, 'GET', `${c.f.api}CreateFileInfos?assetid='${asset.Id}'`);
    assert.equal(unencoded.status, 204, unencoded.text);

    // Names are case-sensitive; a key in the wrong form is a 400, an unknown one a 404.
    odataError(await call(c, 'GET', `${c.f.api}assets('${asset.Id}')`), 404);
    odataError(await call(c, 'GET', `${c.f.api}Assets('${asset.Id}'`), 400);
    odataError(await call(c, 'GET', `${c.f.api}Assets(42)`), 400);
    odataError(await call(c, 'GET', `${c.f.api}Assets('%25ZZ')`), 404);
    // A malformed escape is refused by the server's router before the API sees it.
    assert.equal((await call(c, 'GET', `${c.f.api}Assets('%ZZ')`)).status, 400);
    odataError(await call(c, 'GET', `${c.f.api}Assets('nb:cid:UUID:${guid.replace(/^./, '0')}0')`), 404);
  });

  test('MERGE, PATCH, PUT, DELETE, X-HTTP-Method: MERGE on POST, and 405 for a method a resource does not take', async () => {
    const target = await createAsset(c, 'before', { AlternateId: 'alt' });
    const path = keyOf('Assets', target.Id);
    const read = async () => (await call<Entity>(c, 'GET', path)).json;

    const merged = await call(c, 'MERGE', path, { body: { Name: 'merged' } });
    assert.equal(merged.status, 204, merged.text);
    assert.equal(merged.text, '');
    let now = await read();
    assert.equal(now.Name, 'merged');
    assert.equal(now.AlternateId, 'alt');
    assert.ok(
      Date.parse(String(now.LastModified)) >= Date.parse(String(target.LastModified)),
      'LastModified moves',
    );

    assert.equal((await call(c, 'PATCH', path, { body: { AlternateId: 'patched' } })).status, 204);
    now = await read();
    assert.equal(now.Name, 'merged');
    assert.equal(now.AlternateId, 'patched');

    const tunneled = await call(c, 'POST', path, {
      body: { Name: 'tunneled' },
      headers: { 'x-http-method': 'MERGE' },
    });
    assert.equal(tunneled.status, 204, tunneled.text);
    assert.equal((await read()).Name, 'tunneled');

    // PUT replaces: what it leaves out goes back to its default.
    const put = await call(c, 'PUT', path, { body: { Name: 'replaced', Options: 0 } });
    assert.equal(put.status, 204, put.text);
    now = await read();
    assert.equal(now.Name, 'replaced');
    assert.equal(now.AlternateId, null);
    assert.equal(now.Id, target.Id);
    assert.equal(now.Created, target.Created);

    // Verbose and Atom bodies update too.
    assert.equal(
      (
        await call(c, 'MERGE', path, {
          body: { d: { Name: 'verbose merge' } },
          contentType: 'application/json;odata=verbose',
        })
      ).status,
      204,
    );
    assert.equal((await read()).Name, 'verbose merge');

    for (const [method, where] of [
      ['DELETE', 'Assets'],
      ['PUT', 'Assets'],
      ['MERGE', 'Assets'],
      ['POST', path],
      ['POST', 'MediaProcessors'],
      ['DELETE', `MediaProcessors('${MES_ID}')`],
      ['POST', `${path}/Name`],
      ['PUT', '$metadata'],
      ['DELETE', ''],
      ['POST', `${path}/Files`],
    ] as const) {
      const reply = await call(c, method, where, { body: method === 'DELETE' ? undefined : { Name: 'x' } });
      odataError(reply, 405);
    }

    // Methods no resource of the API takes are its own 405 too, not the server's 404.
    for (const method of ['OPTIONS']) {
      for (const where of ['Assets', path, '', '$metadata']) odataError(await call(c, method, where), 405);
    }
    const head = await call(c, 'HEAD', path);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.match(head.headers.get('content-type') ?? '', /^application\/json;odata=minimalmetadata/);

    assert.equal((await call(c, 'DELETE', path)).status, 204);
    odataError(await call(c, 'GET', path), 404);
    odataError(await call(c, 'DELETE', path), 404);
    odataError(await call(c, 'MERGE', path, { body: { Name: 'gone' } }), 404);
  });
});
