import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import type { ComplexTypeDef, EntityRecord, EntityTypeDef } from '../../src/media/odata/edm.js';
import { compileFilter } from '../../src/media/odata/filter.js';
import {
  LiteralError,
  parseFunctionParameter,
  parseLiteral,
  readFunctionParameter,
} from '../../src/media/odata/literals.js';
import { compileOrderBy } from '../../src/media/odata/orderby.js';
import { pageOf, parseQueryOptions } from '../../src/media/odata/queryOptions.js';

// A small model of our own: an Asset-like type with every kind of property the filter reads.
const complexTypes = new Map<string, ComplexTypeDef>([
  [
    'ChannelInput',
    {
      name: 'ChannelInput',
      properties: [
        { name: 'KeyFrameInterval', type: 'Edm.Time' },
        { name: 'StreamingProtocol', type: 'Edm.String' },
        { name: 'AccessControl', type: 'InputAccessControl' },
        { name: 'Endpoints', type: 'Collection(Edm.String)' },
      ],
    },
  ],
  ['InputAccessControl', { name: 'InputAccessControl', properties: [{ name: 'Name', type: 'Edm.String' }] }],
]);

const Asset: EntityTypeDef = {
  name: 'Asset',
  set: 'Assets',
  properties: [
    { name: 'Id', type: 'Edm.String', nullable: false },
    { name: 'Name', type: 'Edm.String' },
    { name: 'State', type: 'Edm.Int32' },
    { name: 'Options', type: 'Edm.Int32' },
    { name: 'Created', type: 'Edm.DateTime' },
    { name: 'ContentFileSize', type: 'Edm.Int64' },
    { name: 'IsPrimary', type: 'Edm.Boolean' },
    { name: 'DurationInMinutes', type: 'Edm.Double' },
    { name: 'StorageId', type: 'Edm.Guid' },
    { name: 'Input', type: 'ChannelInput' },
    { name: 'Tags', type: 'Collection(Edm.String)' },
  ],
  navigation: [
    { name: 'Files', target: 'Files', many: true },
    { name: 'StorageAccount', target: 'StorageAccounts', many: false },
  ],
};

const assets: EntityRecord[] = [
  {
    Id: 'nb:cid:UUID:1',
    Name: 'BigBuckBunny.mp4',
    State: 0,
    Options: 0,
    Created: Date.UTC(2026, 11, 5, 6, 6, 30),
    ContentFileSize: 1186540,
    IsPrimary: true,
    DurationInMinutes: 440,
    StorageId: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
    Input: { KeyFrameInterval: 2000, StreamingProtocol: 'RTMP', AccessControl: { Name: 'allow' } },
    Tags: [],
  },
  {
    Id: 'nb:cid:UUID:2',
    Name: 'sintel.MP4',
    State: 1,
    Options: 1,
    Created: Date.UTC(2025, 0, 1),
    ContentFileSize: 5_000_000_000,
    IsPrimary: false,
    DurationInMinutes: 1.5,
    StorageId: null,
    Input: null,
    Tags: [],
  },
  {
    Id: 'nb:cid:UUID:3',
    Name: null,
    State: 2,
    Options: 4,
    Created: null,
    ContentFileSize: null,
    DurationInMinutes: 2.5,
    Input: { KeyFrameInterval: null, StreamingProtocol: 'FragmentedMP4', AccessControl: null },
  },
];

const ids = (filter: string): string[] =>
  assets.filter(compileFilter(filter, Asset, complexTypes)).map((a) => String(a.Id).slice(-1));

function rejects(run: () => unknown, pattern: RegExp, status = 400): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected a MediaError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.match(error.message, pattern);
    return true;
  });
}
const badFilter = (filter: string, pattern: RegExp) => rejects(() => ids(filter), pattern);

