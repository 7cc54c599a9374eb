import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import { parseXml } from '../../src/media/odata/bodyReader.js';
import { entityTypeOf } from '../../src/media/odata/model.js';
import type { SerializeContext } from '../../src/media/odata/serialize/index.js';
import {
  responseContentType,
  serializeCollection,
  serializeEntity,
  serializeLink,
  serializeLinks,
  serializeProperty,
  serializeValue,
} from '../../src/media/odata/serialize/index.js';
import {
  escapeXml,
  formatDuration,
  formatIsoDateTime,
  keyLiteral,
  parseDateTime,
  parseDuration,
} from '../../src/media/odata/serialize/values.js';

const ROOT = 'https://localhost:8443/media/acct/api/';
const ctx3: SerializeContext = {
  apiRoot: ROOT,
  dataServiceVersion: '3.0',
  now: Date.UTC(2026, 11, 5, 6, 6, 30, 123),
};
const ctx2: SerializeContext = { ...ctx3, dataServiceVersion: '2.0' };
const NS = 'Microsoft.Cloud.Media.Vod.Rest.Data.Models';
const ASSET_ID = 'nb:cid:UUID:1f6c7bb4-8013-486e-b4c9-2e4a6842b9a6';
const ASSET_PATH = "Assets('nb%3Acid%3AUUID%3A1f6c7bb4-8013-486e-b4c9-2e4a6842b9a6')";

const Assets = entityTypeOf('Assets');
const Files = entityTypeOf('Files');
const Tasks = entityTypeOf('Tasks');
const Jobs = entityTypeOf('Jobs');
const Channels = entityTypeOf('Channels');
const AccessPolicies = entityTypeOf('AccessPolicies');

const asset = {
  Id: ASSET_ID,
  State: 0,
  Created: 1587084991763,
  LastModified: 1587084991000,
  AlternateId: null,
  Name: 'V2-input <&> "quoted"',
  Options: 0,
  FormatOption: 0,
  Uri: 'https://store.blob.core.windows.net/asset-1f6c7bb4-8013-486e-b4c9-2e4a6842b9a6',
  StorageAccountName: 'store',
};

const file = {
  Id: 'nb:cid:UUID:08091296-b368-4444-9ce9-878798ef482e',
  Name: 'clip.mov',
  ContentFileSize: 122992491,
  ParentAssetId: ASSET_ID,
  EncryptionVersion: null,
  EncryptionScheme: null,
  IsEncrypted: false,
  EncryptionKeyId: null,
  InitializationVector: null,
  IsPrimary: false,
  LastModified: 1587097903363,
  Created: 1587097903363,
  MimeType: null,
  ContentChecksum: null,
  Options: 0,
};

