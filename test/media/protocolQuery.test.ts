import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller, Entity, Reply } from './protocolSupport.js';
import {
  ACCEPT,
  NS,
  batch,
  call,
  children,
  contributor,
  createAsset,
  odataError,
  parseXmlDocument,
} from './protocolSupport.js';

type Page = { value: Entity[]; 'odata.count'?: string; 'odata.nextLink'?: string; 'odata.metadata': string };

const q = encodeURIComponent;

describe('Media Services v2 query options', () => {
  let c: Caller;
  /** q-a … q-f in creation order, with Options and AlternateIds to filter on. */
  const made: Entity[] = [];

  before(async () => {
    c = await contributor();
    const specs: Array<[string, number, string | null]> = [
      ['q-alpha', 0, 'red'],
      ['q-beta', 1, 'green'],
      ['q-gamma', 0, null],
      ['q-delta', 4, 'red'],
      ['q-alphabet', 2, 'blue'],
      ['q-omega', 1, 'red'],
    ];
    for (const [name, options, alternateId] of specs) {
      made.push(await createAsset(c, name, { Options: options, AlternateId: alternateId }));
      // Distinct Created values, for the datetime filters.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  after(() => c.f.t.stop());

  const scoped = (filter: string) => `startswith(Name,'q-') and (${filter})`;

  async function names(query: string): Promise<string[]> {
    const reply = await call<Page>(c, 'GET', `Assets?${query}`);
    assert.equal(reply.status, 200, `${query}: ${reply.text}`);
    return reply.json.value.map((a) => String(a.Name));
  }

  async function filtered(filter: string): Promise<string[]> {
    return (await names(`$filter=${q(scoped(filter))}`)).sort();
  }

  test('$filter: eq, ne, gt, lt, ge, le on strings and integers', async () => {
    assert.deepEqual(await filtered("Name eq 'q-beta'"), ['q-beta']);
    assert.deepEqual(await filtered('Options eq 0'), ['q-alpha', 'q-gamma']);
    assert.deepEqual(await filtered('Options ne 0'), ['q-alphabet', 'q-beta', 'q-delta', 'q-omega']);
    assert.deepEqual(await filtered('Options gt 1'), ['q-alphabet', 'q-delta']);
    assert.deepEqual(await filtered('Options lt 1'), ['q-alpha', 'q-gamma']);
    assert.deepEqual(await filtered('Options ge 2'), ['q-alphabet', 'q-delta']);
    assert.deepEqual(await filtered('Options le 0'), ['q-alpha', 'q-gamma']);
    assert.deepEqual(await filtered("Name gt 'q-gamma'"), ['q-omega']);
    assert.deepEqual(await filtered('AlternateId eq null'), ['q-gamma']);
    // The Postman collection's spelling: the Id in quotes, the filter unencoded but for spaces.
    const byId = await call<Page>(c, 'GET', `Assets?$filter=Id%20eq%20'${made[1]?.Id}'`);
    assert.deepEqual(
      byId.json.value.map((a) => a.Name),
      ['q-beta'],
    );
  });

  test('$filter: and, or, not and parentheses', async () => {
    assert.deepEqual(await filtered("AlternateId eq 'red' and Options eq 0"), ['q-alpha']);
    assert.deepEqual(await filtered("Name eq 'q-beta' or Name eq 'q-delta'"), ['q-beta', 'q-delta']);
    assert.deepEqual(await filtered("not (AlternateId eq 'red')"), ['q-alphabet', 'q-beta', 'q-gamma']);
    assert.deepEqual(await filtered("(Options eq 1 or Options eq 4) and not startswith(Name,'q-o')"), [
      'q-beta',
      'q-delta',
    ]);
  });

  test('$filter: startswith, endswith, substringof, and a datetime literal on Created', async () => {
    assert.deepEqual(await filtered("startswith(Name,'q-alpha')"), ['q-alpha', 'q-alphabet']);
    assert.deepEqual(await filtered("endswith(Name,'ta')"), ['q-beta', 'q-delta']);
    assert.deepEqual(await filtered("substringof('mm',Name)"), ['q-gamma']);
    assert.deepEqual(await filtered("substringof('ph',Name) eq true"), ['q-alpha', 'q-alphabet']);
    const middle = String(made[3]?.Created); // q-delta
    const literal = middle.replace(/Z$/, '');
    assert.deepEqual(await filtered(`Created gt datetime'${literal}'`), ['q-alphabet', 'q-omega']);
    assert.deepEqual(await filtered(`Created ge datetime'${middle}'`), ['q-alphabet', 'q-delta', 'q-omega']);
    assert.deepEqual(await filtered(`Created lt datetime'${literal}'`), ['q-alpha', 'q-beta', 'q-gamma']);
    assert.deepEqual(await filtered("Created lt datetime'2000-01-01T00:00:00'"), []);
    assert.deepEqual((await filtered("Created gt datetime'2000-01-01'")).length, 6);
  });

  test('$orderby with several keys, $top and $skip', async () => {
    const filter = `$filter=${q("startswith(Name,'q-')")}`;
    assert.deepEqual(await names(`${filter}&$orderby=${q('Options desc,Name')}`), [
      'q-delta',
      'q-alphabet',
      'q-beta',
      'q-omega',
      'q-alpha',
      'q-gamma',
    ]);
    assert.deepEqual(await names(`${filter}&$orderby=${q('Options asc, Name desc')}`), [
      'q-gamma',
      'q-alpha',
      'q-omega',
      'q-beta',
      'q-alphabet',
      'q-delta',
    ]);
    assert.deepEqual(await names(`${filter}&$orderby=Created%20desc&$top=2`), ['q-omega', 'q-alphabet']);
    assert.deepEqual(await names(`${filter}&$orderby=Name&$skip=2&$top=3`), ['q-beta', 'q-delta', 'q-gamma']);
    assert.deepEqual(await names(`${filter}&$orderby=Name&$skip=10`), []);
    assert.deepEqual(await names(`${filter}&$top=0`), []);
  });

  test('$select in minimal and verbose JSON and Atom', async () => {
    const path = `Assets?$filter=${q("Name eq 'q-beta'")}&$select=Name,Id`;
    const minimal = await call<Page>(c, 'GET', path);
    assert.equal(minimal.status, 200, minimal.text);
    assert.deepEqual(minimal.json.value, [{ Id: made[1]?.Id, Name: 'q-beta' }]);
    assert.match(minimal.json['odata.metadata'], /\$metadata#Assets&\$select=/);
    const verbose = await call<{ d: { results: Array<Record<string, unknown>> } }>(c, 'GET', path, {
      accept: ACCEPT.verbose,
    });
    const [row] = verbose.json.d.results;
    assert.ok(row, 'expected: row');
    assert.deepEqual(Object.keys(row).sort(), ['Id', 'Name', '__metadata']);
    const atom = await call(c, 'GET', path, { accept: ACCEPT.atom });
    const [entry] = children(parseXmlDocument(atom.text), NS.atom, 'entry');
    assert.ok(entry, 'expected: entry');
    const properties = children(children(entry, NS.atom, 'content')[0]!, NS.metadata, 'properties')[0]!;
    assert.deepEqual(properties.children.map((p) => p.local).sort(), ['Id', 'Name']);
    const star = await call<Page>(c, 'GET', `Assets?$filter=${q("Name eq 'q-beta'")}&$select=*`);
    assert.ok('Created' in (star.json.value[0] ?? {}), `expected: 'Created' in (star.json.value[0] ?? {})`);
    const one = await call<Record<string, unknown>>(
      c,
      'GET',
      `Assets('${q(String(made[1]?.Id))}')?$select=Name`,
    );
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.Name, 'q-beta');
    assert.equal(one.json.Id, undefined);
  });

  test('$inlinecount=allpages: odata.count and __count count before $top', async () => {
    const path = `Assets?$filter=${q("startswith(Name,'q-')")}&$top=2&$inlinecount=allpages`;
    const minimal = await call<Page>(c, 'GET', path);
    assert.equal(minimal.json['odata.count'], '6');
    assert.equal(minimal.json.value.length, 2);
    assert.match(minimal.text, /"odata.count":"6"/);
    const verbose = await call<{ d: { __count: string; results: unknown[] } }>(c, 'GET', path, {
      accept: ACCEPT.verbose,
    });
    assert.equal(verbose.json.d.__count, '6');
    assert.equal(verbose.json.d.results.length, 2);
    const atom = await call(c, 'GET', path, { accept: ACCEPT.atom });
    assert.equal(children(parseXmlDocument(atom.text), NS.metadata, 'count')[0]?.text, '6');
    const none = await call<Page>(c, 'GET', `Assets?$inlinecount=none&$top=1`);
    assert.equal(none.json['odata.count'], undefined);
  });

  test('unsupported and malformed options are 400 OData errors, never 500', async () => {
    odataError(await call(c, 'GET', 'Assets?$expand=Files'), 400);
    odataError(await call(c, 'GET', `Assets('${q(String(made[0]?.Id))}')?$expand=Locators`), 400);
    odataError(await call(c, 'GET', 'Assets?$foo=1'), 400);
    odataError(await call(c, 'GET', 'Assets?$top=-1'), 400);
    odataError(await call(c, 'GET', 'Assets?$top=ten'), 400);
    odataError(await call(c, 'GET', 'Assets?$skip=1.5'), 400);
    odataError(await call(c, 'GET', 'Assets?$top=1&$top=2'), 400);
    odataError(await call(c, 'GET', 'Assets?$inlinecount=some'), 400);
    odataError(await call(c, 'GET', 'Assets?$orderby=Nope'), 400);
    odataError(await call(c, 'GET', 'Assets?$orderby=Name%20sideways'), 400);
    odataError(await call(c, 'GET', 'Assets?$select=Nope'), 400);
    for (const filter of [
      'Name eq',
      "Nope eq 'x'",
      "Name eq 'unterminated",
      'Name eq 1 and',
      "substringof('a'",
      'startswith(Name)',
      "Created gt datetime'yesterday'",
      "Created gt datetime'2020-13-45T99:00:00'",
      'Options eq 1.5.5',
      '((Options eq 1)',
      "Name eq 'a')",
      "frobnicate(Name) eq 'x'",
      "Name add 'x'",
      'Options eq 1 eq 2 eq 3',
      "Name eq 'x' or",
      '1',
      "Files/Name eq 'x'",
      "Name eq 'x'; DROP TABLE",
      '%',
    ]) {
      const reply = await call(c, 'GET', `Assets?$filter=${q(filter)}`);
      odataError(reply, 400);
    }
    const deep = `${'('.repeat(2000)}Options eq 1${')'.repeat(2000)}`;
    const reply: Reply = await call(c, 'GET', `Assets?$filter=${q(deep)}`);
    assert.ok(reply.status === 400 || reply.status === 414, `${reply.status}: ${reply.text.slice(0, 200)}`);
  });

  test('paging past 1000 entities: odata.nextLink and __next followed to the end', async () => {
    // 1,100 assets in two change sets (the .NET SDK's way of writing many entities at once).
    for (let half = 0; half < 2; half++) {
      const parts = Array.from({ length: 550 }, (_, i) => ({
        method: 'POST',
        url: 'Assets',
        contentId: String(i + 1),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Name: `page-${String(half * 550 + i).padStart(4, '0')}` }),
      }));
      const [changeset] = await batch(c, [parts]);
      assert.ok(Array.isArray(changeset), 'expected: Array.isArray(changeset)');
      assert.equal(changeset.length, 550);
      assert.ok(
        changeset.every((part) => part.status === 201),
        'expected: changeset.every((part) => part.status === 201)',
      );
    }
    const filter = `$filter=${q("startswith(Name,'page-')")}`;

    const seen: string[] = [];
    let next: string | undefined = `Assets?${filter}&$inlinecount=allpages`;
    let pages = 0;
    while (next !== undefined) {
      const reply: Reply<Page> = await call<Page>(c, 'GET', next);
      assert.equal(reply.status, 200, reply.text);
      assert.ok(reply.json.value.length <= 1000, 'expected: reply.json.value.length <= 1000');
      assert.equal(reply.json['odata.count'], '1100');
      seen.push(...reply.json.value.map((a) => String(a.Name)));
      next = reply.json['odata.nextLink'];
      if (next !== undefined) assert.ok(next.startsWith(c.f.api), next);
      pages++;
    }
    assert.equal(pages, 2);
    assert.equal(seen.length, 1100);
    assert.equal(new Set(seen).size, 1100);
    const firstOutOfOrder = seen.findIndex((name, i) => i > 0 && name < (seen[i - 1] ?? ''));
    assert.equal(
      firstOutOfOrder,
      -1,
      `creation order: ${seen.slice(Math.max(0, firstOutOfOrder - 3), firstOutOfOrder + 3).join(',')}`,
    );

    // Verbose, ordered, with $top beyond a page: __next keeps both and ends after $top.
    const verboseSeen: string[] = [];
    let verboseNext: string | undefined = `Assets?${filter}&$orderby=${q('Name desc')}&$top=1050`;
    while (verboseNext !== undefined) {
      const reply: Reply<{ d: { results: Entity[]; __next?: string } }> = await call(c, 'GET', verboseNext, {
        accept: ACCEPT.verbose,
      });
      assert.equal(reply.status, 200, reply.text);
      verboseSeen.push(...reply.json.d.results.map((a) => String(a.Name)));
      verboseNext = reply.json.d.__next;
    }
    assert.equal(verboseSeen.length, 1050);
    assert.equal(verboseSeen[0], 'page-1099');
    assert.equal(verboseSeen.at(-1), 'page-0050');

    // Atom's next link.
    const atom = await call(c, 'GET', `Assets?${filter}`, { accept: ACCEPT.atom });
    const feed = parseXmlDocument(atom.text);
    assert.equal(children(feed, NS.atom, 'entry').length, 1000);
    const nextLink = children(feed, NS.atom, 'link').find((l) => l.attrs.rel === 'next');
    assert.equal(new URL(nextLink?.attrs.href ?? '', c.f.api).searchParams.get('$skip'), '1000');

    const counted = await call(c, 'GET', `Assets/$count?${filter}`);
    assert.equal(counted.status, 200);
    assert.equal(counted.text, '1100');
  });
});