describe('OData literals', () => {
  it('reads strings, numbers, booleans and null', () => {
    assert.deepEqual(parseLiteral("'it''s'"), { type: 'Edm.String', value: "it's" });
    assert.deepEqual(parseLiteral("''"), { type: 'Edm.String', value: '' });
    assert.deepEqual(parseLiteral('42'), { type: 'Edm.Int32', value: 42 });
    assert.deepEqual(parseLiteral('-7'), { type: 'Edm.Int32', value: -7 });
    assert.deepEqual(parseLiteral('10L'), { type: 'Edm.Int64', value: 10 });
    assert.deepEqual(parseLiteral('3000000000'), { type: 'Edm.Int64', value: 3000000000 });
    assert.deepEqual(parseLiteral('1.5'), { type: 'Edm.Decimal', value: 1.5 });
    assert.deepEqual(parseLiteral('1.5m'), { type: 'Edm.Decimal', value: 1.5 });
    assert.deepEqual(parseLiteral('1.5d'), { type: 'Edm.Double', value: 1.5 });
    assert.deepEqual(parseLiteral('1.5f'), { type: 'Edm.Single', value: 1.5 });
    assert.deepEqual(parseLiteral('1e3'), { type: 'Edm.Double', value: 1000 });
    assert.deepEqual(parseLiteral('INF'), { type: 'Edm.Double', value: Infinity });
    assert.deepEqual(parseLiteral('-INF'), { type: 'Edm.Double', value: -Infinity });
    assert.ok(Number.isNaN(parseLiteral('NaN').value));
    assert.deepEqual(parseLiteral('true'), { type: 'Edm.Boolean', value: true });
    assert.deepEqual(parseLiteral('false'), { type: 'Edm.Boolean', value: false });
    assert.deepEqual(parseLiteral('null'), { type: 'null', value: null });
  });

  it('reads datetime, datetimeoffset, guid and time literals', () => {
    const at = Date.UTC(2026, 11, 5, 6, 6, 30);
    assert.deepEqual(parseLiteral("datetime'2026-12-05T06:06:30'"), { type: 'Edm.DateTime', value: at });
    assert.deepEqual(parseLiteral("datetime'2026-12-05T06:06:30Z'"), { type: 'Edm.DateTime', value: at });
    assert.equal(parseLiteral("datetime'2026-12-05T06:06:30.1234567Z'").value, at + 123);
    assert.equal(parseLiteral("datetime'2026-12-05T06:06'").value, at - 30_000);
    assert.equal(parseLiteral("datetime'2026-12-05'").value, Date.UTC(2026, 11, 5));
    assert.equal(parseLiteral("DateTime'2026-12-05T06:06:30'").value, at, 'type prefixes ignore case');
    assert.deepEqual(parseLiteral("datetimeoffset'2026-12-05T08:06:30+02:00'"), {
      type: 'Edm.DateTimeOffset',
      value: at,
    });
    assert.equal(parseLiteral("datetime'0001-01-01T00:00:00'").value, -62135596800000, 'year 1, not 1901');
    assert.deepEqual(parseLiteral("guid'AAAAAAAA-bbbb-CCCC-dddd-EEEEEEEEEEEE'"), {
      type: 'Edm.Guid',
      value: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    });
    assert.deepEqual(parseLiteral("time'PT1H'"), { type: 'Edm.Time', value: 3_600_000 });
    assert.deepEqual(parseLiteral("time'P1DT2H3M4.5S'"), { type: 'Edm.Time', value: 93_784_500 });
    assert.deepEqual(parseLiteral("time'-PT2S'"), { type: 'Edm.Time', value: -2000 });
  });

  it('refuses malformed literals', () => {
    for (const text of [
      "'open",
      '1.5L',
      '1e3m',
      '12abc',
      '1.',
      "datetime'2026-13-01T00:00:00'",
      "datetime'2026-02-30T00:00:00'",
      "datetime'2026-12-05T24:00:00'",
      "datetime'yesterday'",
      "guid'not-a-guid'",
      "time'1 hour'",
      "time'P'",
      "time'PT'",
      "binary'00'",
      '99999999999999999999L',
      'True',
      'Name',
      "'a' 'b'",
    ]) {
      assert.throws(() => parseLiteral(text), LiteralError, text);
    }
  });

  it('reads function parameters encoded or not', () => {
    const key = 'nb:cid:UUID:0a8d-11';
    assert.deepEqual(parseFunctionParameter("'nb%3Acid%3AUUID%3A0a8d-11'"), {
      type: 'Edm.String',
      value: key,
    });
    assert.deepEqual(parseFunctionParameter(`'${key}'`), { type: 'Edm.String', value: key });
    assert.deepEqual(parseFunctionParameter('%27nb%3Acid%3AUUID%3A0a8d-11%27'), {
      type: 'Edm.String',
      value: key,
    });
    assert.deepEqual(parseFunctionParameter(key), { type: 'Edm.String', value: key }, 'bare text');
    assert.deepEqual(parseFunctionParameter('0'), { type: 'Edm.Int32', value: 0 });
    assert.deepEqual(
      parseFunctionParameter('8A3B0C'),
      { type: 'Edm.String', value: '8A3B0C' },
      'a bare thumbprint',
    );
    assert.deepEqual(parseFunctionParameter(" 'x' "), { type: 'Edm.String', value: 'x' });
    rejects(() => parseFunctionParameter("'open", 'jobid'), /parameter 'jobid' is not valid/);
    rejects(() => parseFunctionParameter('%E0%A4%A', 'jobid'), /percent-encoded/);
    rejects(() => parseFunctionParameter('', 'jobid'), /not valid/);
    rejects(() => parseFunctionParameter("'a' 'b'", 'jobid'), /not valid/);
    rejects(() => parseFunctionParameter("foo'x'", 'jobid'), /unrecognized literal type 'foo'/);
  });

  it('reads typed function parameters from the query', () => {
    const q = (text: string) => new URLSearchParams(text);
    assert.equal(
      readFunctionParameter(q("assetid='nb%3Acid%3AUUID%3A1'"), 'assetid', 'Edm.String'),
      'nb:cid:UUID:1',
    );
    assert.equal(readFunctionParameter(q("assetId='a'"), 'assetid', 'Edm.String'), 'a', 'name ignores case');
    assert.equal(readFunctionParameter(q('contentKeyType=0'), 'contentKeyType', 'Edm.Int32'), 0);
    assert.equal(readFunctionParameter(q("contentKeyType='1'"), 'contentKeyType', 'Edm.Int32'), 1);
    assert.equal(readFunctionParameter(q('x=true'), 'x', 'Edm.Boolean'), true);
    assert.equal(readFunctionParameter(q("x='false'"), 'x', 'Edm.Boolean'), false);
    assert.equal(
      readFunctionParameter(q("x=guid'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE'"), 'x', 'Edm.Guid'),
      'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    );
    assert.equal(readFunctionParameter(q('x=10L'), 'x', 'Edm.Int64'), 10);
    assert.equal(readFunctionParameter(q(''), 'x', 'Edm.String', false), undefined);
    assert.equal(readFunctionParameter(q('x=null'), 'x', 'Edm.String', false), null);
    rejects(
      () => readFunctionParameter(q(''), 'jobid', 'Edm.String'),
      /required parameter 'jobid' is missing/,
    );
    rejects(() => readFunctionParameter(q('x=null'), 'x', 'Edm.String'), /is null/);
    rejects(() => readFunctionParameter(q("jobid='a'&JobId='b'"), 'jobid', 'Edm.String'), /more than once/);
    rejects(() => readFunctionParameter(q('jobid=5'), 'jobid', 'Edm.String'), /not a valid Edm.String/);
    rejects(() => readFunctionParameter(q("t='abc'"), 't', 'Edm.Int32'), /not a valid Edm.Int32/);
    rejects(() => readFunctionParameter(q('t=1x'), 't', 'Edm.Int32'), /not a valid Edm.Int32/);
    rejects(() => readFunctionParameter(q('t=3000000000'), 't', 'Edm.Int32'), /not a valid Edm.Int32/);
    rejects(() => readFunctionParameter(q('t=1.5'), 't', 'Edm.Int32'), /not a valid Edm.Int32/);
    rejects(() => readFunctionParameter(q("x='maybe'"), 'x', 'Edm.Boolean'), /not a valid Edm.Boolean/);
    rejects(() => readFunctionParameter(q("x='nope'"), 'x', 'Edm.Guid'), /not a valid Edm.Guid/);
  });
});

describe('$filter', () => {
  it('compares every primitive type with its literals', () => {
    assert.deepEqual(ids("Name eq 'BigBuckBunny.mp4'"), ['1']);
    assert.deepEqual(ids("Name eq 'bigbuckbunny.mp4'"), [], 'strings compare case-sensitively');
    assert.deepEqual(ids("Name ne 'BigBuckBunny.mp4'"), ['2', '3'], 'null ne a value');
    assert.deepEqual(ids('State eq 1'), ['2']);
    assert.deepEqual(ids('State ge 1'), ['2', '3']);
    assert.deepEqual(ids('State lt 1L'), ['1'], 'Int32 against Int64');
    assert.deepEqual(ids('State le 1.0'), ['1', '2'], 'Int32 against Decimal');
    assert.deepEqual(ids('ContentFileSize gt 4294967296'), ['2'], 'Int64 beyond 32 bits');
    assert.deepEqual(ids('ContentFileSize eq 1186540L'), ['1']);
    assert.deepEqual(ids('DurationInMinutes gt 2'), ['1', '3']);
    assert.deepEqual(ids('DurationInMinutes eq 1.5d'), ['2']);
    assert.deepEqual(ids('IsPrimary eq true'), ['1']);
    assert.deepEqual(ids('IsPrimary eq false'), ['2']);
    assert.deepEqual(ids('IsPrimary'), ['1'], 'a Boolean property alone');
    assert.deepEqual(ids('IsPrimary gt false'), ['1']);
    assert.deepEqual(ids("Created gt datetime'2026-01-01T00:00:00'"), ['1']);
    assert.deepEqual(ids("Created eq datetime'2026-12-05T06:06:30Z'"), ['1']);
    assert.deepEqual(ids("Created eq datetimeoffset'2026-12-05T07:06:30+01:00'"), ['1']);
    assert.deepEqual(ids("Created lt datetime'2026-01-01T00:00:00.000'"), ['2'], 'null is never ordered');
    assert.deepEqual(ids("StorageId eq guid'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'"), ['1']);
    assert.deepEqual(
      ids("StorageId eq 'AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee'"),
      ['1'],
      'Guid against a string',
    );
    assert.deepEqual(ids("Id eq 'nb:cid:UUID:2'"), ['2']);
    assert.deepEqual(ids("Name gt 'a'"), ['2'], 'ordinal: lower case after upper case');
  });

  it('treats null as OData does', () => {
    assert.deepEqual(ids('Name eq null'), ['3']);
    assert.deepEqual(ids('null eq Name'), ['3']);
    assert.deepEqual(ids('Name ne null'), ['1', '2']);
    assert.deepEqual(ids('IsPrimary eq null'), ['3'], 'a missing property is null');
    assert.deepEqual(ids('Created gt null'), []);
    assert.deepEqual(ids('State lt null'), []);
    assert.deepEqual(ids('null eq null'), ['1', '2', '3']);
    assert.deepEqual(ids('null lt null'), []);
    assert.deepEqual(ids("startswith(Name, 'B')"), ['1']);
    assert.deepEqual(ids("not startswith(Name, 'B')"), ['2'], 'not of null is null: no match');
    assert.deepEqual(ids("startswith(Name, 'B') or State eq 2"), ['1', '3'], 'null or true is true');
    assert.deepEqual(ids("startswith(Name, 'x') and State eq 2"), [], 'null and true is null');
    assert.deepEqual(
      ids("not (startswith(Name, 'x') and false)"),
      ['1', '2', '3'],
      'null and false is false',
    );
    assert.deepEqual(ids('Input/KeyFrameInterval eq null'), ['2', '3'], 'null through a null complex value');
  });

  it('reads and/or/not with precedence and parentheses', () => {
    assert.deepEqual(ids('State eq 0 or State eq 1 and Options eq 4'), ['1'], 'and binds tighter than or');
    assert.deepEqual(ids('(State eq 0 or State eq 1) and Options eq 1'), ['2']);
    assert.deepEqual(ids('not (State eq 1)'), ['1', '3']);
    assert.deepEqual(ids('not not IsPrimary'), ['1']);
    assert.deepEqual(ids('State eq 0 or State eq 1 or State eq 2 or State eq 9'), ['1', '2', '3']);
    assert.deepEqual(ids('State ge 1 and State le 2 and Options ne 1'), ['3']);
    assert.deepEqual(ids('(((State eq 2)))'), ['3']);
    assert.deepEqual(ids('true'), ['1', '2', '3']);
    assert.deepEqual(ids('1 eq 1 and false'), []);
    assert.deepEqual(ids('State eq 1 eq true'), ['2'], 'comparisons chain left to right');
    assert.deepEqual(ids('  State\teq 1 '), ['2'], 'spaces and tabs');
  });

  it('computes add, sub, mul, div, mod and negation', () => {
    assert.deepEqual(ids('State add 1 eq 2'), ['2']);
    assert.deepEqual(ids('State sub 1 eq -1'), ['1']);
    assert.deepEqual(ids('State mul 2 eq 4'), ['3']);
    assert.deepEqual(ids('Options div 3 eq 1'), ['3'], 'integer division truncates');
    assert.deepEqual(ids('Options div 0 eq 0'), [], 'division by zero is null');
    assert.deepEqual(ids('DurationInMinutes div 2 eq 0.75'), ['2']);
    assert.deepEqual(ids('Options mod 2 eq 1'), ['2']);
    assert.deepEqual(ids('State add 2 mul 3 eq 6'), ['1'], 'mul binds tighter than add');
    assert.deepEqual(ids('(State add 2) mul 3 eq 6'), ['1']);
    assert.deepEqual(ids('- State eq -2'), ['3']);
    assert.deepEqual(ids('-(State) lt -1'), ['3']);
    assert.deepEqual(ids('ContentFileSize add 1 eq 1186541'), ['1']);
  });

  it('calls the canonical functions', () => {
    assert.deepEqual(ids("startswith(Name,'Big')"), ['1']);
    assert.deepEqual(ids("endswith(Name,'.MP4')"), ['2']);
    assert.deepEqual(ids("endswith(tolower(Name),'.mp4')"), ['1', '2']);
    assert.deepEqual(ids("substringof('Buck', Name)"), ['1']);
    assert.deepEqual(ids("substringof('Buck', Name) eq true"), ['1']);
    assert.deepEqual(ids("toupper(Name) eq 'SINTEL.MP4'"), ['2']);
    assert.deepEqual(ids('length(Name) eq 10'), ['2']);
    assert.deepEqual(ids("indexof(Name, 'Buck') eq 3"), ['1']);
    assert.deepEqual(ids("indexof(Name, 'zzz') eq -1"), ['1', '2']);
    assert.deepEqual(ids("replace(Name, 'Bunny', 'Rabbit') eq 'BigBuckRabbit.mp4'"), ['1']);
    assert.deepEqual(ids("substring(Name, 3) eq 'BuckBunny.mp4'"), ['1']);
    assert.deepEqual(ids("substring(Name, 3, 4) eq 'Buck'"), ['1']);
    assert.deepEqual(ids("substring(Name, 100) eq ''"), ['1', '2'], 'a start past the end clamps');
    assert.deepEqual(ids("trim(concat('  ', Name)) eq 'sintel.MP4'"), ['2']);
    assert.deepEqual(ids("concat(concat(Name, '-'), 'x') eq 'sintel.MP4-x'"), ['2']);
    assert.deepEqual(ids('year(Created) eq 2026'), ['1']);
    assert.deepEqual(ids('month(Created) eq 12 and day(Created) eq 5'), ['1']);
    assert.deepEqual(ids('hour(Created) eq 6 and minute(Created) eq 6 and second(Created) eq 30'), ['1']);
    assert.deepEqual(ids('round(DurationInMinutes) eq 3'), ['3'], 'half away from zero');
    assert.deepEqual(ids('round(DurationInMinutes) eq 2'), ['2']);
    assert.deepEqual(ids('floor(DurationInMinutes) eq 1'), ['2']);
    assert.deepEqual(ids('ceiling(DurationInMinutes) eq 2'), ['2']);
    assert.deepEqual(ids('floor(State) eq 1'), ['2'], 'an integer argument widens');
    assert.deepEqual(ids("startswith(null, 'a') eq null"), ['1', '2', '3']);
  });

  it('follows complex property paths', () => {
    assert.deepEqual(ids("Input/StreamingProtocol eq 'RTMP'"), ['1']);
    assert.deepEqual(ids("Input/KeyFrameInterval eq time'PT2S'"), ['1']);
    assert.deepEqual(ids("Input/AccessControl/Name eq 'allow'"), ['1']);
    assert.deepEqual(ids('Input/AccessControl/Name eq null'), ['2', '3']);
  });

  it('refuses unknown properties and bad paths', () => {
    rejects(() => ids("Nmae eq 'x'"), /property 'Nmae' does not exist on type '.*\.Asset'/);
    rejects(() => ids("name eq 'x'"), /property 'name' does not exist/, 400);
    rejects(
      () => ids("Input/Protocol eq 'x'"),
      /property 'Protocol' does not exist on type '.*\.ChannelInput'/,
    );
    badFilter("Files eq 'x'", /navigation property 'Files' cannot be used in \$filter/);
    badFilter("Tags eq 'x'", /collection property 'Tags'/);
    badFilter("Input/Endpoints eq 'x'", /collection property 'Input\/Endpoints'/);
    badFilter('Input eq null', /complex type 'ChannelInput' and cannot be used as a value/);
    badFilter("Name/Length eq 'x'", /'Name' is of type 'Edm.String' and has no members/);
    badFilter('Input/ eq 1', /syntax error at position 7: unexpected 'eq'/);
    badFilter('Input/', /unexpected end/);
  });

  it('refuses type mismatches', () => {
    badFilter(
      "State eq 'x'",
      /operator 'eq' incompatible with operand types 'Edm.Int32' and 'Edm.String' at position 6/,
    );
    badFilter('Name eq 1', /incompatible with operand types 'Edm.String' and 'Edm.Int32'/);
    badFilter("Created gt '2026-01-01'", /'Edm.DateTime' and 'Edm.String'/);
    badFilter('IsPrimary eq 1', /'Edm.Boolean' and 'Edm.Int32'/);
    badFilter("StorageId eq time'PT1S'", /'Edm.Guid' and 'Edm.Time'/);
    badFilter("Name add 'x' eq 'y'", /operator 'add' incompatible/);
    badFilter("State eq 1 and 'x'", /operator 'and' incompatible with operand type 'Edm.String'/);
    badFilter("'x' or State eq 1", /operator 'or' incompatible with operand type 'Edm.String' at position 4/);
    badFilter("not Name eq 'x'", /operator 'not' incompatible with operand type 'Edm.String'/);
    badFilter("-Name eq 'x'", /operator '-' incompatible/);
    badFilter('Name', /a filter must be of type 'Edm.Boolean'/);
    badFilter('State add 1', /of type 'Edm.Int32'; a filter must be/);
    badFilter('null', /of type 'null'/);
    badFilter('startswith(Name)', /no signature of the function 'startswith' accepts \(Edm.String\)/);
    badFilter('startswith(Name, 1)', /accepts \(Edm.String, Edm.Int32\)/);
    badFilter("substring(Name, '1')", /function 'substring'/);
    badFilter('year(Name) eq 1', /function 'year'/);
    badFilter('round(Name) eq 1', /function 'round'/);
    badFilter('length() eq 1', /function 'length' accepts \(\)/);
  });

  it('refuses syntax errors, unknown functions and trailing text', () => {
    badFilter('', /the expression is empty/);
    badFilter('   ', /the expression is empty/);
    badFilter("Name EQ 'x'", /unexpected 'EQ' \(operators are lower case: 'eq'\)/);
    badFilter("Name eq 'x' AND State eq 1", /unexpected 'AND'/);
    badFilter("Name eq 'x' State", /syntax error at position 12: unexpected 'State'/);
    badFilter("Name eq 'x')", /unexpected '\)'/);
    badFilter("(Name eq 'x'", /'\)' expected at position 12/);
    badFilter("startswith(Name, 'x'", /'\)' expected/);
    badFilter("startswith(Name 'x')", /'\)' expected at position 16 instead of ''x''/);
    badFilter("Name eq 'x", /unterminated string literal at position 8/);
    badFilter('State eq 1x', /invalid numeric literal at position 9/);
    badFilter("Name eq 'x' & State eq 1", /unexpected character '&'/);
    badFilter('Name eq', /unexpected end of the expression/);
    badFilter('eq 1', /unexpected 'eq'/);
    badFilter('State eq 1 and', /unexpected end/);
    badFilter('Name eq "x"', /unexpected character '"'/);
    badFilter("Name eq foo'x'", /unrecognized literal type 'foo'/);
    badFilter("Created eq datetime'2026-99-01'", /not a valid datetime literal/);
    badFilter("frobnicate(Name) eq 'x'", /unknown function 'frobnicate' at position 0/);
    badFilter("StartsWith(Name, 'x')", /unknown function 'StartsWith'/);
    badFilter("isof('Asset')", /unknown function 'isof'/);
    badFilter("Files/any(f: f/Name eq 'x')", /unexpected character ':'/);
    badFilter("Files/Name eq 'x'", /navigation property 'Files'/);
    badFilter('State eq 1,', /unexpected ','/);
  });

  it('bounds length and depth', () => {
    badFilter(`Name eq '${'x'.repeat(4100)}'`, /longer than 4096 characters/);
    const deep = (n: number) => `${'('.repeat(n)}State eq 1${')'.repeat(n)}`;
    assert.deepEqual(ids(deep(50)), ['2']);
    badFilter(deep(51), /nested more than 50 levels/);
    badFilter(`${'not '.repeat(51)}IsPrimary`, /nested more than 50 levels/);
    badFilter(`${'tolower('.repeat(51)}Name${')'.repeat(51)} eq 'x'`, /nested more than 50 levels/);
    // A long flat chain is neither nesting nor slow: 200 clauses under the length bound.
    const chain = Array.from({ length: 200 }, (_, i) => `State eq ${i}`).join(' or ');
    assert.ok(chain.length < 4096);
    assert.deepEqual(ids(chain), ['1', '2', '3']);
    const sums = `State${' add 1'.repeat(600)} eq 601`;
    assert.deepEqual(ids(sums), ['2']);
  });

  it('throws only MediaErrors for arbitrary input', () => {
    // A cheap deterministic fuzz: fragments of the grammar glued together must parse or give a 400.
    const parts = [
      'Name',
      'State',
      ' eq ',
      ' and ',
      ' or ',
      'not ',
      '(',
      ')',
      "'x'",
      '1',
      ',',
      '/',
      '-',
      'tolower(',
      'null',
      '$',
      "'",
    ];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let j = 0; j < 8; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        text += parts[seed % parts.length];
      }
      try {
        compileFilter(text, Asset, complexTypes)(assets[0] ?? {});
      } catch (error) {
        assert.ok(error instanceof MediaError && error.status === 400, `${text}: ${String(error)}`);
      }
    }
  });

  it('filters ten thousand entities with a three-clause filter', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      Name: i % 2 === 0 ? `asset-${i}` : `clip-${i}`,
      State: i % 3,
      Created: Date.UTC(2026, 0, 1) + i * 60_000,
    }));
    const filter = compileFilter(
      "State eq 1 and startswith(Name, 'clip') and Created ge datetime'2026-01-01T00:30:00Z'",
      Asset,
      complexTypes,
    );
    const expected = many.filter(
      (e) => e.State === 1 && e.Name.startsWith('clip') && e.Created >= Date.UTC(2026, 0, 1, 0, 30),
    );
    assert.equal(many.filter(filter).length, expected.length);
    assert.ok(expected.length > 1000);
  });
});