const task = {
  Id: 'nb:tid:UUID:45547fae-f89c-406c-8202-773ce47f4ac8',
  Configuration: 'H264 Single Bitrate 720p',
  EndTime: Date.UTC(2020, 3, 15, 18, 46, 11, 477),
  ErrorDetails: [],
  HistoricalEvents: [{ Code: 'Scheduled', Message: '', TimeStamp: Date.UTC(2020, 3, 15, 18, 45, 22, 217) }],
  MediaProcessorId: 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56',
  Name: 'encode',
  PerfMessage: null,
  Priority: 0,
  Progress: 100,
  RunningDuration: 39.5,
  StartTime: null,
  State: 3,
  TaskBody: '<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>',
  Options: 0,
  EncryptionKeyId: null,
  EncryptionScheme: 'None',
  EncryptionVersion: null,
  InitializationVector: null,
  TaskNotificationSubscriptions: [
    { IncludeTaskProgress: true, NotificationEndPointId: 'nb:nepid:UUID:12ed9f0d', TargetTaskState: 2 },
  ],
};

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('minimal JSON (JSON Light)', () => {
  it('writes an entity with its context URL, ISO dates and every property in declaration order', () => {
    const text = serializeEntity('minimal', Assets, asset, ctx3);
    const body = json(text);
    assert.equal(body['odata.metadata'], `${ROOT}$metadata#Assets/@Element`);
    assert.deepEqual(Object.keys(body), [
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
    assert.equal(body['Created'], '2020-04-17T00:56:31.763Z');
    assert.equal(body['LastModified'], '2020-04-17T00:56:31Z', 'whole seconds have no fraction');
    assert.equal(body['Name'], 'V2-input <&> "quoted"');
    assert.equal(body['AlternateId'], null);
    assert.ok(
      !text.includes('__metadata') && !text.includes('__deferred'),
      'no navigation links in minimal metadata',
    );
  });

  it('writes Int64 as strings and doubles with a .0', () => {
    const body = json(serializeEntity('minimal', Files, file, ctx3));
    assert.equal(body['ContentFileSize'], '122992491');
    const policy = serializeEntity(
      'minimal',
      AccessPolicies,
      { Id: 'nb:pid:UUID:1', Created: 0, LastModified: 0, Name: 'p', DurationInMinutes: 440, Permissions: 2 },
      ctx3,
    );
    assert.match(policy, /"DurationInMinutes":440\.0,/);
    assert.match(serializeEntity('minimal', Tasks, task, ctx3), /"RunningDuration":39\.5,/);
  });

  it('writes complex collections as bare arrays', () => {
    const body = json(serializeEntity('minimal', Tasks, task, ctx3));
    assert.deepEqual(body['ErrorDetails'], []);
    assert.deepEqual(body['HistoricalEvents'], [
      { Code: 'Scheduled', Message: '', TimeStamp: '2020-04-15T18:45:22.217Z' },
    ]);
    assert.deepEqual(body['TaskNotificationSubscriptions'], task.TaskNotificationSubscriptions);
  });

  it('writes collections with value, odata.count and odata.nextLink', () => {
    const text = serializeCollection('minimal', Assets, [asset, { ...asset, Id: 'nb:cid:UUID:2' }], ctx3, {
      count: 1500,
      nextLink: `${ROOT}Assets?$skip=1000`,
    });
    const body = json(text);
    assert.equal(body['odata.metadata'], `${ROOT}$metadata#Assets`);
    assert.equal(body['odata.count'], '1500');
    assert.equal(body['odata.nextLink'], `${ROOT}Assets?$skip=1000`);
    const value = body['value'] as Record<string, unknown>[];
    assert.equal(value.length, 2);
    assert.equal(value[1]!['Id'], 'nb:cid:UUID:2');
    assert.equal(value[0]!['odata.metadata'], undefined);
    assert.deepEqual(json(serializeCollection('minimal', Assets, [], ctx3)), {
      'odata.metadata': `${ROOT}$metadata#Assets`,
      value: [],
    });
  });

  it('limits properties to $select and says so in the context URL', () => {
    const body = json(serializeEntity('minimal', Assets, asset, ctx3, ['Name', 'Id', 'Locators']));
    assert.deepEqual(Object.keys(body), ['odata.metadata', 'Id', 'Name']);
    assert.equal(body['odata.metadata'], `${ROOT}$metadata#Assets/@Element&$select=Name,Id,Locators`);
    const all = json(serializeCollection('minimal', Assets, [asset], ctx3, { select: ['*'] }));
    assert.equal(Object.keys((all['value'] as object[])[0]!).length, 10);
  });

  it('writes complex values without type annotations', () => {
    const channel = {
      Id: 'nb:chid:UUID:1',
      Input: {
        KeyFrameInterval: 2000,
        StreamingProtocol: 'RTMP',
        AccessControl: { IP: { Allow: [{ Name: 'all', Address: '0.0.0.0', SubnetPrefixLength: 0 }] } },
        Endpoints: [],
      },
      Output: { Hls: { FragmentsPerSegment: 1 } },
    };
    const body = json(serializeEntity('minimal', Channels, channel, ctx3));
    assert.deepEqual(body['Input'], {
      KeyFrameInterval: 'PT2S',
      StreamingProtocol: 'RTMP',
      AccessControl: { IP: { Allow: [{ Name: 'all', Address: '0.0.0.0', SubnetPrefixLength: 0 }] } },
      Endpoints: [],
    });
    assert.deepEqual(body['Output'], { Hls: { FragmentsPerSegment: 1 } });
    assert.equal(body['Preview'], null);
  });

  it('lists 1,000 assets as valid JSON', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      ...asset,
      Id: `nb:cid:UUID:${i}`,
      Created: asset.Created + i,
    }));
    const body = json(serializeCollection('minimal', Assets, many, ctx3));
    const value = body['value'] as Record<string, unknown>[];
    assert.equal(value.length, 1000);
    assert.equal(value[999]!['Created'], formatIsoDateTime(asset.Created + 999));
  });
});

