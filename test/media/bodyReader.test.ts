import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import {
  coerceValue,
  parseLenientJson,
  readActionParameters,
  readEntityBody,
  readLinkBody,
} from '../../src/media/odata/bodyReader.js';
import { entityTypeOf, functionImportOf } from '../../src/media/odata/model.js';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const JSON_MINIMAL = 'application/json;odata=minimalmetadata';
const JSON_VERBOSE = 'application/json;odata=verbose';
const ATOM = 'application/atom+xml';
const ATOM_HEAD =
  '<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">';
const RELATED = 'http://schemas.microsoft.com/ado/2007/08/dataservices/related/';

const Assets = entityTypeOf('Assets');
const Files = entityTypeOf('Files');
const Jobs = entityTypeOf('Jobs');
const Locators = entityTypeOf('Locators');
const Channels = entityTypeOf('Channels');

function rejects(run: () => unknown, status: number, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MediaError, String(error));
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  });
}
const malformed = (run: () => unknown, detail: RegExp) => rejects(run, 400, detail);

describe('JSON entity bodies', () => {
  it('reads minimal JSON with numbers and booleans given as strings', () => {
    assert.deepEqual(
      readEntityBody(JSON_MINIMAL, body('{"Name":"BigBuckBunny.mp4","Options":"0"}'), Assets),
      {
        values: { Name: 'BigBuckBunny.mp4', Options: 0 },
        binds: {},
        nested: {},
      },
    );
    const file = readEntityBody(
      'application/json',
      body(
        '{"IsEncrypted":"false","IsPrimary":"true","MimeType":"video/mp4","Name":"a.mp4","ParentAssetId":"nb:cid:UUID:1","ContentFileSize":"1186540"}',
      ),
      Files,
    );
    assert.deepEqual(file.values, {
      IsEncrypted: false,
      IsPrimary: true,
      MimeType: 'video/mp4',
      Name: 'a.mp4',
      ParentAssetId: 'nb:cid:UUID:1',
      ContentFileSize: 1186540,
    });
    const policy = readEntityBody(
      undefined,
      body('{"Name":"p","DurationInMinutes":"440","Permissions":"2"}'),
      entityTypeOf('AccessPolicies'),
    );
    assert.deepEqual(policy.values, { Name: 'p', DurationInMinutes: 440, Permissions: 2 });
  });

  it('unwraps verbose {"d":…} and ignores __metadata', () => {
    const read = readEntityBody(
      JSON_VERBOSE,
      body('{"d":{"__metadata":{"type":"X"},"Name":"NewName"}}'),
      Assets,
    );
    assert.deepEqual(read.values, { Name: 'NewName' });
  });

  it('reads the verbose Job body: __metadata.uri binds and inline Tasks', () => {
    const text = JSON.stringify({
      Name: 'NewTestJob',
      InputMediaAssets: [
        {
          __metadata: {
            uri: "https://media.windows.net/api/Assets('nb%3Acid%3AUUID%3Aba5356eb-30ff-4dc6-9e5a-41e4223540e7')",
          },
        },
      ],
      Tasks: [
        {
          Name: 'encode',
          Configuration: 'H264 Single Bitrate 720p',
          MediaProcessorId: 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56',
          TaskBody:
            '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="out">JobOutputAsset(0)</outputAsset></taskBody>',
        },
      ],
    });
    const read = readEntityBody(JSON_VERBOSE, body(text), Jobs);
    assert.deepEqual(read.values, { Name: 'NewTestJob' });
    assert.deepEqual(read.binds, {
      InputMediaAssets: [
        "https://media.windows.net/api/Assets('nb%3Acid%3AUUID%3Aba5356eb-30ff-4dc6-9e5a-41e4223540e7')",
      ],
    });
    assert.equal(read.nested['Tasks']?.length, 1);
    assert.equal(
      read.nested['Tasks']![0]!['MediaProcessorId'],
      'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56',
    );
  });

  it('reads @odata.bind as a list or a single URL, and inline tasks with their subscriptions', () => {
    const text = JSON.stringify({
      Name: 'job',
      'InputMediaAssets@odata.bind': [
        "https://x/api/Assets('nb%3Acid%3AUUID%3A1')",
        " https://x/api/Assets('2') ",
      ],
      Tasks: [
        {
          Name: 'n',
          Configuration: 'p',
          MediaProcessorId: 'nb:mpid:UUID:1',
          TaskBody: '<taskBody/>',
          TaskNotificationSubscriptions: [
            { IncludeTaskProgress: true, NotificationEndPointId: 'nb:nepid:UUID:1', TargetTaskState: 2 },
          ],
        },
      ],
    });
    const read = readEntityBody('application/json', body(text), Jobs);
    assert.deepEqual(read.binds['InputMediaAssets'], [
      "https://x/api/Assets('nb%3Acid%3AUUID%3A1')",
      "https://x/api/Assets('2')",
    ]);
    assert.deepEqual(read.nested['Tasks']![0]!['TaskNotificationSubscriptions'], [
      { IncludeTaskProgress: true, NotificationEndPointId: 'nb:nepid:UUID:1', TargetTaskState: 2 },
    ]);
    const single = readEntityBody(
      'application/json',
      body('{"AssetId":"a","Asset@odata.bind":"https://x/api/Assets(\'a\')"}'),
      Locators,
    );
    assert.deepEqual(single.binds, { Asset: ["https://x/api/Assets('a')"] });
  });

  it('ignores echoed deferred links, nulls and instance annotations', () => {
    const text =
      '{"odata.metadata":"x","Name":"n","Name@odata.type":"Edm.String","Files":{"__deferred":{"uri":"u"}},"ParentAssets":null,"@odata.context":"c"}';
    assert.deepEqual(readEntityBody('application/json', body(text), Assets), {
      values: { Name: 'n' },
      binds: {},
      nested: {},
    });
  });

  it('reads the lenient dialect: single quotes, unquoted names, escapes', () => {
    const read = readEntityBody(
      'application/json',
      body("{CurrentReservedUnits:1, 'ReservedUnitType':'2'}"),
      entityTypeOf('EncodingReservedUnitTypes'),
    );
    assert.deepEqual(read.values, { CurrentReservedUnits: 1, ReservedUnitType: 2 });
    assert.deepEqual(
      parseLenientJson(`{'a':'it\\'s \\u00e9\\n', b: [1, -2.5e3, true, null]}`),
      Object.assign(Object.create(null), {
        a: "it's é\n",
        b: [1, -2500, true, null],
      }),
    );
  });

  it('reads dates in every form: ISO with and without zone, US form, \\/Date(ms)\\/', () => {
    const at = Date.UTC(2026, 11, 5, 6, 6, 30);
    for (const start of [
      '2026-12-05T06:06:30Z',
      '2026-12-05T06:06:30',
      '12/5/2026 06:06:30 AM',
      '\\/Date(1796450790000)\\/',
    ]) {
      const read = readEntityBody(
        'application/json',
        body(`{"AccessPolicyId":"p","AssetId":"a","StartTime":"${start}","Type":1}`),
        Locators,
      );
      assert.equal(read.values['StartTime'], at, start);
    }
    const fraction = readEntityBody(
      'application/json',
      body('{"StartTime":"2026-12-05T06:06:30.1234567Z"}'),
      Locators,
    );
    assert.equal(fraction.values['StartTime'], at + 123);
  });

  it('reads a channel with nested complex values and durations', () => {
    const text = `{"Id":null,"Name":"testchannel001","Description":"","Created":"0001-01-01T00:00:00","LastModified":"0001-01-01T00:00:00","State":null,
      "Input":{"KeyFrameInterval":"PT2S","StreamingProtocol":"FragmentedMP4","AccessControl":{"IP":{"Allow":[{"Name":"testName1","Address":"1.1.1.1","SubnetPrefixLength":24}]}},"Endpoints":[]},
      "Preview":{"AccessControl":{"IP":{"Allow":[{"Name":"testName1","Address":"1.1.1.1","SubnetPrefixLength":"24"}]}},"Endpoints":[]},
      "Output":{"Hls":{"FragmentsPerSegment":1}},"CrossSiteAccessPolicies":{"ClientAccessPolicy":null,"CrossDomainPolicy":null}}`;
    const { values } = readEntityBody(JSON_MINIMAL, body(text), Channels);
    assert.equal(values['Created'], -62135596800000);
    assert.deepEqual(values['Input'], {
      KeyFrameInterval: 2000,
      StreamingProtocol: 'FragmentedMP4',
      AccessControl: { IP: { Allow: [{ Name: 'testName1', Address: '1.1.1.1', SubnetPrefixLength: 24 }] } },
      Endpoints: [],
    });
    assert.deepEqual(values['Output'], { Hls: { FragmentsPerSegment: 1 } });
    assert.deepEqual(values['CrossSiteAccessPolicies'], {
      ClientAccessPolicy: null,
      CrossDomainPolicy: null,
    });
    const encoding = readEntityBody(
      'application/json',
      body('{"Encoding":{"SystemPreset":"Default720p"}}'),
      Channels,
    ).values['Encoding'];
    assert.deepEqual(
      encoding,
      {
        SystemPreset: 'Default720p',
        IgnoreCea708ClosedCaptions: null,
        AdMarkerSource: null,
        VideoStream: null,
        AudioStreams: null,
      },
      'members not given are null',
    );
  });

  it('reads a streaming endpoint: Int64 as a string, collections of strings, nested dates', () => {
    const text = `{"Name":"se","ScaleUnits":1,"CustomHostNames":["a.example"],"CacheControl":{"MaxAge":"1800"},
      "AccessControl":{"Akamai":{"AkamaiSignatureHeaderAuthenticationKeyList":[{"Identifier":"My key","Expiration":"2015-08-08T21:45:34.463Z","Base64Key":"/31iWKdqNC7YUnj8zQ3XHA=="}]},"IP":{"Allow":[]}}}`;
    const { values } = readEntityBody('application/json', body(text), entityTypeOf('StreamingEndpoints'));
    assert.deepEqual(values['CacheControl'], { MaxAge: 1800 });
    assert.deepEqual(values['CustomHostNames'], ['a.example']);
    const akamai = (
      values['AccessControl'] as {
        Akamai: { AkamaiSignatureHeaderAuthenticationKeyList: { Expiration: number }[] };
      }
    ).Akamai;
    assert.equal(
      akamai.AkamaiSignatureHeaderAuthenticationKeyList[0]!.Expiration,
      Date.UTC(2015, 7, 8, 21, 45, 34, 463),
    );
    const program = readEntityBody(
      'application/json',
      body('{"ArchiveWindowLength":"PT1H","ChannelId":"c","AssetId":"a"}'),
      entityTypeOf('Programs'),
    );
    assert.equal(program.values['ArchiveWindowLength'], 3600_000);
  });

  it('accepts null for service-set properties the .NET SDK sends, refuses it for required values', () => {
    assert.deepEqual(
      readEntityBody('application/json', body('{"Id":null,"State":null,"Name":"a"}'), Assets).values,
      {
        Id: null,
        State: null,
        Name: 'a',
      },
    );
    rejects(
      () => readEntityBody('application/json', body('{"Options":null}'), Assets),
      400,
      /'Options': the value must not be null/,
    );
  });

  it('keeps __proto__ a plain key', () => {
    rejects(
      () => readEntityBody('application/json', body('{"__proto__":{"Name":"x"}}'), Assets),
      400,
      /'__proto__' does not exist/,
    );
    assert.equal(({} as Record<string, unknown>)['Name'], undefined);
  });
});

