import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import { parseBindUrl } from '../../src/media/odata/bindUrl.js';
import type { EntityTypeDef } from '../../src/media/odata/edm.js';
import type { PathModel } from '../../src/media/odata/resourcePath.js';
import {
  apiRemainder,
  parseResourcePath,
  parseSegment,
  splitSegments,
} from '../../src/media/odata/resourcePath.js';

// A small model of our own, shaped like the service's.
const id = { name: 'Id', type: 'Edm.String', nullable: false };
const types: EntityTypeDef[] = [
  {
    name: 'Asset',
    set: 'Assets',
    properties: [id, { name: 'Name', type: 'Edm.String' }, { name: 'State', type: 'Edm.Int32' }],
    navigation: [
      { name: 'Files', target: 'Files', many: true },
      { name: 'ContentKeys', target: 'ContentKeys', many: true },
      { name: 'ParentAssets', target: 'Assets', many: true },
      { name: 'StorageAccount', target: 'StorageAccounts', many: false },
    ],
  },
  {
    name: 'AssetFile',
    set: 'Files',
    properties: [id, { name: 'Name', type: 'Edm.String' }],
    navigation: [],
  },
  {
    name: 'Job',
    set: 'Jobs',
    properties: [id, { name: 'State', type: 'Edm.Int32' }],
    navigation: [
      { name: 'Tasks', target: 'Tasks', many: true },
      { name: 'InputMediaAssets', target: 'Assets', many: true },
      { name: 'OutputMediaAssets', target: 'Assets', many: true },
    ],
  },
  { name: 'Locator', set: 'Locators', properties: [id], navigation: [] },
  {
    name: 'StorageAccount',
    set: 'StorageAccounts',
    key: 'Name',
    properties: [{ name: 'Name', type: 'Edm.String' }],
    navigation: [],
  },
  {
    name: 'EncodingReservedUnitType',
    set: 'EncodingReservedUnitTypes',
    key: 'AccountId',
    properties: [{ name: 'AccountId', type: 'Edm.Guid' }],
    navigation: [],
  },
  { name: 'ContentKey', set: 'ContentKeys', properties: [id], navigation: [] },
  {
    name: 'Channel',
    set: 'Channels',
    properties: [id, { name: 'Input', type: 'ChannelInput' }, { name: 'State', type: 'Edm.String' }],
    navigation: [],
  },
];

const model: PathModel = {
  sets: new Map(types.map((t) => [t.set, t])),
  functions: new Set(['CreateFileInfos', 'CancelJob', 'GetProtectionKeyId', 'GetProtectionKey']),
  actions: new Map([
    ['Channels', new Set(['Start', 'Stop', 'Reset'])],
    ['ContentKeys', new Set(['GetKeyDeliveryUrl'])],
  ]),
};

const parse = (raw: string) => parseResourcePath(raw, model);
const KEY = 'nb:cid:UUID:8a8d64a1-1500-80c4-bd81-f1e5c2ba2e0e';
const ENCODED = encodeURIComponent(KEY);

function rejects(run: () => unknown, status: number, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected a MediaError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}
const notFound = (raw: string) => rejects(() => parse(raw), 404, /Resource not found/);
const badKey = (raw: string) => rejects(() => parse(raw), 400, /Invalid key in the resource path/);