describe('verbose JSON', () => {
  it('writes __metadata, bound actions and deferred navigation links before the properties', () => {
    const body = json(serializeEntity('verbose', Assets, asset, ctx3));
    const d = body['d'] as Record<string, unknown>;
    assert.deepEqual(d['__metadata'], {
      id: ROOT + ASSET_PATH,
      uri: ROOT + ASSET_PATH,
      type: `${NS}.Asset`,
      actions: {
        [`${ROOT}$metadata#WindowsAzureMediaServices.Publish`]: [
          { title: 'Publish', target: `${ROOT}${ASSET_PATH}/Publish` },
        ],
      },
    });
    assert.deepEqual(d['Files'], { __deferred: { uri: `${ROOT}${ASSET_PATH}/Files` } });
    assert.deepEqual(Object.keys(d).slice(0, 8), [
      '__metadata',
      'Locators',
      'ContentKeys',
      'Files',
      'ParentAssets',
      'DeliveryPolicies',
      'StorageAccount',
      'Id',
    ]);
    assert.equal(d['Name'], asset.Name);
  });

  it('writes \\/Date(ms)\\/ for DataServiceVersion 1.0 and 2.0, ISO 8601 for 3.0', () => {
    const v2 = serializeEntity('verbose', Assets, asset, ctx2);
    assert.ok(v2.includes('"Created":"\\/Date(1587084991763)\\/"'), v2);
    assert.equal((json(v2)['d'] as Record<string, unknown>)['Created'], '/Date(1587084991763)/');
    const v1 = serializeEntity('verbose', Assets, asset, { ...ctx3, dataServiceVersion: '1.0' });
    assert.ok(v1.includes('"\\/Date(1587084991763)\\/"'));
    const v3 = json(serializeEntity('verbose', Assets, asset, ctx3));
    assert.equal((v3['d'] as Record<string, unknown>)['Created'], '2020-04-17T00:56:31.763Z');
  });

  it('writes collection properties with a Collection type and results', () => {
    const d = json(serializeEntity('verbose', Tasks, task, ctx3))['d'] as Record<string, unknown>;
    assert.deepEqual(d['ErrorDetails'], {
      __metadata: { type: `Collection(${NS}.ErrorDetail)` },
      results: [],
    });
    assert.deepEqual(d['TaskNotificationSubscriptions'], {
      __metadata: { type: `Collection(${NS}.TaskNotificationSubscription)` },
      results: task.TaskNotificationSubscriptions,
    });
    assert.equal(d['Progress'], 100);
    assert.ok(!serializeEntity('verbose', Tasks, task, ctx3).includes('"Progress":100.0'));
    const files = json(serializeEntity('verbose', Files, file, ctx3))['d'] as Record<string, unknown>;
    assert.equal(files['ContentFileSize'], '122992491');
  });

  it('writes single complex values with their type', () => {
    const d = json(
      serializeEntity(
        'verbose',
        Channels,
        { Id: 'nb:chid:UUID:1', Slate: { InsertSlateOnAdMarker: true, DefaultSlateAssetId: null } },
        ctx3,
      ),
    )['d'] as Record<string, unknown>;
    assert.deepEqual(d['Slate'], {
      __metadata: { type: `${NS}.ChannelSlate` },
      InsertSlateOnAdMarker: true,
      DefaultSlateAssetId: null,
    });
    const actions = (d['__metadata'] as { actions: Record<string, unknown> }).actions;
    assert.equal(
      Object.keys(actions).length,
      7,
      'Start, Stop, Reset, ShowSlate, HideSlate, StartAdvertisement, EndAdvertisement',
    );
  });

  it('writes collections with results, __count and __next', () => {
    const body = json(
      serializeCollection('verbose', Assets, [asset], ctx3, { count: 3, nextLink: `${ROOT}Assets?$skip=1` }),
    );
    const d = body['d'] as Record<string, unknown>;
    assert.equal(d['__count'], '3');
    assert.equal(d['__next'], `${ROOT}Assets?$skip=1`);
    assert.equal((d['results'] as unknown[]).length, 1);
    assert.deepEqual(json(serializeCollection('verbose', Assets, [], ctx3)), { d: { results: [] } });
  });

  it('limits properties and navigation links to $select', () => {
    const d = json(serializeEntity('verbose', Assets, asset, ctx3, ['Name', 'Files']))['d'] as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(d), ['__metadata', 'Files', 'Name']);
  });
});