describe('JSON errors', () => {
  it('refuses unknown properties, on entities, complex values, inline entities and binds', () => {
    rejects(
      () => readEntityBody('application/json', body('{"Bogus":1}'), Assets),
      400,
      /^The property 'Bogus' does not exist on type 'Microsoft\.Cloud\.Media\.Vod\.Rest\.Data\.Models\.Asset'/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"Slate":{"InsertOnAdMarker":true}}'), Channels),
      400,
      /'InsertOnAdMarker' does not exist on type '.*\.ChannelSlate'/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"Tasks":[{"Bogus":1}]}'), Jobs),
      400,
      /'Bogus' does not exist on type '.*\.Task'/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"Nope@odata.bind":"u"}'), Jobs),
      400,
      /'Nope' does not exist on type '.*\.Job'/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"Nope@odata.type":"x"}'), Jobs),
      400,
      /'Nope' does not exist/,
    );
  });

  it('refuses values that do not fit the property type', () => {
    const cases: [string, RegExp][] = [
      ['{"Options":"abc"}', /'Options': expected an Edm\.Int32 integer, got "abc"/],
      ['{"Options":2147483648}', /'Options': expected an Edm\.Int32 integer/],
      ['{"Options":1.5}', /'Options': expected an Edm\.Int32 integer/],
      ['{"Options":true}', /'Options'/],
      ['{"Name":{"a":1}}', /'Name': expected a string, got an object/],
      ['{"Created":"tomorrow"}', /'Created': expected a date and time/],
      ['{"Created":1587084991763}', /'Created': expected a date and time/],
    ];
    for (const [text, message] of cases)
      rejects(() => readEntityBody('application/json', body(text), Assets), 400, message);
    rejects(
      () => readEntityBody('application/json', body('{"IsPrimary":"yes"}'), Files),
      400,
      /'IsPrimary': expected true or false/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"ContentFileSize":"12a"}'), Files),
      400,
      /'ContentFileSize'/,
    );
    rejects(
      () =>
        readEntityBody(
          'application/json',
          body('{"DurationInMinutes":"1,5"}'),
          entityTypeOf('AccessPolicies'),
        ),
      400,
      /'DurationInMinutes': expected a number/,
    );
    rejects(
      () =>
        readEntityBody(
          'application/json',
          body('{"AccountId":"not-a-guid"}'),
          entityTypeOf('EncodingReservedUnitTypes'),
        ),
      400,
      /'AccountId': expected a GUID/,
    );
    rejects(
      () =>
        readEntityBody(
          'application/json',
          body('{"ArchiveWindowLength":"1 hour"}'),
          entityTypeOf('Programs'),
        ),
      400,
      /'ArchiveWindowLength': expected a duration/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"Slate":"on"}'), Channels),
      400,
      /'Slate': expected an object of type .*ChannelSlate/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"JobNotificationSubscriptions":{"a":1}}'), Jobs),
      400,
      /expected a collection/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"JobNotificationSubscriptions":[null]}'), Jobs),
      400,
      /cannot hold null/,
    );
    rejects(
      () =>
        readEntityBody(
          'application/json',
          body('{"Output":{"Hls":{"FragmentsPerSegment":40000}}}'),
          Channels,
        ),
      400,
      /Edm\.Int16/,
    );
  });

  it('refuses malformed navigation values', () => {
    rejects(
      () => readEntityBody('application/json', body('{"InputMediaAssets@odata.bind":[1]}'), Jobs),
      400,
      /'InputMediaAssets@odata.bind': expected a URL/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"InputMediaAssets":"https://x"}'), Jobs),
      400,
      /'InputMediaAssets': expected links or entities/,
    );
    rejects(
      () => readEntityBody('application/json', body('{"InputMediaAssets":[1]}'), Jobs),
      400,
      /expected links or entities/,
    );
    rejects(
      () =>
        readEntityBody('application/json', body('{"InputMediaAssets":[{"__metadata":{"uri":" "}}]}'), Jobs),
      400,
      /empty URI/,
    );
    rejects(
      () =>
        readEntityBody(
          'application/json',
          body('{"Tasks":[{"InputMediaAssets":[{"__metadata":{"uri":"u"}}]}]}'),
          Jobs,
        ),
      400,
      /Navigation property 'InputMediaAssets' of an inline 'Task' entity is not supported/,
    );
  });

  it('refuses malformed JSON with the position', () => {
    const cases: [string, RegExp][] = [
      ['{"Name":"x', /unterminated string/],
      ['{"Name":"x",}', /expected a property name/],
      ['{"Name":"x" "Options":1}', /expected ',' or '}'/],
      ['{"Name":"a","Name":"b"}', /duplicate property 'Name'/],
      ['{"Name":"\\q"}', /invalid escape/],
      ['{"Name":"\\u12"}', /invalid \\u escape/],
      ['{"Name":"x"} trailing', /unexpected text after the value/],
      ['{"Options":01x}', /expected ',' or '}'/],
      ['{"Options":-}', /invalid number/],
      ['{"Options":1.}', /invalid number/],
      ['{"Options":undefined}', /unexpected 'undefined'/],
      ['{"Options":', /unexpected end of input/],
      ['[1,2', /unexpected end of input/],
      ['{"Name" "x"}', /expected ':'/],
    ];
    for (const [text, message] of cases)
      malformed(() => readEntityBody('application/json', body(text), Assets), message);
    malformed(() => readEntityBody('application/json', body('[1]'), Assets), /must be a JSON object/);
    malformed(() => readEntityBody('application/json', body(''), Assets), /the body is empty/);
    malformed(
      () => readEntityBody('application/json', Buffer.from([0x7b, 0xff, 0x7d]), Assets),
      /not valid UTF-8/,
    );
    const deep = '['.repeat(40) + ']'.repeat(40);
    malformed(
      () => readEntityBody('application/json', body(`{"Name":${deep}}`), Assets),
      /nested deeper than 32 levels/,
    );
    const justDeepEnough = `{"a":${'['.repeat(31)}${']'.repeat(31)}}`;
    assert.ok(parseLenientJson(justDeepEnough));
  });

  it('refuses content types it cannot read, and bodies it cannot recognise', () => {
    rejects(
      () => readEntityBody('text/csv', body('Name\nx'), Assets),
      415,
      /The content type 'text\/csv' is not supported/,
    );
    rejects(() => readEntityBody(undefined, body('Name=x'), Assets), 400, /neither JSON nor XML/);
    assert.deepEqual(readEntityBody('text/plain', body(' {"Name":"sniffed"}'), Assets).values, {
      Name: 'sniffed',
    });
  });
});