describe('$orderby', () => {
  const order = (text: string, items = assets) =>
    [...items].sort(compileOrderBy(text, Asset, complexTypes)).map((a) => String(a.Id).slice(-1));

  it('sorts by one or several keys, asc and desc, nulls first ascending', () => {
    assert.deepEqual(order('State'), ['1', '2', '3']);
    assert.deepEqual(order('State desc'), ['3', '2', '1']);
    assert.deepEqual(order('State asc'), ['1', '2', '3']);
    assert.deepEqual(order('Name'), ['3', '1', '2'], 'null first, then ordinal');
    assert.deepEqual(order('Name desc'), ['2', '1', '3'], 'null last descending');
    assert.deepEqual(order('Created'), ['3', '2', '1']);
    assert.deepEqual(order('ContentFileSize desc'), ['2', '1', '3']);
    assert.deepEqual(order('IsPrimary desc'), ['1', '2', '3']);
    assert.deepEqual(order('Input/StreamingProtocol'), ['2', '3', '1']);
    assert.deepEqual(order('tolower(Name) desc'), ['2', '1', '3']);
    const ties: EntityRecord[] = [
      { Id: 'a', State: 1, Name: 'b' },
      { Id: 'b', State: 0, Name: 'b' },
      { Id: 'c', State: 1, Name: 'a' },
      { Id: 'd', State: 0, Name: 'a' },
    ];
    assert.deepEqual(order('Name, State desc', ties), ['c', 'd', 'a', 'b']);
    assert.deepEqual(order('State desc,Name', ties), ['c', 'a', 'd', 'b']);
    assert.deepEqual(order('State', ties), ['b', 'd', 'a', 'c'], 'ties keep their order (stable sort)');
  });

  it('refuses unknown properties and bad syntax', () => {
    rejects(() => order('Nope'), /property 'Nope' does not exist/);
    rejects(() => order('Files'), /navigation property 'Files' cannot be used in \$orderby/);
    rejects(() => order('Name DESC'), /Invalid \$orderby expression: .*unexpected 'DESC'/);
    rejects(() => order('Name asc desc'), /unexpected 'desc'/);
    rejects(() => order('Name,'), /unexpected end/);
    rejects(() => order(',Name'), /unexpected ','/);
    rejects(() => order(''), /\$orderby expression: the expression is empty/);
    rejects(() => order('Input'), /complex type/);
    rejects(() => order(`Name${', Name'.repeat(1000)}`), /longer than 4096/);
  });
});

