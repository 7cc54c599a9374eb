import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller, Entity } from './protocolSupport.js';
import {
  ACCEPT,
  MES_ID,
  MODEL_NS,
  NS,
  SETS,
  TASK_BODY,
  atomProperties,
  call,
  child,
  children,
  contributor,
  createAsset,
  createContentKey,
  keyOf,
  parseXmlDocument,
  waitForJob,
} from './protocolSupport.js';

const MINIMAL_TYPE = 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8';
const VERBOSE_TYPE = 'application/json;odata=verbose;charset=utf-8';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z?$/;
const GUID_KEY = (kind: string) =>
  new RegExp(`^nb:${kind}:UUID:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);

describe('Media Services v2 dialects as the wire reference shows them', () => {
  let c: Caller;
  let api: string;

  before(async () => {
    c = await contributor();
    api = c.f.api;
  });
  after(() => c.f.t.stop());

  test('service document: minimal JSON lists the 23 sets in order; also for odata=minimalmetadata and without the slash', async () => {
    for (const [path, accept] of [
      ['', ACCEPT.minimal],
      ['', ACCEPT.minimalExplicit],
      ['', '*/*'],
    ] as const) {
      const reply = await call<{ 'odata.metadata': string; value: Array<{ name: string; url: string }> }>(
        c,
        'GET',
        path,
        { accept },
      );
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.headers.get('content-type'), MINIMAL_TYPE);
      assert.equal(reply.headers.get('dataserviceversion'), '3.0;');
      assert.deepEqual(Object.keys(reply.json), ['odata.metadata', 'value']);
      assert.equal(reply.json['odata.metadata'], `${api}$metadata`);
      assert.deepEqual(
        reply.json.value,
        SETS.map((name) => ({ name, url: name })),
      );
    }
    // The .NET SDK's GET <endpoint> may come without the trailing slash.
    const bare = await call(c, 'GET', api.replace(/\/$/, ''));
    assert.equal(bare.status, 200, bare.text);
    assert.equal((bare.json as { value: unknown[] }).value.length, 23);
  });

  test('service document: verbose is {"d":{"EntitySets":[…]}} and Atom is an app:service document', async () => {
    const verbose = await call(c, 'GET', '', { accept: ACCEPT.verbose });
    assert.equal(verbose.status, 200);
    assert.equal(verbose.headers.get('content-type'), VERBOSE_TYPE);
    assert.deepEqual(verbose.json, { d: { EntitySets: [...SETS] } });

    const atom = await call(c, 'GET', '', { accept: 'application/atomsvc+xml, application/atom+xml' });
    assert.equal(atom.status, 200);
    assert.match(atom.headers.get('content-type') ?? '', /^application\/atomsvc\+xml/);
    const service = parseXmlDocument(atom.text);
    assert.equal(service.ns, NS.app);
    assert.equal(service.local, 'service');
    assert.equal(service.attrs['{http://www.w3.org/XML/1998/namespace}base'], api);
    const workspace = child(service, NS.app, 'workspace');
    assert.equal(child(workspace, NS.atom, 'title').text, 'Default');
    const collections = children(workspace, NS.app, 'collection');
    assert.deepEqual(
      collections.map((col) => col.attrs.href),
      [...SETS],
    );
    assert.deepEqual(
      collections.map((col) => child(col, NS.atom, 'title').text),
      [...SETS],
    );
  });

  test('$metadata is EDMX in the Vod.Rest.Data.Models namespace and declares every entity set; api-version stands in for x-ms-version', async () => {
    for (const [path, headers] of [
      ['$metadata', {}],
      ['$metadata?api-version=2.19', { 'x-ms-version': '' }],
    ] as const) {
      const reply = await call(c, 'GET', path, { accept: 'application/xml', headers });
      assert.equal(reply.status, 200, reply.text);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/xml/);
      const edmx = parseXmlDocument(reply.text);
      assert.equal(edmx.ns, NS.edmx);
      assert.equal(edmx.local, 'Edmx');
      const services = child(edmx, NS.edmx, 'DataServices');
      assert.equal(services.attrs[`{${NS.metadata}}DataServiceVersion`], '3.0');
      const schema = child(services, NS.edm, 'Schema');
      assert.equal(schema.attrs.Namespace, MODEL_NS);
      const types = new Set(children(schema, NS.edm, 'EntityType').map((t) => `${MODEL_NS}.${t.attrs.Name}`));
      const container = child(schema, NS.edm, 'EntityContainer');
      const sets = children(container, NS.edm, 'EntitySet');
      assert.deepEqual(
        sets.map((s) => s.attrs.Name),
        [...SETS],
      );
      for (const set of sets) assert.ok(types.has(set.attrs.EntityType ?? ''), `${set.attrs.Name}'s type`);
      const asset = children(schema, NS.edm, 'EntityType').find((t) => t.attrs.Name === 'Asset');
      assert.ok(asset, 'expected: asset');
      assert.equal(child(child(asset, NS.edm, 'Key'), NS.edm, 'PropertyRef').attrs.Name, 'Id');
      const navigation = children(asset, NS.edm, 'NavigationProperty').map((n) => n.attrs.Name);
      for (const name of ['Files', 'Locators', 'ContentKeys', 'ParentAssets', 'DeliveryPolicies'])
        assert.ok(navigation.includes(name), name);
      const functions = children(container, NS.edm, 'FunctionImport').map((fi) => fi.attrs.Name);
      for (const name of ['CreateFileInfos', 'CancelJob', 'GetProtectionKeyId'])
        assert.ok(functions.includes(name), name);
    }
    const missing = await call(c, 'GET', '$metadata', { headers: { 'x-ms-version': '' } });
    assert.equal(missing.status, 400);
    const old = await call(c, 'GET', '$metadata', { headers: { 'x-ms-version': '1.0' } });
    assert.equal(old.status, 400);
  });

  test('an Asset in minimal JSON: @Element context, ISO dates, Int64 as strings, Doubles with .0, Location', async () => {
    const created = await call<Entity>(c, 'POST', 'Assets', {
      body: { Name: 'BigBuckBunny.mp4', Options: '0' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('content-type'), MINIMAL_TYPE);
    assert.equal(created.headers.get('dataserviceversion'), '3.0;');
    const asset = created.json;
    assert.match(asset.Id, GUID_KEY('cid'));
    assert.equal(created.headers.get('location'), `${api}Assets('${asset.Id.replaceAll(':', '%3A')}')`);
    assert.deepEqual(Object.keys(asset), [
      'odata.metadata',
      'Id',
      'State',
      'Created',
      'LastModified',
      'AlternateId',
      'Name',
      'Options',
      'FormatOption',
      'Uri',
      'StorageAccountName',
    ]);
    assert.equal(asset['odata.metadata'], `${api}$metadata#Assets/@Element`);
    assert.equal(asset.State, 0);
    assert.equal(asset.Options, 0);
    assert.equal(asset.Name, 'BigBuckBunny.mp4');
    assert.equal(asset.AlternateId, null);
    assert.match(String(asset.Created), ISO);
    assert.match(String(asset.LastModified), ISO);
    assert.ok(
      Math.abs(Date.parse(String(asset.Created)) - Date.now()) < 60_000,
      'expected: Math.abs(Date.parse(String(asset.Created)) - Date.now()) < 60_000',
    );
    assert.match(String(asset.Uri), /^https:\/\/.+\/asset-[0-9a-f-]{36}$/);
    assert.equal(asset.StorageAccountName, c.f.account);

    const read = await call<Entity>(c, 'GET', keyOf('Assets', asset.Id));
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, asset);

    const file = await call<Entity>(c, 'POST', 'Files', {
      body: {
        IsEncrypted: 'false',
        IsPrimary: 'false',
        MimeType: 'video/mp4',
        Name: 'BigBuckBunny.mp4',
        ParentAssetId: asset.Id,
      },
    });
    assert.equal(file.status, 201, file.text);
    assert.equal(
      (
        await call(c, 'MERGE', keyOf('Files', file.json.Id), {
          body: { ContentFileSize: '1186540' },
        })
      ).status,
      204,
    );
    const files = await call<{ value: Entity[] }>(c, 'GET', `${keyOf('Assets', asset.Id)}/Files`);
    assert.equal(files.json.value[0]?.ContentFileSize, '1186540');
    assert.match(files.text, /"ContentFileSize":"1186540"/);

    const policy = await call<Entity>(c, 'POST', 'AccessPolicies', {
      body: { Name: 'p', DurationInMinutes: '440', Permissions: '2' },
    });
    assert.equal(policy.status, 201);
    assert.match(policy.text, /"DurationInMinutes":440\.0[,}]/);
    assert.equal(policy.json.Permissions, 2);
  });

  test('verbose JSON: d, __metadata, __deferred navigation, results, ISO under 3.0 and \\/Date(ms)\\/ under 2.0', async () => {
    const asset = await createAsset(c, 'verbose');
    const self = `${api}Assets('${encodeURIComponent(asset.Id)}')`;
    const one = await call<{ d: Record<string, unknown> }>(c, 'GET', keyOf('Assets', asset.Id), {
      accept: ACCEPT.verbose,
    });
    assert.equal(one.status, 200);
    assert.equal(one.headers.get('content-type'), VERBOSE_TYPE);
    const d = one.json.d;
    const metadata = d.__metadata as Record<string, unknown>;
    assert.equal(metadata.id, self);
    assert.equal(metadata.uri, self);
    assert.equal(metadata.type, `${MODEL_NS}.Asset`);
    for (const nav of [
      'Locators',
      'ContentKeys',
      'Files',
      'ParentAssets',
      'DeliveryPolicies',
      'StorageAccount',
    ])
      assert.deepEqual(d[nav], { __deferred: { uri: `${self}/${nav}` } }, nav);
    assert.equal(d.Id, asset.Id);
    assert.equal(d.Created, asset.Created);
    assert.match(String(d.Created), ISO);

    const list = await call<{ d: { results: Array<Record<string, unknown>> } }>(c, 'GET', 'Assets', {
      accept: ACCEPT.verbose,
    });
    assert.ok(Array.isArray(list.json.d.results), 'expected: Array.isArray(list.json.d.results)');
    assert.ok(
      list.json.d.results.some((a) => a.Id === asset.Id),
      'expected: list.json.d.results.some((a) => a.Id === asset.Id)',
    );

    for (const version of ['2.0', '1.0;NetFx']) {
      const old = await call<{ d: Record<string, unknown> }>(c, 'GET', keyOf('Assets', asset.Id), {
        accept: ACCEPT.verbose,
        headers: { maxdataserviceversion: version, dataserviceversion: '1.0;NetFx' },
      });
      assert.equal(old.status, 200);
      const ms = Date.parse(String(asset.Created));
      assert.equal(old.json.d.Created, `/Date(${ms})/`);
      assert.ok(old.text.includes(`"Created":"\\/Date(${ms})\\/"`), old.text);
      assert.equal(old.headers.get('dataserviceversion'), `${version.slice(0, 3)};`);
    }

    const policy = await call<{ d: Record<string, unknown> }>(c, 'POST', 'AccessPolicies', {
      accept: ACCEPT.verbose,
      contentType: 'application/json;odata=verbose',
      body: { Name: 'v', DurationInMinutes: 440, Permissions: 1 },
    });
    assert.equal(policy.status, 201);
    assert.equal(policy.headers.get('content-type'), VERBOSE_TYPE);
    assert.equal((policy.json.d.__metadata as { type: string }).type, `${MODEL_NS}.AccessPolicy`);
    assert.match(policy.headers.get('location') ?? '', /AccessPolicies\('nb%3Apid%3AUUID%3A/);
  });

  test('the answer follows Accept, not the request Content-Type', async () => {
    const reply = await call<Record<string, unknown>>(c, 'POST', 'Assets', {
      accept: ACCEPT.minimal,
      contentType: 'application/json;odata=verbose',
      body: { Name: 'follows accept' },
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers.get('content-type'), MINIMAL_TYPE);
    assert.ok('odata.metadata' in reply.json, `expected: 'odata.metadata' in reply.json`);
    const verbose = await call<Record<string, unknown>>(c, 'POST', 'Assets', {
      accept: ACCEPT.verbose,
      contentType: 'application/json',
      body: { Name: 'follows accept' },
    });
    assert.equal(verbose.headers.get('content-type'), VERBOSE_TYPE);
    assert.ok('d' in verbose.json, `expected: 'd' in verbose.json`);
  });

  test('Atom: an entry and a feed parse as XML with m:properties and typed values', async () => {
    const asset = await createAsset(c, 'atom <&> entry');
    const reply = await call(c, 'GET', keyOf('Assets', asset.Id), { accept: ACCEPT.atom });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/atom+xml;type=entry;charset=utf-8');
    const entry = parseXmlDocument(reply.text);
    assert.equal(entry.ns, NS.atom);
    assert.equal(entry.local, 'entry');
    assert.equal(child(entry, NS.atom, 'id').text, `${api}Assets('${encodeURIComponent(asset.Id)}')`);
    assert.equal(child(entry, NS.atom, 'category').attrs.term, `${MODEL_NS}.Asset`);
    const links = children(entry, NS.atom, 'link');
    assert.ok(
      links.some((l) => l.attrs.rel === 'edit'),
      `expected: links.some((l) => l.attrs.rel === 'edit')`,
    );
    assert.ok(
      links.some(
        (l) =>
          l.attrs.rel === 'http://schemas.microsoft.com/ado/2007/08/dataservices/related/Files' &&
          l.attrs.href?.endsWith('/Files'),
      ),
      'a related link to Files',
    );
    const props = atomProperties(entry);
    assert.equal(props.get('Id')?.text, asset.Id);
    assert.equal(props.get('Name')?.text, 'atom <&> entry');
    assert.equal(props.get('Name')?.type, undefined);
    assert.equal(props.get('State')?.type, 'Edm.Int32');
    assert.equal(props.get('State')?.text, '0');
    assert.equal(props.get('Created')?.type, 'Edm.DateTime');
    assert.match(props.get('Created')?.text ?? '', ISO);
    assert.equal(props.get('AlternateId')?.isNull, true);

    const feed = await call(c, 'GET', 'Assets', { accept: ACCEPT.atom });
    assert.equal(feed.headers.get('content-type'), 'application/atom+xml;type=feed;charset=utf-8');
    const root = parseXmlDocument(feed.text);
    assert.equal(root.local, 'feed');
    assert.equal(child(root, NS.atom, 'title').text, 'Assets');
    const entries = children(root, NS.atom, 'entry');
    assert.ok(entries.length >= 1, 'expected: entries.length >= 1');
    assert.ok(
      entries.some((e) => atomProperties(e).get('Id')?.text === asset.Id),
      `expected: entries.some((e) => atomProperties(e).get('Id')?.text === asset.Id)`,
    );

    // The .NET SDK's own dialect: an Atom entry in, an Atom entry out.
    const posted = await call(c, 'POST', 'Assets', {
      accept: ACCEPT.atom,
      contentType: 'application/atom+xml',
      body:
        `<?xml version="1.0" encoding="utf-8"?><entry xmlns="${NS.atom}" xmlns:d="${NS.data}" xmlns:m="${NS.metadata}">` +
        '<category scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" term="Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset" />' +
        '<title /><author><name /></author><updated>2024-01-01T00:00:00Z</updated><id />' +
        '<content type="application/xml"><m:properties><d:AlternateId m:null="true" /><d:Created m:type="Edm.DateTime">0001-01-01T00:00:00</d:Created>' +
        '<d:Id m:null="true" /><d:Name>from atom</d:Name><d:Options m:type="Edm.Int32">0</d:Options><d:State m:type="Edm.Int32">0</d:State>' +
        '</m:properties></content></entry>',
    });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(posted.headers.get('content-type'), 'application/atom+xml;type=entry;charset=utf-8');
    const postedProps = atomProperties(parseXmlDocument(posted.text));
    assert.equal(postedProps.get('Name')?.text, 'from atom');
    assert.match(postedProps.get('Id')?.text ?? '', GUID_KEY('cid'));
    assert.notEqual(postedProps.get('Created')?.text.slice(0, 4), '0001');
  });

  test('request ids: request-id and x-ms-request-id on every answer, client-request-id echoed up to 2096 bytes', async () => {
    const clientId = `sdk-${'x'.repeat(32)}`;
    for (const reply of [
      await call(c, 'GET', 'Assets', { headers: { 'client-request-id': clientId } }),
      await call(c, 'GET', "Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')", {
        headers: { 'client-request-id': clientId },
      }),
      await call(c, 'POST', 'Assets', { body: '{', headers: { 'client-request-id': clientId } }),
    ]) {
      const id = reply.headers.get('request-id');
      assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(reply.headers.get('x-ms-request-id'), id);
      assert.equal(reply.headers.get('client-request-id'), clientId);
      assert.equal(reply.headers.get('dataserviceversion'), '3.0;');
    }
    const a = await call(c, 'GET', 'Assets');
    const b = await call(c, 'GET', 'Assets');
    assert.notEqual(a.headers.get('request-id'), b.headers.get('request-id'));
    assert.equal(a.headers.get('client-request-id'), null);
    const long = await call(c, 'GET', 'Assets', { headers: { 'client-request-id': 'y'.repeat(2097) } });
    assert.equal(long.status, 200);
    assert.equal(long.headers.get('client-request-id'), null);
    const limit = await call(c, 'GET', 'Assets', { headers: { 'client-request-id': 'y'.repeat(2096) } });
    assert.equal(limit.headers.get('client-request-id'), 'y'.repeat(2096));
  });

  test('Prefer: return-no-content makes a create 204 with Location and no body', async () => {
    const reply = await call(c, 'POST', 'Assets', {
      body: { Name: 'quiet' },
      headers: { prefer: 'return-no-content' },
    });
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
    const location = reply.headers.get('location') ?? '';
    assert.match(location, /Assets\('nb%3Acid%3AUUID%3A[0-9a-f-]{36}'\)$/);
    assert.equal(reply.headers.get('preference-applied'), 'return-no-content');
    const read = await call<Entity>(c, 'GET', location);
    assert.equal(read.status, 200);
    assert.equal(read.json.Name, 'quiet');
  });

  test('every entity set lists, and each of its entities reads, in all three dialects', async () => {
    // Something in most sets: an asset with a file, a policy, locators, a delivery policy, a
    // webhook, a content key, and a job (with tasks) that ends in Error for want of input files.
    const asset = await createAsset(c, 'sweep');
    await call(c, 'POST', 'Files', { body: { Name: 'f.mp4', ParentAssetId: asset.Id } });
    const policy = await call<Entity>(c, 'POST', 'AccessPolicies', {
      body: { Name: 'r', DurationInMinutes: 60, Permissions: 1 },
    });
    for (const type of [1, 2])
      await call(c, 'POST', 'Locators', {
        body: { AccessPolicyId: policy.json.Id, AssetId: asset.Id, Type: type },
      });
    await call(c, 'POST', 'AssetDeliveryPolicies', {
      body: { Name: 'd', AssetDeliveryProtocol: 7, AssetDeliveryPolicyType: 2 },
    });
    await call(c, 'POST', 'NotificationEndPoints', {
      body: { Name: 'n', EndPointAddress: 'https://example.invalid/', EndPointType: 3 },
    });
    await createContentKey(c);
    const job = await call<Entity>(c, 'POST', 'Jobs', {
      body: {
        Name: 'sweep',
        'InputMediaAssets@odata.bind': [`${api}${keyOf('Assets', asset.Id)}`],
        Tasks: [{ Configuration: 'H264 Single Bitrate 720p', MediaProcessorId: MES_ID, TaskBody: TASK_BODY }],
      },
    });
    assert.equal(job.status, 201, job.text);
    await waitForJob(c, job.json.Id);

    for (const set of SETS) {
      const minimal = await call<{ value: Entity[] }>(c, 'GET', set);
      assert.equal(minimal.status, 200, `${set}: ${minimal.text}`);
      assert.ok(Array.isArray(minimal.json.value), set);
      const verbose = await call<{ d: { results: Array<{ __metadata: { uri: string; type: string } }> } }>(
        c,
        'GET',
        set,
        { accept: ACCEPT.verbose },
      );
      assert.equal(verbose.status, 200, `${set}: ${verbose.text}`);
      assert.equal(verbose.json.d.results.length, minimal.json.value.length, set);
      const atom = await call(c, 'GET', set, { accept: ACCEPT.atom });
      assert.equal(atom.status, 200, set);
      const feed = parseXmlDocument(atom.text);
      const entries = children(feed, NS.atom, 'entry');
      assert.equal(entries.length, minimal.json.value.length, set);
      for (const entry of entries) atomProperties(entry);
      for (const [i, item] of verbose.json.d.results.entries()) {
        assert.ok(item.__metadata.type.startsWith(`${MODEL_NS}.`), `${set}: ${item.__metadata.type}`);
        // Each entity reads at the URI it is listed under, in every dialect.
        for (const accept of [ACCEPT.minimal, ACCEPT.verbose, ACCEPT.atom]) {
          const one = await call(c, 'GET', item.__metadata.uri, { accept });
          assert.equal(one.status, 200, `${item.__metadata.uri} (${accept}): ${one.text}`);
          if (accept === ACCEPT.atom) atomProperties(parseXmlDocument(one.text));
        }
        if (set !== 'StorageAccounts' && set !== 'EncodingReservedUnitTypes')
          assert.equal(
            (minimal.json.value[i] as Entity).Id,
            (verbose.json.d.results[i] as unknown as Entity).Id,
          );
      }
    }
    const sets = await Promise.all(
      ['Assets', 'Files', 'Locators', 'Jobs', 'Tasks', 'MediaProcessors', 'StreamingEndpoints'].map(
        async (set) => [set, (await call<{ value: unknown[] }>(c, 'GET', set)).json.value.length],
      ),
    );
    for (const [set, count] of sets) assert.ok(Number(count) > 0, `${String(set)} has entities`);
  });

  test('errors in each dialect: odata.error, error, m:error', async () => {
    const missing = "Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')";
    const minimal = await call<Record<string, unknown>>(c, 'GET', missing);
    assert.equal(minimal.status, 404);
    assert.equal(minimal.headers.get('content-type'), MINIMAL_TYPE);
    assert.deepEqual(Object.keys(minimal.json), ['odata.error']);
    const verbose = await call<{ error: { code: string; message: { lang: string; value: string } } }>(
      c,
      'GET',
      missing,
      { accept: ACCEPT.verbose },
    );
    assert.equal(verbose.status, 404);
    assert.equal(verbose.headers.get('content-type'), VERBOSE_TYPE);
    assert.equal(verbose.json.error.message.lang, 'en-US');
    const atom = await call(c, 'GET', missing, { accept: ACCEPT.atom });
    assert.equal(atom.status, 404);
    const error = parseXmlDocument(atom.text);
    assert.equal(error.ns, NS.metadata);
    assert.equal(error.local, 'error');
    assert.ok(child(error, NS.metadata, 'code').text.length > 0, atom.text);
    const message = child(error, NS.metadata, 'message');
    assert.equal(message.attrs['{http://www.w3.org/XML/1998/namespace}lang'], 'en-US');
  });
});