describe('Atom', () => {
  it('writes an entry as WCF Data Services did', () => {
    const text = serializeEntity('atom', Assets, asset, ctx3);
    assert.ok(
      text.startsWith(
        '<?xml version="1.0" encoding="utf-8"?><entry xml:base="https://localhost:8443/media/acct/api/"',
      ),
    );
    assert.ok(text.includes(`<id>${ROOT}${ASSET_PATH}</id>`));
    assert.ok(
      text.includes(
        `<category term="${NS}.Asset" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />`,
      ),
    );
    assert.ok(text.includes(`<link rel="edit" title="Asset" href="${ASSET_PATH}" />`));
    assert.ok(
      text.includes(
        `<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Files" type="application/atom+xml;type=feed" title="Files" href="${ASSET_PATH}/Files" />`,
      ),
    );
    assert.ok(text.includes('type="application/atom+xml;type=entry" title="StorageAccount"'));
    assert.ok(text.includes('<updated>2026-12-05T06:06:30Z</updated>'));
    assert.ok(
      text.includes(
        `<m:action metadata="${ROOT}$metadata#WindowsAzureMediaServices.Publish" title="Publish"`,
      ),
    );
    assert.ok(text.includes('<d:State m:type="Edm.Int32">0</d:State>'));
    assert.ok(text.includes('<d:Created m:type="Edm.DateTime">2020-04-17T00:56:31.763Z</d:Created>'));
    assert.ok(text.includes('<d:AlternateId m:null="true" />'));
    assert.ok(
      text.includes('<d:Name>V2-input &lt;&amp;&gt; &quot;quoted&quot;</d:Name>'),
      'strings carry no m:type and are escaped',
    );
  });

  it('writes well-formed XML whose properties read back', () => {
    const entry = parseXml(serializeEntity('atom', Tasks, task, ctx3));
    assert.equal(entry.local, 'entry');
    const content = entry.children.find((c) => c.local === 'content')!;
    const props = content.children[0]!.children;
    const byName = new Map(props.map((p) => [p.local, p]));
    assert.equal(byName.get('TaskBody')!.text, task.TaskBody);
    assert.equal(
      byName
        .get('Progress')!
        .attrs.get('{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}type'),
      'Edm.Double',
    );
    const subs = byName.get('TaskNotificationSubscriptions')!;
    assert.equal(
      subs.attrs.get('{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}type'),
      `Collection(${NS}.TaskNotificationSubscription)`,
    );
    assert.equal(subs.children[0]!.local, 'element');
    assert.deepEqual(
      subs.children[0]!.children.map((c) => [c.local, c.text]),
      [
        ['IncludeTaskProgress', 'true'],
        ['NotificationEndPointId', 'nb:nepid:UUID:12ed9f0d'],
        ['TargetTaskState', '2'],
      ],
    );
  });

  it('writes a feed with self link, m:count, entries and a next link', () => {
    const text = serializeCollection('atom', Files, [file], ctx3, {
      count: 7,
      nextLink: `${ROOT}${ASSET_PATH}/Files?$skip=1`,
      navigationSource: `${ASSET_PATH}/Files`,
    });
    const feed = parseXml(text);
    assert.equal(feed.local, 'feed');
    assert.ok(text.includes(`<id>${ROOT}${ASSET_PATH}/Files</id><title type="text">Files</title>`));
    assert.ok(text.includes(`<link rel="self" title="Files" href="${ASSET_PATH}/Files" />`));
    assert.ok(text.includes('<m:count>7</m:count>'));
    assert.ok(text.includes('<d:ContentFileSize m:type="Edm.Int64">122992491</d:ContentFileSize>'));
    assert.ok(text.endsWith(`<link rel="next" href="${ROOT}${ASSET_PATH}/Files?$skip=1" /></feed>`));
    assert.equal(feed.children.filter((c) => c.local === 'entry').length, 1);
    const plain = serializeCollection('atom', Assets, [], ctx3);
    assert.ok(
      plain.includes('<link rel="self" title="Assets" href="Assets" />') && !plain.includes('m:count'),
    );
  });

  it('limits properties and navigation links to $select', () => {
    const text = serializeEntity('atom', Assets, asset, ctx3, ['Name']);
    assert.ok(text.includes('<m:properties><d:Name>'));
    assert.ok(!text.includes('<d:Id>') && !text.includes('related/Files'));
  });

  it('escapes characters XML cannot carry', () => {
    const text = serializeEntity('atom', Assets, { ...asset, Name: 'bell\u0007 & tab\t' }, ctx3);
    assert.ok(text.includes('<d:Name>bell\ufffd &amp; tab\t</d:Name>'));
    parseXml(text);
  });
});