describe('query options', () => {
  const parse = (text: string) => parseQueryOptions(new URLSearchParams(text), Asset, complexTypes);

  it('reads every option', () => {
    const options = parse(
      "$filter=State eq 1&$orderby=Name desc&$top=5&$skip=10&$select=Name,Id,Files&$inlinecount=allpages&$skiptoken=abc&$format=verbose&api-version=2.19&assetid='x'",
    );
    assert.equal(typeof options.filter, 'function');
    assert.equal(typeof options.orderBy, 'function');
    assert.equal(options.top, 5);
    assert.equal(options.skip, 10);
    assert.deepEqual(options.select, ['Name', 'Id', 'Files']);
    assert.equal(options.inlineCount, true);
    assert.equal(options.skipToken, 'abc');
    assert.equal(options.format, 'verbose');
    assert.deepEqual(parse(''), { inlineCount: false });
    assert.deepEqual(
      parse('api-version=2.19&jobid=%27x%27'),
      { inlineCount: false },
      'non-$ parameters are ignored',
    );
  });

  it('decodes + and %20 before the filter sees it', () => {
    const options = parse('$filter=Name+eq+%27sintel.MP4%27');
    assert.deepEqual(
      assets.filter(options.filter!).map((a) => a.Id),
      ['nb:cid:UUID:2'],
    );
  });

  it('reads $top and $skip as Int32.TryParse did', () => {
    assert.equal(parse('$top=0').top, 0);
    assert.equal(parse('$top=+7').top, 7);
    assert.equal(parse('$top= 7 ').top, 7);
    assert.equal(parse('$skip=2147483647').skip, 2147483647);
    for (const bad of ['-1', 'abc', '1.5', '2147483648', '1e3', '0x10', '99999999999']) {
      rejects(() => parse(`$top=${bad}`), /Invalid \$top expression/);
      rejects(() => parse(`$skip=${bad}`), /Invalid \$skip expression/);
    }
  });

  it('treats empty options as absent', () => {
    assert.deepEqual(parse('$filter=&$orderby=&$top=&$skip=&$select=&$inlinecount=&$format=&$skiptoken='), {
      inlineCount: false,
    });
  });

  it('reads $select', () => {
    assert.equal(parse('$select=*').select, undefined);
    assert.equal(parse('$select=Name,*').select, undefined);
    assert.deepEqual(parse('$select= Name , Name ,State').select, ['Name', 'State']);
    assert.deepEqual(parse('$select=StorageAccount').select, ['StorageAccount']);
    rejects(() => parse('$select=Nope'), /property 'Nope' does not exist/);
    rejects(() => parse('$select=name'), /property 'name' does not exist/);
    rejects(() => parse('$select=Name,'), /Invalid \$select expression: an item is empty/);
    rejects(() => parse('$select=*,'), /an item is empty/);
    rejects(() => parse('$select=Input/KeyFrameInterval'), /only properties of the entity itself/);
  });

  it('reads $inlinecount and $format', () => {
    assert.equal(parse('$inlinecount=none').inlineCount, false);
    rejects(() => parse('$inlinecount=AllPages'), /Invalid \$inlinecount expression/);
    rejects(() => parse('$inlinecount=yes'), /neither 'allpages' nor 'none'/);
    assert.equal(parse('$format=json').format, 'json');
    assert.equal(parse('$format=JSON').format, 'json');
    assert.equal(parse('$format=atom').format, 'atom');
    assert.equal(parse('$format=xml').format, 'atom');
    assert.equal(parse('$format=application/json;odata=verbose').format, 'verbose');
    assert.equal(parse('$format=application%2Fjson%3B%20odata%3Dminimalmetadata').format, 'json');
    assert.equal(parse('$format=application/atom+xml').format, 'atom', '+ decodes to a space: still atom');
    rejects(() => parse('$format=csv'), /Invalid \$format expression: 'csv' is not a supported format/);
  });

  it('refuses $expand, unknown $ options and repeated options', () => {
    rejects(() => parse('$expand=Files'), /^The query option '\$expand' is not supported\.$/);
    rejects(() => parse('$expand='), /'\$expand' is not supported/);
    rejects(
      () => parse('$count=true'),
      /query parameter '\$count' begins with a system-reserved '\$' character/,
    );
    rejects(() => parse('$Top=1'), /'\$Top' begins with a system-reserved/);
    rejects(() => parse('$callback=f'), /'\$callback'/);
    rejects(
      () => parse('$top=1&$top=2'),
      /Query parameter '\$top' is specified, but it should be specified exactly once/,
    );
    rejects(() => parse('$filter=State eq 1&$filter=State eq 2'), /exactly once/);
  });

  it('passes filter and orderby errors through as 400', () => {
    rejects(() => parse("$filter=State eq 'x'"), /Invalid \$filter expression/);
    rejects(() => parse('$orderby=Nope'), /property 'Nope' does not exist/);
  });
});