describe('resource paths', () => {
  it('reads the service document, $metadata and $batch', () => {
    assert.deepEqual(parse(''), { kind: 'serviceDocument' });
    assert.deepEqual(parse('/'), { kind: 'serviceDocument' });
    assert.deepEqual(parse('$metadata'), { kind: 'metadata' });
    assert.deepEqual(parse('$batch'), { kind: 'batch' });
    assert.deepEqual(parse('%24metadata'), { kind: 'metadata' });
    notFound('$metadata/Assets');
    notFound('$batch/1');
    notFound('$count');
  });

  it('reads collections, with or without parentheses, and $count', () => {
    assert.deepEqual(parse('Assets'), { kind: 'collection', set: 'Assets' });
    assert.deepEqual(parse('Assets()'), { kind: 'collection', set: 'Assets' });
    assert.deepEqual(parse('Assets( )'), { kind: 'collection', set: 'Assets' });
    assert.deepEqual(parse('Assets/'), { kind: 'collection', set: 'Assets' });
    assert.deepEqual(
      parse('Assets?$top=1'),
      { kind: 'collection', set: 'Assets' },
      'a query left on is ignored',
    );
    assert.deepEqual(parse('Assets/$count'), { kind: 'count', set: 'Assets' });
    assert.deepEqual(parse('Assets()/$count'), { kind: 'count', set: 'Assets' });
    notFound('Assets/$count/x');
    notFound('Assets/Files');
    notFound('Assets/$value');
  });

  it('matches names case-sensitively', () => {
    notFound('assets');
    notFound('ASSETS()');
    notFound('createfileinfos');
    notFound(`Assets('${KEY}')/files`);
    notFound("Channels('x')/start");
    notFound('Nope');
    notFound('Nope(1)');
    notFound('Nope(unquoted');
    notFound(`Assets('${KEY}')/Nope(unquoted)`);
    notFound(`Assets('${KEY}')/$links/Nope(unquoted)`);
    notFound('As-sets');
  });

  it('reads keys in every spelling clients send', () => {
    const entity = { kind: 'entity', set: 'Assets', key: KEY };
    assert.deepEqual(parse(`Assets('${KEY}')`), entity);
    assert.deepEqual(parse(`Assets('${ENCODED}')`), entity);
    assert.deepEqual(parse(`Assets(%27${ENCODED}%27)`), entity);
    assert.deepEqual(parse(`Assets%28%27${ENCODED}%27%29`), entity);
    assert.deepEqual(parse(`Assets(Id='${KEY}')`), entity);
    assert.deepEqual(parse(`Assets(Id = '${ENCODED}')`), entity);
    assert.deepEqual(parse(`Assets( '${KEY}' )`), entity);
    assert.deepEqual(parse(`Assets('${encodeURIComponent(ENCODED)}')`), entity, 'encoded twice');
    assert.deepEqual(parse(`/Assets('${KEY}')/`), entity);
    assert.deepEqual(parse("Assets('it''s')"), { kind: 'entity', set: 'Assets', key: "it's" });
    assert.deepEqual(parse('Assets(%27it%27%27s%27)'), { kind: 'entity', set: 'Assets', key: "it's" });
    assert.deepEqual(parse("Assets('a%2Fb(c)')"), { kind: 'entity', set: 'Assets', key: 'a/b(c)' });
    assert.deepEqual(parse("Assets('100%25')"), { kind: 'entity', set: 'Assets', key: '100%' });
    assert.deepEqual(parse("Assets('')"), { kind: 'entity', set: 'Assets', key: '' });
  });

  it("reads keys after the type's key property: Name strings and Guids", () => {
    const guid = 'AAAAAAAA-bbbb-CCCC-dddd-EEEEEEEEEEEE';
    const unit = { kind: 'entity', set: 'EncodingReservedUnitTypes', key: guid.toLowerCase() };
    assert.deepEqual(parse(`EncodingReservedUnitTypes(guid'${guid}')`), unit);
    assert.deepEqual(parse(`EncodingReservedUnitTypes(guid%27${guid}%27)`), unit);
    assert.deepEqual(parse(`EncodingReservedUnitTypes(AccountId=guid'${guid}')`), unit);
    assert.deepEqual(parse(`EncodingReservedUnitTypes('${guid}')`), unit, 'a quoted Guid');
    badKey("EncodingReservedUnitTypes('nb:cid:UUID:1')");
    badKey(`EncodingReservedUnitTypes(Id=guid'${guid}')`);
    badKey('EncodingReservedUnitTypes(42)');
    assert.deepEqual(parse("StorageAccounts('media01')"), {
      kind: 'entity',
      set: 'StorageAccounts',
      key: 'media01',
    });
    assert.deepEqual(parse("StorageAccounts(Name='media01')"), {
      kind: 'entity',
      set: 'StorageAccounts',
      key: 'media01',
    });
    badKey("StorageAccounts(Id='media01')");
  });

  it('accepts the whole remainder encoded, and an encoded api/ through apiRemainder', () => {
    const locator = 'nb:lid:UUID:0d0b4c48-3ed7-4f5a-9d3e-9e4c1c7b6e01';
    const raw = `api%2FLocators%28%27${encodeURIComponent(locator)}%27%29`;
    const rest = apiRemainder(raw);
    assert.equal(rest, `Locators%28%27${encodeURIComponent(locator)}%27%29`);
    assert.deepEqual(parse(rest ?? ''), { kind: 'entity', set: 'Locators', key: locator });
    assert.deepEqual(parse(`Assets%28%27${ENCODED}%27%29%2FFiles`), {
      kind: 'navigation',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
    });
    assert.equal(apiRemainder('api/Assets'), 'Assets');
    assert.equal(apiRemainder('API/Assets'), 'Assets');
    assert.equal(apiRemainder('api%2fAssets'), 'Assets');
    assert.equal(apiRemainder('api'), '');
    assert.equal(apiRemainder('api/'), '');
    assert.equal(apiRemainder('api//CreateFileInfos'), '/CreateFileInfos');
    assert.equal(apiRemainder('apis/Assets'), undefined);
    assert.equal(apiRemainder('Assets'), undefined);
  });

  it('reads functions at the root, double slashes included', () => {
    assert.deepEqual(parse('CreateFileInfos'), { kind: 'function', name: 'CreateFileInfos' });
    assert.deepEqual(parse('/CreateFileInfos'), { kind: 'function', name: 'CreateFileInfos' });
    assert.deepEqual(parse('//CreateFileInfos'), { kind: 'function', name: 'CreateFileInfos' });
    assert.deepEqual(parse('CreateFileInfos()'), { kind: 'function', name: 'CreateFileInfos' });
    assert.deepEqual(parse('CancelJob'), { kind: 'function', name: 'CancelJob' });
    assert.deepEqual(parse('GetProtectionKeyId'), { kind: 'function', name: 'GetProtectionKeyId' });
    notFound("CancelJob('x')");
    notFound('CancelJob/x');
  });

  it('reads navigation, single properties, $links and actions', () => {
    const base = `Assets('${ENCODED}')`;
    assert.deepEqual(parse(`${base}/Files`), {
      kind: 'navigation',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
    });
    assert.deepEqual(parse(`${base}//Files/`), {
      kind: 'navigation',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
    });
    assert.deepEqual(parse(`${base}/Files()`), {
      kind: 'navigation',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
    });
    assert.deepEqual(parse(`${base}/Files('f1')`), {
      kind: 'navigation',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
      targetKey: 'f1',
    });
    assert.deepEqual(parse(`${base}/Files/$count`), {
      kind: 'count',
      set: 'Assets',
      key: KEY,
      navigation: 'Files',
    });
    assert.deepEqual(parse(`Jobs('j')/InputMediaAssets`), {
      kind: 'navigation',
      set: 'Jobs',
      key: 'j',
      navigation: 'InputMediaAssets',
    });
    assert.deepEqual(parse(`Jobs('j')/State`), {
      kind: 'property',
      set: 'Jobs',
      key: 'j',
      property: 'State',
      value: false,
    });
    assert.deepEqual(parse(`Jobs('j')/State/$value`), {
      kind: 'property',
      set: 'Jobs',
      key: 'j',
      property: 'State',
      value: true,
    });
    assert.deepEqual(parse(`Channels('c')/Input`), {
      kind: 'property',
      set: 'Channels',
      key: 'c',
      property: 'Input',
      value: false,
    });
    assert.deepEqual(parse(`${base}/$links/ContentKeys`), {
      kind: 'links',
      set: 'Assets',
      key: KEY,
      navigation: 'ContentKeys',
    });
    assert.deepEqual(parse(`${base}/$links/ContentKeys('nb%3Akid%3AUUID%3A1')`), {
      kind: 'links',
      set: 'Assets',
      key: KEY,
      navigation: 'ContentKeys',
      targetKey: 'nb:kid:UUID:1',
    });
    assert.deepEqual(parse(`${base}/$links/StorageAccount`), {
      kind: 'links',
      set: 'Assets',
      key: KEY,
      navigation: 'StorageAccount',
    });
    assert.deepEqual(parse(`Channels('c')/Start`), {
      kind: 'action',
      set: 'Channels',
      key: 'c',
      action: 'Start',
    });
    assert.deepEqual(parse(`Channels('c')/Reset()`), {
      kind: 'action',
      set: 'Channels',
      key: 'c',
      action: 'Reset',
    });
    assert.deepEqual(parse(`ContentKeys('k')/GetKeyDeliveryUrl`), {
      kind: 'action',
      set: 'ContentKeys',
      key: 'k',
      action: 'GetKeyDeliveryUrl',
    });
  });

  it('answers 404 for segments the model does not name', () => {
    const base = `Assets('${KEY}')`;
    notFound(`${base}/Nope`);
    notFound(`${base}/$count`);
    notFound(`${base}/$value`);
    notFound(`${base}/Start`);
    notFound(`${base}/Files/Name`);
    notFound(`${base}/Files('f')/Name`);
    notFound(`${base}/StorageAccount/$count`);
    notFound(`${base}/$links`);
    notFound(`${base}/$links/Nope`);
    notFound(`${base}/$links/Files('f')/x`);
    notFound(`Jobs('j')/State/x`);
    notFound(`Jobs('j')/State()`);
    notFound(`Jobs('j')/State/$value/x`);
    notFound(`Channels('c')/Input/$value`);
    notFound(`Channels('c')/Start/x`);
    notFound(`Channels('c')/Start('x')`);
    notFound(`Files('f')/Start`);
  });

  it('refuses malformed keys with 400', () => {
    badKey('Assets(nb:cid:UUID:1)');
    badKey("Assets('x'");
    badKey("Assets('x')y");
    badKey("Assets('x'))");
    badKey("Assets(Name='x')");
    badKey("Assets(id='x')");
    badKey('Assets(5)');
    badKey("Assets(guid'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')");
    badKey("Assets('a','b')");
    badKey("Assets('unterminated)/Files");
    badKey("Assets('x')/Files(y)");
    badKey("Assets('x')/$links/Files(y)");
    rejects(
      () => parse("Assets('x')/StorageAccount('y')"),
      400,
      /single-valued navigation property 'StorageAccount' takes no key/,
    );
    rejects(() => parse("Assets('x')/$links/StorageAccount('y')"), 400, /takes no key/);
    rejects(() => parse('Assets%ZZ'), 400, /not correctly percent-encoded/);
    rejects(() => parse("Assets('%E0%A4%A')"), 400, /not correctly percent-encoded/);
  });

  it('bounds the work', () => {
    rejects(() => parse(`Assets('${'x'.repeat(2050)}')`), 400, /longer than 2048 characters/);
    assert.equal(parse(`Assets('${'x'.repeat(2000)}')`).kind, 'entity');
    rejects(() => parse('a/b/c/d/e/f/g/h/i'), 404);
    rejects(() => parse(`Assets('x')/Files/1/2/3/4/5/6/7/8`), 404);
    assert.equal(parse(`${'/'.repeat(1500)}Assets`).kind, 'collection', 'empty segments do not count');
  });

  it('splits on slashes outside quotes and reads one segment', () => {
    assert.deepEqual(splitSegments("a//b('x/y')/c/"), ['a', "b('x/y')", 'c']);
    assert.deepEqual(parseSegment('Assets'), { name: 'Assets', hasParentheses: false });
    assert.deepEqual(parseSegment('Assets()'), { name: 'Assets', hasParentheses: true });
    assert.deepEqual(parseSegment("Assets('k')"), { name: 'Assets', key: 'k', hasParentheses: true });
  });
});