describe('single values, properties and links', () => {
  it('writes Jobs(…)/State in the three dialects', () => {
    const job = { Id: 'nb:jid:UUID:1', State: 2 };
    assert.equal(serializeProperty('verbose', Jobs, job, 'State', ctx3), '{"d":{"State":2}}');
    assert.equal(
      serializeProperty('minimal', Jobs, job, 'State', ctx3),
      `{"odata.metadata":"${ROOT}$metadata#Edm.Int32","value":2}`,
    );
    assert.equal(
      serializeProperty('atom', Jobs, job, 'State', ctx3),
      '<?xml version="1.0" encoding="utf-8"?><d:State xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:type="Edm.Int32">2</d:State>',
    );
    assert.throws(
      () => serializeProperty('minimal', Jobs, job, 'Nope', ctx3),
      (e: unknown) => e instanceof MediaError && e.status === 404 && /'Nope'/.test(e.message),
    );
  });

  it('writes null, complex and collection properties', () => {
    const job = {
      Id: 'nb:jid:UUID:1',
      Name: null,
      JobNotificationSubscriptions: [{ NotificationEndPointId: 'n', TargetJobState: 1 }],
    };
    assert.equal(
      serializeProperty('minimal', Jobs, job, 'Name', ctx3),
      `{"odata.metadata":"${ROOT}$metadata#Edm.String","odata.null":true}`,
    );
    assert.equal(serializeProperty('verbose', Jobs, job, 'Name', ctx3), '{"d":{"Name":null}}');
    assert.ok(serializeProperty('atom', Jobs, job, 'Name', ctx3).endsWith('m:null="true" />'));
    assert.deepEqual(json(serializeProperty('minimal', Jobs, job, 'JobNotificationSubscriptions', ctx3)), {
      'odata.metadata': `${ROOT}$metadata#Collection(${NS}.JobNotificationSubscription)`,
      value: [{ NotificationEndPointId: 'n', TargetJobState: 1 }],
    });
    const slate = { Id: 'c', Slate: { InsertSlateOnAdMarker: false, DefaultSlateAssetId: 'a' } };
    assert.deepEqual(json(serializeProperty('minimal', Channels, slate, 'Slate', ctx3)), {
      'odata.metadata': `${ROOT}$metadata#${NS}.ChannelSlate`,
      InsertSlateOnAdMarker: false,
      DefaultSlateAssetId: 'a',
    });
  });

  it('writes function results: GetProtectionKeyId', () => {
    assert.equal(
      serializeValue('minimal', 'Edm.String', 'B2FE17BE', ctx3, 'GetProtectionKeyId'),
      `{"odata.metadata":"${ROOT}$metadata#Edm.String","value":"B2FE17BE"}`,
    );
    assert.equal(
      serializeValue('verbose', 'Edm.String', 'B2FE17BE', ctx3, 'GetProtectionKeyId'),
      '{"d":{"GetProtectionKeyId":"B2FE17BE"}}',
    );
    assert.ok(
      serializeValue('atom', 'Edm.String', 'a<b', ctx3, 'GetProtectionKeyId').endsWith(
        '>a&lt;b</d:GetProtectionKeyId>',
      ),
    );
  });

  it('writes $links in the three dialects', () => {
    const uris = [`${ROOT}Files('nb%3Acid%3AUUID%3A1')`, `${ROOT}Files('nb%3Acid%3AUUID%3A2')`];
    const source = { set: 'Assets', navigation: 'Files' };
    assert.deepEqual(json(serializeLinks('minimal', uris, ctx3, source)), {
      'odata.metadata': `${ROOT}$metadata#Assets/$links/Files`,
      value: uris.map((url) => ({ url })),
    });
    assert.deepEqual(json(serializeLinks('verbose', uris, ctx3, { ...source, count: 2 })), {
      d: { __count: '2', results: uris.map((uri) => ({ uri })) },
    });
    const xml = parseXml(serializeLinks('atom', uris, ctx3, source));
    assert.equal(xml.local, 'links');
    assert.deepEqual(
      xml.children.map((c) => c.text),
      uris,
    );
    assert.deepEqual(
      json(serializeLink('verbose', uris[0]!, ctx3, { set: 'Locators', navigation: 'Asset' })),
      { d: { uri: uris[0] } },
    );
    assert.deepEqual(
      json(serializeLink('minimal', uris[0]!, ctx3, { set: 'Locators', navigation: 'Asset' })),
      {
        'odata.metadata': `${ROOT}$metadata#Locators/$links/Asset`,
        url: uris[0],
      },
    );
    assert.equal(parseXml(serializeLink('atom', uris[0]!, ctx3, source)).text, uris[0]);
  });

  it('names the content type of each body', () => {
    assert.equal(
      responseContentType('minimal', 'feed'),
      'application/json;odata=minimalmetadata;streaming=true;charset=utf-8',
    );
    assert.equal(responseContentType('verbose', 'value'), 'application/json;odata=verbose;charset=utf-8');
    assert.equal(responseContentType('atom', 'entry'), 'application/atom+xml;type=entry;charset=utf-8');
    assert.equal(responseContentType('atom', 'feed'), 'application/atom+xml;type=feed;charset=utf-8');
    assert.equal(responseContentType('atom', 'links'), 'application/xml;charset=utf-8');
  });
});