describe('pageOf', () => {
  const numbers = Array.from({ length: 25 }, (_, i) => ({ Id: `n${i}`, State: i % 5, Name: `item ${i}` }));
  const options = (text: string) => parseQueryOptions(new URLSearchParams(text), Asset, complexTypes);
  const page = (text: string, size?: number) => pageOf(numbers, options(text), size);

  it('filters, sorts stably, skips and takes', () => {
    const result = page('$filter=State eq 1&$orderby=Name desc&$skip=1&$top=2&$inlinecount=allpages');
    // Names order as strings: 'item 6' > 'item 21' > 'item 16' > 'item 11' > 'item 1'.
    assert.deepEqual(
      result.page.map((e) => e.Id),
      ['n21', 'n16'],
    );
    assert.equal(result.count, 5);
    assert.equal(result.next, undefined);
    const stable = page('$orderby=State');
    assert.deepEqual(
      stable.page.slice(0, 5).map((e) => e.Id),
      ['n0', 'n5', 'n10', 'n15', 'n20'],
    );
    assert.equal(stable.count, undefined, 'no count unless asked');
    assert.equal(numbers[0]?.Id, 'n0', 'the input is not reordered');
  });

  it('stops at the page size and says where the next page starts', () => {
    const first = page('', 10);
    assert.equal(first.page.length, 10);
    assert.deepEqual(first.next, { skip: 10 });
    const last = page('$skip=20', 10);
    assert.equal(last.page.length, 5);
    assert.equal(last.next, undefined);
    const budget = page('$top=15', 10);
    assert.equal(budget.page.length, 10);
    assert.deepEqual(budget.next, { skip: 10, top: 5 }, "the caller's $top budget continues");
    const rest = page('$skip=10&$top=5', 10);
    assert.equal(rest.page.length, 5);
    assert.equal(rest.next, undefined);
    const exact = page('$top=10', 10);
    assert.equal(exact.next, undefined, 'no next link when $top ends at the page limit');
    const skipped = page('$skip=5&$top=100', 10);
    assert.deepEqual(skipped.next, { skip: 15, top: 90 });
    assert.deepEqual(page('$top=0').page, []);
    assert.equal(page('$top=0').next, undefined);
    assert.deepEqual(page('$skip=100&$inlinecount=allpages'), { page: [], count: 25 });
    assert.equal(pageOf(numbers, { inlineCount: false }).page.length, 25, 'default page size 1000');
    assert.deepEqual(pageOf(numbers, { inlineCount: false }, 0).page.length, 1, 'a page holds at least one');
  });
});