describe('bind URLs', () => {
  const sets = model.sets;
  const bind = (url: unknown, expected?: string) => parseBindUrl(url, sets, expected);
  const asset = { set: 'Assets', key: KEY };

  it('finds the set and key on any host and in any encoding', () => {
    assert.deepEqual(bind(`https://other.restv2.westus.media.azure.net/api/Assets('${ENCODED}')`), asset);
    assert.deepEqual(bind(`https://localhost:8443/media/acct/api/Assets('${KEY}')`), asset);
    assert.deepEqual(bind(`http://media.windows.net/api/Assets(%27${ENCODED}%27)`), asset);
    assert.deepEqual(
      bind(`https://wamsbayclus001rest-hs.cloudapp.net/api%2FAssets%28%27${ENCODED}%27%29`),
      asset,
    );
    assert.deepEqual(bind(`https://h/api/Assets('${encodeURIComponent(ENCODED)}')`), asset, 'encoded twice');
    assert.deepEqual(bind(`https://h/api/Assets(Id='${KEY}')?x=1#y`), asset);
    assert.deepEqual(bind(`  https://h/api/Assets('${KEY}')  `), asset);
    assert.deepEqual(bind(`Assets('${KEY}')`), asset, 'relative');
    assert.deepEqual(bind(`/api/Assets('${KEY}')`), asset);
    assert.deepEqual(bind(`api/Assets('${KEY}')`), asset);
    assert.deepEqual(bind(`https://h/api/assets('${KEY}')`), asset, 'set names ignore case here');
    assert.deepEqual(bind(`https://h/api/ContentKeys('k')`, 'ContentKeys'), { set: 'ContentKeys', key: 'k' });
    assert.deepEqual(
      parseBindUrl(`Assets('${KEY}')`, new Set(['Assets'])),
      asset,
      'a Set of names works too',
    );
    assert.deepEqual(bind("https://h/api/StorageAccounts(Name='media01')"), {
      set: 'StorageAccounts',
      key: 'media01',
    });
    assert.deepEqual(
      bind("https://h/api/EncodingReservedUnitTypes(guid'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE')"),
      {
        set: 'EncodingReservedUnitTypes',
        key: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      },
    );
  });

  it('refuses anything that is not one entity', () => {
    const bad = (url: unknown, pattern: RegExp, expected?: string) =>
      rejects(() => bind(url, expected), 400, pattern);
    bad(42, /must be a string/);
    bad(null, /must be a string/);
    bad('', /names no entity/);
    bad('https://h/', /names no entity/);
    bad('https://h/api/Assets', /has no key/);
    bad('https://h/api/Assets()', /has no key/);
    bad("https://h/api/Assets('x')/Files", /does not end at an entity/);
    bad("https://h/api/Assets('x')/Files('y')", /does not end at an entity/);
    bad("https://h/api/Nope('x')", /'Nope' is not an entity set/);
    bad('https://h/api/Assets(x)', /key is malformed/);
    bad("https://h/api/EncodingReservedUnitTypes('x')", /key is malformed/);
    bad("https://h/api/StorageAccounts(Id='x')", /key is malformed/);
    bad("https://h/api/Assets('x", /path is malformed/);
    bad("https://h/api/Assets('%ZZ')", /path is malformed/);
    bad("https://h/api/Assets('x')", /names Assets, not Jobs/, 'Jobs');
    bad(`https://h/api/Assets('${'x'.repeat(5000)}')`, /longer than 4096/);
  });
});