describe('wire values', () => {
  it('writes keys percent-encoded with literal quotes, guid keys as guid literals', () => {
    assert.equal(
      keyLiteral(Assets, { Id: ASSET_ID }),
      "'nb%3Acid%3AUUID%3A1f6c7bb4-8013-486e-b4c9-2e4a6842b9a6'",
    );
    assert.equal(keyLiteral(Assets, { Id: "it's" }), "'it''s'");
    assert.equal(
      keyLiteral(entityTypeOf('EncodingReservedUnitTypes'), {
        AccountId: '61318ce3-0629-4400-8a1b-e716bc501314',
      }),
      "guid'61318ce3-0629-4400-8a1b-e716bc501314'",
    );
    assert.equal(keyLiteral(entityTypeOf('StorageAccounts'), { Name: 'store' }), "'store'");
  });

  it('formats dates as .NET round-trip text and clamps to its range', () => {
    assert.equal(formatIsoDateTime(Date.UTC(2026, 11, 5, 6, 6, 30, 120)), '2026-12-05T06:06:30.12Z');
    assert.equal(formatIsoDateTime(Date.UTC(2000, 1, 29)), '2000-02-29T00:00:00Z');
    assert.equal(formatIsoDateTime(-62135596800000), '0001-01-01T00:00:00Z');
    assert.equal(formatIsoDateTime(-1), '1969-12-31T23:59:59.999Z');
    assert.equal(formatIsoDateTime(Number.MAX_SAFE_INTEGER), '9999-12-31T23:59:59.999Z');
    for (const ms of [0, 1, 999, 1587084991763, Date.UTC(2100, 2, 1), Date.UTC(1600, 0, 1, 12)]) {
      assert.equal(
        formatIsoDateTime(ms),
        new Date(ms)
          .toISOString()
          .replace(/\.?0+Z$/, 'Z')
          .replace('.Z', 'Z'),
      );
    }
  });

  it('reads dates in every form clients sent', () => {
    const expected = Date.UTC(2026, 11, 5, 6, 6, 30);
    assert.equal(parseDateTime('2026-12-05T06:06:30Z'), expected);
    assert.equal(parseDateTime('2026-12-05T06:06:30'), expected, 'no zone is UTC');
    assert.equal(parseDateTime('2026-12-05T06:06:30.1234567Z'), expected + 123);
    assert.equal(parseDateTime('2026-12-05T07:06:30+01:00'), expected);
    assert.equal(parseDateTime('12/5/2026 06:06:30 AM'), expected);
    assert.equal(parseDateTime('12/5/2026 6:06:30 PM'), expected + 12 * 3600_000);
    assert.equal(parseDateTime('12/5/2026 12:06:30 AM'), expected - 6 * 3600_000);
    assert.equal(parseDateTime('/Date(1587084991763)/'), 1587084991763);
    assert.equal(parseDateTime('/Date(1587084991763+0100)/'), 1587084991763);
    assert.equal(parseDateTime('0001-01-01T00:00:00'), -62135596800000);
    assert.equal(parseDateTime('2026-12-05'), Date.UTC(2026, 11, 5));
    for (const bad of [
      '',
      'yesterday',
      '2026-02-30T00:00:00Z',
      '2026-13-01',
      '13/5/2026',
      '12/5/2026 13:00:00 PM',
      '2026-12-05T24:00:00',
    ]) {
      assert.equal(parseDateTime(bad), undefined, bad);
    }
  });

  it('writes and reads durations', () => {
    assert.equal(formatDuration(3600_000), 'PT1H');
    assert.equal(formatDuration(45_000), 'PT45S');
    assert.equal(formatDuration(1_500), 'PT1.5S');
    assert.equal(formatDuration(0), 'PT0S');
    assert.equal(formatDuration(93_600_000), 'P1DT2H');
    assert.equal(formatDuration(86_400_000), 'P1D');
    assert.equal(formatDuration(-60_000), '-PT1M');
    assert.equal(parseDuration('PT1H'), 3600_000);
    assert.equal(parseDuration('P1DT2H30M1.5S'), 95_401_500);
    assert.equal(parseDuration('01:00:00'), 3600_000);
    assert.equal(parseDuration('1.02:03:04.5'), 93_784_500);
    for (const bad of ['', 'P', 'PT', '1H', 'PT1X', '25:00:00'])
      assert.equal(parseDuration(bad), undefined, bad);
  });

  it('escapes XML text and attributes', () => {
    assert.equal(escapeXml('plain'), 'plain');
    assert.equal(escapeXml(`a<b>&"c'`), `a&lt;b&gt;&amp;&quot;c'`);
    assert.equal(escapeXml('\u0000x\uffff'), '\ufffdx\ufffd');
  });
});