describe('Atom entry bodies', () => {
  it("reads the .NET SDK's asset entry: typed values, m:null, default dates", () => {
    const xml = `${ATOM_HEAD}<id /><title /><updated>2013-03-22T00:16:32Z</updated><author><name /></author><content type="application/xml"><m:properties>
      <d:AlternateId m:null="true" /><d:Created m:type="Edm.DateTime">0001-01-01T00:00:00</d:Created><d:Id m:null="true" />
      <d:LastModified m:type="Edm.DateTime">0001-01-01T00:00:00</d:LastModified><d:Name>UploadSingleFile_3/22/2013 12:16:24 AM &amp; more</d:Name>
      <d:Options m:type="Edm.Int32">0</d:Options><d:State m:type="Edm.Int32">0</d:State></m:properties></content></entry>`;
    assert.deepEqual(readEntityBody(ATOM, body(xml), Assets), {
      values: {
        AlternateId: null,
        Created: -62135596800000,
        Id: null,
        LastModified: -62135596800000,
        Name: 'UploadSingleFile_3/22/2013 12:16:24 AM & more',
        Options: 0,
        State: 0,
      },
      binds: {},
      nested: {},
    });
  });

  it('reads a job entry: related links bind, complex collections as d:element', () => {
    const xml = `${ATOM_HEAD}<link rel="${RELATED}InputMediaAssets" type="application/atom+xml;type=feed" title="InputMediaAssets" href="https://media.windows.net/API/Assets('nb%3Acid%3AUUID%3A33662ded')" />
      <link rel="edit" href="Jobs('x')" /><id /><title /><updated>2013-04-20T22:41:57Z</updated><author><name /></author>
      <content type="application/xml"><m:properties><d:Created m:type="Edm.DateTime">0001-01-01T00:00:00</d:Created><d:EndTime m:null="true" /><d:Id m:null="true" />
      <d:JobNotificationSubscriptions><d:element><d:NotificationEndPointId>nb:nepid:UUID:36e510df</d:NotificationEndPointId><d:TargetJobState m:type="Edm.Int32">2</d:TargetJobState></d:element></d:JobNotificationSubscriptions>
      <d:Name>My job</d:Name><d:Priority m:type="Edm.Int32">0</d:Priority><d:RunningDuration m:type="Edm.Double">0</d:RunningDuration></m:properties></content></entry>`;
    const read = readEntityBody(ATOM, body(xml), Jobs);
    assert.deepEqual(read.binds, {
      InputMediaAssets: ["https://media.windows.net/API/Assets('nb%3Acid%3AUUID%3A33662ded')"],
    });
    assert.deepEqual(read.values['JobNotificationSubscriptions'], [
      { NotificationEndPointId: 'nb:nepid:UUID:36e510df', TargetJobState: 2 },
    ]);
    assert.equal(read.values['RunningDuration'], 0);
  });

  it('reads a task entry with empty collections, an empty Id and an escaped task body', () => {
    const xml = `${ATOM_HEAD}<content type="application/xml"><m:properties><d:Configuration>H264 Smooth Streaming 720p</d:Configuration><d:ErrorDetails /><d:HistoricalEvents />
      <d:Id></d:Id><d:Progress m:type="Edm.Double">0</d:Progress><d:TaskBody>&lt;?xml version="1.0" encoding="utf-16"?&gt;&lt;taskBody&gt;&lt;inputAsset&gt;JobInputAsset(0)&lt;/inputAsset&gt;&lt;/taskBody&gt;</d:TaskBody>
      <d:Name><![CDATA[a <raw> name]]></d:Name></m:properties></content></entry>`;
    const { values } = readEntityBody('application/atom+xml;type=entry', body(xml), entityTypeOf('Tasks'));
    assert.deepEqual(values['ErrorDetails'], []);
    assert.equal(values['Id'], '');
    assert.equal(
      values['TaskBody'],
      '<?xml version="1.0" encoding="utf-16"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>',
    );
    assert.equal(values['Name'], 'a <raw> name');
  });

  it('reads inline entities from m:inline feeds', () => {
    const xml = `${ATOM_HEAD}<link rel="${RELATED}Tasks" type="application/atom+xml;type=feed" title="Tasks"><m:inline><feed>
      <entry><content type="application/xml"><m:properties><d:Name>t1</d:Name><d:MediaProcessorId>nb:mpid:UUID:1</d:MediaProcessorId></m:properties></content></entry>
      <entry><content type="application/xml"><m:properties><d:Name>t2</d:Name></m:properties></content></entry></feed></m:inline></link>
      <content type="application/xml"><m:properties><d:Name>job</d:Name></m:properties></content></entry>`;
    const read = readEntityBody(ATOM, body(xml), Jobs);
    assert.deepEqual(read.nested['Tasks'], [
      { Name: 't1', MediaProcessorId: 'nb:mpid:UUID:1' },
      { Name: 't2' },
    ]);
    assert.deepEqual(read.values, { Name: 'job' });
  });

  it('reads a notification endpoint entry, with other prefixes and character references', () => {
    const xml =
      '<a:entry xmlns:a="http://www.w3.org/2005/Atom" xmlns:data="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:meta="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' +
      '<a:content type="application/xml"><meta:properties><data:EndPointAddress>queue&#x41;&#66;</data:EndPointAddress><data:EndPointType meta:type="Edm.Int32">1</data:EndPointType><data:Name>n</data:Name></meta:properties></a:content></a:entry>';
    assert.deepEqual(
      readEntityBody('application/xml', body(xml), entityTypeOf('NotificationEndPoints')).values,
      {
        EndPointAddress: 'queueAB',
        EndPointType: 1,
        Name: 'n',
      },
    );
  });

  it('refuses unknown properties and values that do not fit', () => {
    const entry = (props: string) =>
      body(
        `${ATOM_HEAD}<content type="application/xml"><m:properties>${props}</m:properties></content></entry>`,
      );
    rejects(
      () => readEntityBody(ATOM, entry('<d:Bogus>1</d:Bogus>'), Assets),
      400,
      /'Bogus' does not exist on type '.*\.Asset'/,
    );
    rejects(
      () => readEntityBody(ATOM, entry('<d:Options m:type="Edm.Int32">x</d:Options>'), Assets),
      400,
      /'Options': expected an Edm\.Int32/,
    );
    rejects(
      () => readEntityBody(ATOM, entry('<d:Name>a</d:Name><d:Name>b</d:Name>'), Assets),
      400,
      /property Name appears twice/,
    );
    rejects(() => readEntityBody(ATOM, entry('<d:Name><x/></d:Name>'), Assets), 400, /'Name': expected text/);
    rejects(
      () => readEntityBody(ATOM, entry('<d:Slate><d:Bogus>1</d:Bogus></d:Slate>'), Channels),
      400,
      /'Bogus' does not exist on type '.*\.ChannelSlate'/,
    );
    rejects(
      () => readEntityBody(ATOM, body(`${ATOM_HEAD}<link rel="${RELATED}Nope" href="x" /></entry>`), Jobs),
      400,
      /'Nope' does not exist on type '.*\.Job'/,
    );
    rejects(
      () => readEntityBody(ATOM, body(`${ATOM_HEAD}<link rel="${RELATED}InputMediaAssets" /></entry>`), Jobs),
      400,
      /a link has no href/,
    );
  });

  it('refuses malformed XML, DTDs and entity definitions', () => {
    const cases: [string, RegExp][] = [
      ['<!DOCTYPE entry [<!ENTITY x "y">]><entry/>', /document type declarations are not allowed/],
      [`${ATOM_HEAD}<content>&xxe;</content></entry>`, /the undefined entity &xxe;/],
      [`${ATOM_HEAD}<content>a & b</content></entry>`, /starts no entity reference/],
      [`${ATOM_HEAD}<content>&#0;</content></entry>`, /invalid character reference/],
      [`${ATOM_HEAD}<content></entry>`, /unexpected <\/entry>/],
      [`${ATOM_HEAD}<content>`, /is not closed/],
      [`${ATOM_HEAD}</entry><entry/>`, /more than one root element/],
      [`${ATOM_HEAD}</entry>text`, /text outside the root element/],
      ['<x:entry/>', /undeclared namespace prefix 'x'/],
      ['<entry a=b/>', /unquoted attribute value/],
      ['<entry a="1" a="2"/>', /duplicate attribute/],
      ['<entry a="<"/>', /'<' in an attribute value/],
      ['<entry', /is not terminated/],
      ['<!-- only a comment -->', /no root element/],
      ['<entry><!-- open', /unterminated comment/],
      ['<entry><![CDATA[x</entry>', /unterminated CDATA/],
      ['<?xml version="1.0"', /unterminated processing instruction/],
    ];
    for (const [text, message] of cases) malformed(() => readEntityBody(ATOM, body(text), Assets), message);
    malformed(
      () => readEntityBody(ATOM, body('<feed xmlns="http://www.w3.org/2005/Atom"/>'), Assets),
      /expected an Atom <entry>/,
    );
    const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
    malformed(() => readEntityBody('application/xml', body(deep), Assets), /nested deeper than 32 levels/);
  });
});

