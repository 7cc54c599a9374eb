import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller, CallOptions, Entity, Reply } from './protocolSupport.js';
import {
  ACCEPT,
  MES_ID,
  NS,
  TASK_BODY,
  call,
  contributor,
  create,
  createAsset,
  keyOf,
  listAll,
  odataError,
  parseXmlDocument,
} from './protocolSupport.js';
import { startMedia } from './support.js';

/** The sets a bad request could leave something in. */
const WATCHED = [
  'Assets',
  'Files',
  'AccessPolicies',
  'Locators',
  'Jobs',
  'Tasks',
  'NotificationEndPoints',
  'AssetDeliveryPolicies',
  'ContentKeys',
  'JobTemplates',
  'IngestManifests',
];

const atom = (properties: string) =>
  `<?xml version="1.0" encoding="utf-8"?><entry xmlns="${NS.atom}" xmlns:d="${NS.data}" xmlns:m="${NS.metadata}">` +
  `<content type="application/xml"><m:properties>${properties}</m:properties></content></entry>`;

describe('Media Services v2 refuses bad input cleanly', () => {
  let c: Caller;
  let asset: Entity;
  let policy: Entity;

  before(async () => {
    c = await contributor();
    asset = await createAsset(c, 'existing');
    policy = await create(c, 'AccessPolicies', { Name: 'read', DurationInMinutes: 60, Permissions: 1 });
  });
  after(() => c.f.t.stop());

  async function snapshot(): Promise<Record<string, string[]>> {
    const all: Record<string, string[]> = {};
    for (const set of WATCHED) {
      all[set] = (await listAll(c, set)).map(
        (e) => `${e.Id}|${String(e.LastModified ?? '')}|${String(e.Name ?? '')}`,
      );
    }
    return all;
  }

  /** Sends each request and asserts its error status (with an OData error body), and that nothing changed. */
  async function refused(
    cases: ReadonlyArray<{ method: string; path: string; status: number; options?: CallOptions }>,
  ): Promise<void> {
    const before = await snapshot();
    for (const { method, path, status, options } of cases) {
      const reply: Reply = await call(c, method, path, options);
      const label = `${method} ${path.slice(0, 80)} ${String(options?.body ?? '').slice(0, 80)}`;
      assert.equal(reply.status, status, `${label}: ${reply.text.slice(0, 300)}`);
      odataError(reply, status);
    }
    assert.deepEqual(await snapshot(), before, 'nothing was left behind');
  }

  test('malformed JSON bodies are 400', async () => {
    const bodies = [
      '{"Name":',
      '{"Name":"x",}',
      '{"Name":"x"} trailing',
      '[{"Name":"x"}]',
      '"just a string"',
      '42',
      'null',
      '{"Name":"x","Name":"y"}',
      '{"Name":"\\q"}',
      '{"Name":"\\u12"}',
      `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`,
      `${'['.repeat(100_000)}`,
      '{Name:}',
      "{'Name':'x}",
      '{"Name":NaN}',
      '\u0000{"Name":"x"}',
    ];
    await refused(bodies.map((body) => ({ method: 'POST', path: 'Assets', status: 400, options: { body } })));
    await refused([
      // Not UTF-8.
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      },
      { method: 'MERGE', path: keyOf('Assets', asset.Id), status: 400, options: { body: '{"Name":' } },
      {
        method: 'POST',
        path: `${keyOf('Assets', asset.Id)}/$links/ParentAssets`,
        status: 400,
        options: { body: '{"uri":' },
      },
    ]);
  });

  test('unknown properties, wrong types and bad enumerations are 400', async () => {
    await refused([
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', Nope: 1 } } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', name: 'lower-case' } } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: '{"Name":"x","__proto__":{"polluted":true}}' },
      },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: { nested: true } } } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', Options: 'abc' } } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', Options: 3 } } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', Options: 1.5 } } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: { Name: 'x', Created: 'yesterday' } } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: { Name: 'x', StorageAccountName: 'elsewhere' } },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: { Name: 'x', 'Nope@odata.bind': 'Assets' } },
      },
      { method: 'MERGE', path: keyOf('Assets', asset.Id), status: 400, options: { body: { Nope: 1 } } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: atom('<d:Name>x</d:Name><d:Nope>1</d:Nope>'), contentType: 'application/atom+xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: {
          body: atom('<d:Name>x</d:Name><d:Options m:type="Edm.Int32">many</d:Options>'),
          contentType: 'application/atom+xml',
        },
      },
      {
        method: 'POST',
        path: 'AccessPolicies',
        status: 400,
        options: { body: { Name: 'p', Permissions: 1 } },
      },
      {
        method: 'POST',
        path: 'AccessPolicies',
        status: 400,
        options: { body: { Name: 'p', DurationInMinutes: -5, Permissions: 1 } },
      },
      {
        method: 'POST',
        path: 'AccessPolicies',
        status: 400,
        options: { body: { Name: 'p', DurationInMinutes: 5, Permissions: 64 } },
      },
      {
        method: 'POST',
        path: 'Locators',
        status: 400,
        options: {
          body: { Id: 'nb:lid:UUID:not-a-guid', AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1 },
        },
      },
      {
        method: 'POST',
        path: 'Locators',
        status: 400,
        options: { body: { AccessPolicyId: policy.Id, AssetId: asset.Id, Type: 1, StartTime: 'soon' } },
      },
      {
        method: 'POST',
        path: 'Locators',
        status: 400,
        options: {
          body: {
            AccessPolicyId: 'nb:pid:UUID:00000000-0000-0000-0000-000000000000',
            AssetId: asset.Id,
            Type: 1,
          },
        },
      },
      { method: 'POST', path: 'Files', status: 400, options: { body: { Name: 'a.mp4' } } },
      {
        method: 'POST',
        path: 'Files',
        status: 400,
        options: { body: { Name: 'a.mp4', ParentAssetId: asset.Id, ContentFileSize: '-1' } },
      },
      {
        method: 'POST',
        path: 'NotificationEndPoints',
        status: 400,
        options: { body: { Name: 'n', EndPointType: 3, EndPointAddress: 'javascript:alert(1)' } },
      },
    ]);
  });

  test('bad ids: a 404 for keys that name nothing, a 400 for keys that are not keys', async () => {
    await refused([
      { method: 'GET', path: "Assets('x')", status: 404 },
      { method: 'GET', path: "Assets('nb:cid:UUID:not-a-guid')", status: 404 },
      {
        method: 'GET',
        path: "Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')/Files",
        status: 404,
      },
      { method: 'GET', path: "Assets('')", status: 404 },
      { method: 'DELETE', path: "Assets('x')", status: 404 },
      {
        method: 'MERGE',
        path: "Assets('nb:cid:UUID:not-a-guid')",
        status: 404,
        options: { body: { Name: 'y' } },
      },
      { method: 'GET', path: "Locators('x')/Asset", status: 404 },
      { method: 'GET', path: "Jobs('x')/State", status: 404 },
      { method: 'GET', path: `Locators('${asset.Id}')`, status: 404 },
      {
        method: 'GET',
        path: "CancelJob?jobid='nb:jid:UUID:00000000-0000-0000-0000-000000000000'",
        status: 404,
      },
      { method: 'GET', path: "CreateFileInfos?assetid='x'", status: 404 },
      { method: 'GET', path: 'CreateFileInfos', status: 400 },
      { method: 'GET', path: 'Assets(x)', status: 400 },
      { method: 'GET', path: "Assets('a'/Files", status: 400 },
      { method: 'GET', path: "Assets('a')('b')", status: 400 },
      { method: 'GET', path: "Assets(Name='x')", status: 400 },
      { method: 'GET', path: "EncodingReservedUnitTypes(guid'not-a-guid')", status: 400 },
      { method: 'GET', path: 'Nope', status: 404 },
      { method: 'GET', path: 'Assets/Nope/Deeper', status: 404 },
      { method: 'GET', path: `Assets('${'a'.repeat(1500)}')/${'x/'.repeat(300)}`, status: 400 },
    ]);
  });

  test('bad query options are 400', async () => {
    await refused([
      { method: 'GET', path: "Assets?$filter=Name eq 'x' and", status: 400 },
      { method: 'GET', path: 'Assets?$filter=Nope eq 1', status: 400 },
      { method: 'GET', path: "Assets?$filter=Name eq 'x'&$filter=Name eq 'y'", status: 400 },
      { method: 'GET', path: 'Assets?$filter=Created gt 5', status: 400 },
      { method: 'GET', path: 'Assets?$expand=Files', status: 400 },
      { method: 'GET', path: 'Assets?$format=csv', status: 400 },
      { method: 'GET', path: 'Assets?$Top=1', status: 400 },
    ]);
  });

  test('bodies that are not entities: empty, not an Atom entry, a DTD, an unsupported media type', async () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      `<entry xmlns="${NS.atom}"><title>&lol2;</title></entry>`;
    await refused([
      { method: 'POST', path: 'Assets', status: 400, options: { body: '' } },
      { method: 'POST', path: 'Assets', status: 400, options: { body: '   ' } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: '', contentType: 'application/atom+xml' },
      },
      { method: 'MERGE', path: keyOf('Assets', asset.Id), status: 400, options: { body: '' } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: `<feed xmlns="${NS.atom}" />`, contentType: 'application/atom+xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: '<entry>', contentType: 'application/atom+xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: '<a></b>', contentType: 'application/xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: lol, contentType: 'application/atom+xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', contentType: 'application/xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: atom('<d:Name>&xxe;</d:Name>'), contentType: 'application/atom+xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: `${'<a>'.repeat(10_000)}`, contentType: 'application/xml' },
      },
      {
        method: 'POST',
        path: 'Assets',
        status: 415,
        options: { body: 'Name,Options\nx,0', contentType: 'text/csv' },
      },
      { method: 'POST', path: 'Assets', status: 400, options: { body: 'Name=x', contentType: 'text/plain' } },
      {
        method: 'POST',
        path: `${keyOf('Assets', asset.Id)}/$links/ParentAssets`,
        status: 400,
        options: { body: '{}' },
      },
      {
        method: 'POST',
        path: `${keyOf('Assets', asset.Id)}/$links/ParentAssets`,
        status: 400,
        options: { body: { uri: 'https://elsewhere.invalid/api/Nope(1)' } },
      },
    ]);
  });

  test('a body over 4 MiB is a 413 OData error', async () => {
    const before = await snapshot();
    const big = JSON.stringify({ Name: 'x'.repeat(4 * 1024 * 1024 + 16) });
    for (const [method, path] of [
      ['POST', 'Assets'],
      ['MERGE', keyOf('Assets', asset.Id)],
      ['POST', '$batch'],
    ] as const) {
      const reply = await call(c, method, path, { body: big });
      odataError(reply, 413);
      const verbose = await call(c, method, path, { body: big, accept: ACCEPT.verbose });
      assert.equal(verbose.status, 413);
      assert.ok((verbose.json as Record<string, unknown>).error, verbose.text);
    }
    // Just under the limit is read (and refused for what it says, not for its size).
    const under = await call(c, 'POST', 'Assets', {
      body: JSON.stringify({ Name: 'x'.repeat(4096), Nope: 'y'.repeat(4 * 1024 * 1024 - 8192) }),
    });
    odataError(under, 400);
    assert.deepEqual(await snapshot(), before);
  });

  test('requests without a usable version, and errors in Atom', async () => {
    await refused([
      { method: 'GET', path: 'Assets', status: 400, options: { headers: { 'x-ms-version': '' } } },
      { method: 'GET', path: 'Assets', status: 400, options: { headers: { 'x-ms-version': '1.0' } } },
      { method: 'GET', path: 'Assets', status: 400, options: { headers: { 'x-ms-version': '3.0' } } },
      { method: 'GET', path: 'Assets', status: 400, options: { headers: { 'x-ms-version': 'latest' } } },
      {
        method: 'POST',
        path: 'Assets',
        status: 400,
        options: { body: { Name: 'x' }, headers: { 'x-ms-version': '' } },
      },
    ]);
    for (const version of ['2.2', '2.11', '2.13', '2.15', '2.17', '2.19']) {
      const reply = await call(c, 'GET', 'Assets', { headers: { 'x-ms-version': version } });
      assert.equal(reply.status, 200, version);
    }
    const before = await snapshot();
    const reply = await call(c, 'POST', 'Assets', {
      accept: ACCEPT.atom,
      body: atom('<d:Nope>1</d:Nope>'),
      contentType: 'application/atom+xml',
    });
    assert.equal(reply.status, 400);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/xml/);
    const error = parseXmlDocument(reply.text);
    assert.equal(error.local, 'error');
    assert.equal(error.ns, NS.metadata);
    assert.deepEqual(await snapshot(), before);
  });

  test('jobs refused at submission leave no job, task or output asset', async () => {
    const input = asset;
    const bind = [`${c.f.api}${keyOf('Assets', input.Id)}`];
    const task = (overrides: Record<string, unknown> = {}) => ({
      Name: 't',
      Configuration: 'H264 Single Bitrate 720p',
      MediaProcessorId: MES_ID,
      TaskBody: TASK_BODY,
      ...overrides,
    });
    const job = (body: Record<string, unknown>) => ({
      method: 'POST',
      path: 'Jobs',
      status: 400,
      options: { body: { Name: 'refused', 'InputMediaAssets@odata.bind': bind, Tasks: [task()], ...body } },
    });
    await refused([
      job({ Tasks: [] }),
      job({ Tasks: [task({ TaskBody: '<taskBody><inputAsset>' })] }),
      job({ Tasks: [task({ TaskBody: '<!DOCTYPE x><taskBody/>' })] }),
      job({ Tasks: [task({ Configuration: 'No Such Preset' })] }),
      job({ Tasks: [task({ MediaProcessorId: 'nb:mpid:UUID:00000000-0000-0000-0000-000000000000' })] }),
      job({ Tasks: [task({ TaskBody: TASK_BODY.replace('JobInputAsset(0)', 'JobInputAsset(3)') })] }),
      job({
        Tasks: [
          task({
            TaskBody:
              '<taskBody><inputAsset>JobOutputAsset(1)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>',
          }),
          task({
            TaskBody:
              '<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset></taskBody>',
          }),
        ],
      }),
      job({
        Tasks: Array.from({ length: 31 }, (_, i) =>
          task({ TaskBody: TASK_BODY.replace('JobOutputAsset(0)', `JobOutputAsset(${i})`) }),
        ),
      }),
      job({
        'InputMediaAssets@odata.bind': [
          `${c.f.api}Assets('nb:cid:UUID:00000000-0000-0000-0000-000000000000')`,
        ],
      }),
      job({ 'InputMediaAssets@odata.bind': [`${c.f.api}${keyOf('AccessPolicies', policy.Id)}`] }),
      job({
        JobNotificationSubscriptions: [
          { NotificationEndPointId: 'nb:nepid:UUID:00000000-0000-0000-0000-000000000000', TargetJobState: 2 },
        ],
      }),
      job({ TemplateId: 'nb:jtid:UUID:00000000-0000-0000-0000-000000000000' }),
      job({ Priority: 'high' }),
    ]);
  });
});

describe('a path Fastify cannot decode', () => {
  test('is an OData error below /media/, in the client’s dialect', async () => {
    const f = await startMedia('badurl');
    try {
      const minimal = await fetch(`${f.api}Assets('%ZZ')`, { headers: { accept: 'application/json' } });
      assert.equal(minimal.status, 400);
      const body = (await minimal.json()) as { 'odata.error'?: { code: string } };
      assert.equal(body['odata.error']?.code, 'BadRequest');
      const atom = await fetch(`${f.api}Assets('%ZZ')`, { headers: { accept: 'application/atom+xml' } });
      assert.equal(atom.status, 400);
      assert.match(await atom.text(), /<m:error /);
    } finally {
      await f.t.stop();
    }
  });
});