describe('$links and action bodies', () => {
  it('reads a link from JSON (uri, url, verbose) and XML', () => {
    const uri = "https://x/api/ContentKeys('nb%3Akid%3AUUID%3A1')";
    assert.equal(readLinkBody('application/json', body(`{"uri":"${uri}"}`)), uri);
    assert.equal(readLinkBody(JSON_VERBOSE, body(`{"d":{"uri":"${uri}"}}`)), uri);
    assert.equal(readLinkBody('application/json', body(`{"url":" ${uri} "}`)), uri);
    assert.equal(readLinkBody(undefined, body(`{"__metadata":{"uri":"${uri}"}}`)), uri);
    assert.equal(
      readLinkBody(
        'application/xml',
        body(
          `<uri xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices">${uri.replace("'", '&apos;')}</uri>`,
        ),
      ),
      uri,
    );
    malformed(() => readLinkBody('application/json', body('{"link":"x"}')), /expected a link/);
    malformed(() => readLinkBody('application/json', body('{"uri":""}')), /expected a link/);
    malformed(() => readLinkBody('application/xml', body('<link>x</link>')), /expected a link/);
    malformed(() => readLinkBody('application/json', body('')), /the body is empty/);
  });

  it('reads action parameters, coerced and matched without regard to case', () => {
    const scale = functionImportOf('Scale', 'StreamingEndpoints')!.parameters;
    assert.deepEqual(readActionParameters('application/json', body('{"scaleUnits":1}'), scale), {
      scaleUnits: 1,
    });
    assert.deepEqual(readActionParameters('application/json', body('{"ScaleUnits":"2"}'), scale), {
      scaleUnits: 2,
    });
    const delivery = functionImportOf('GetKeyDeliveryUrl', 'ContentKeys')!.parameters;
    assert.deepEqual(readActionParameters(JSON_VERBOSE, body('{"keyDeliveryType":2}'), delivery), {
      keyDeliveryType: 2,
    });
    const advert = functionImportOf('StartAdvertisement', 'Channels')!.parameters;
    assert.deepEqual(
      readActionParameters(
        'application/json',
        body('{"duration":"PT45S","cueId":"67520935","showSlate":"true"}'),
        advert,
      ),
      {
        duration: 45_000,
        cueId: 67520935,
        showSlate: true,
      },
    );
    assert.deepEqual(readActionParameters('application/json', body(''), scale), {});
    assert.deepEqual(readActionParameters('application/json', body('  '), scale), {});
    assert.deepEqual(
      readActionParameters(undefined, body('{"x":[1]}')),
      { x: [1] },
      'undeclared: passed through',
    );
  });

  it('refuses unknown parameters, bad values and XML action bodies', () => {
    const scale = functionImportOf('Scale', 'StreamingEndpoints')!.parameters;
    rejects(
      () => readActionParameters('application/json', body('{"units":1}'), scale),
      400,
      /The parameter 'units' is not a parameter of this action/,
    );
    rejects(
      () => readActionParameters('application/json', body('{"scaleUnits":"many"}'), scale),
      400,
      /'scaleUnits': expected an Edm\.Int32/,
    );
    rejects(
      () => readActionParameters('application/json', body('{"scaleUnits":null}'), scale),
      400,
      /must not be null/,
    );
    rejects(
      () => readActionParameters('application/xml', body('<scaleUnits>1</scaleUnits>'), scale),
      415,
      /application\/xml/,
    );
    malformed(() => readActionParameters('application/json', body('1'), scale), /must be a JSON object/);
  });

  it('coerces single values for other readers (query options, function parameters)', () => {
    assert.equal(coerceValue('Edm.Int32', '0', 'contentKeyType'), 0);
    assert.equal(coerceValue('Edm.Byte', 255, 'b'), 255);
    assert.equal(coerceValue('Edm.Double', 'INF', 'd'), Number.POSITIVE_INFINITY);
    assert.equal(coerceValue('Edm.Decimal', '1.25', 'd'), 1.25);
    assert.equal(
      coerceValue('Edm.Guid', ' 61318CE3-0629-4400-8A1B-E716BC501314 ', 'g'),
      '61318ce3-0629-4400-8a1b-e716bc501314',
    );
    assert.equal(coerceValue('Edm.String', 12, 's'), '12');
    rejects(() => coerceValue('Edm.Byte', 256, 'b'), 400, /'b': expected an Edm\.Byte integer/);
    rejects(() => coerceValue('Edm.Decimal', 'NaN', 'd'), 400, /expected a decimal number/);
  });
});
