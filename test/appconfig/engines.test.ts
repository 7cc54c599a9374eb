import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ConfigurationData } from '../../src/appconfig/configurationData.js';
import { appConfigErrors } from '../../src/appconfig/errors.js';
import type { KeyValue, KeyValueInput } from '../../src/appconfig/model.js';
import { comparableText, postgresText } from '../../src/appconfig/persistence/engines/postgresText.js';
import { prefixUpperBound } from '../../src/appconfig/persistence/sqlFilters.js';
import type { KeyValueQuery } from '../../src/appconfig/persistence/sqlFilters.js';
import { Tessera } from '../../src/tessera.js';
import type { Bootstrap } from '../../src/tessera.js';
import { storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

const input = (key: string, extra: Partial<KeyValueInput> = {}): KeyValueInput => ({
  key,
  label: null,
  value: `value of ${key}`,
  contentType: null,
  description: null,
  tags: {},
  ...extra,
});

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const query = (q: Partial<KeyValueQuery>): KeyValueQuery => ({ tags: [], ...q });
const keysOf = (items: readonly KeyValue[]) => items.map((kv) => kv.key);

describe('the data plane’s SQL helpers', () => {
  it('bounds a prefix by the next code point, so the range holds exactly its strings in byte order', () => {
    assert.equal(prefixUpperBound('app:'), 'app;');
    assert.equal(prefixUpperBound('caf\u00e9'), 'caf\u00ea');
    assert.equal(prefixUpperBound('a\ud7ff'), 'a\ue000'); // surrogates are not code points
    assert.equal(prefixUpperBound('a\u{1F600}'), 'a\u{1F601}');
    assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
    assert.equal(prefixUpperBound('\u{10FFFF}\u{10FFFF}'), undefined);
    // A lone surrogate is stored as U+FFFD: the bound is that of U+FFFD.
    assert.equal(prefixUpperBound('a\ud800'), 'a\ufffe');
    for (const prefix of ['a', 'caf\u00e9', 'x\u{1F600}', 'z\u007f']) {
      const upper = prefixUpperBound(prefix) ?? '';
      for (const inside of [prefix, `${prefix}\u{10FFFF}`, `${prefix}\uffff\uffff`]) {
        assert.ok(byBytes(inside, prefix) >= 0 && byBytes(inside, upper) < 0, JSON.stringify(inside));
      }
      assert.ok(byBytes(upper, prefix) > 0 && !upper.startsWith(prefix));
    }
  });

  it('stores U+0000 and U+FFFF on PostgreSQL reversibly, leaving other text alone', () => {
    for (const text of [
      '',
      'plain',
      'a\u0000b',
      '\uffff',
      '\uffff0',
      '\u0000\uffff\u0000',
      'x\uffff\uffff0',
    ]) {
      const stored = postgresText.store(text);
      assert.ok(!stored.includes('\u0000'));
      assert.equal(postgresText.load(stored), text);
    }
    assert.equal(postgresText.store('plain é'), 'plain é');
    // Distinct texts stay distinct, so tag filters compare stored forms exactly.
    assert.notEqual(postgresText.store('\u0000'), postgresText.store('\uffff0'));
  });

  it('compares keys holding U+0000 as SQLite would, without the character', () => {
    assert.equal(comparableText('abc'), 'abc');
    assert.equal(comparableText('ab\u0000cd\u0000'), 'ab\u0001');
  });
});

for (const { engine, skip } of storeEngines())
  describe(`App Configuration’s persistence (${engine})`, { skip }, () => {
    let location: TestStoreLocation;
    let tessera: Tessera;
    let other: Tessera;
    let data: ConfigurationData;
    let otherData: ConfigurationData;
    let bootstrap: Bootstrap;
    let storeSeq = 0;

    before(async () => {
      location = await testStoreLocation(engine);
      const where = { dataDir: location.dataDir, databaseUrl: location.databaseUrl };
      tessera = await Tessera.open(where);
      const made = await tessera.bootstrap();
      assert.ok(made);
      bootstrap = made;
      // A second handle on the same database is another process (another node) as far as the engine can tell.
      other = await Tessera.open(where);
      data = new ConfigurationData(tessera.db);
      otherData = new ConfigurationData(other.db);
    });
    after(async () => {
      await other.close();
      await tessera.close();
      await location.dispose();
    });

    const newStore = async (): Promise<string> => {
      const { store } = await tessera.configurationStores.createOrUpdate({
        subscriptionId: bootstrap.subscription.subscriptionId,
        resourceGroup: bootstrap.resourceGroup.name,
        name: `persist-${engine}-${storeSeq++}`,
        location: 'westus',
        sku: 'standard',
      });
      return store.name.toLowerCase();
    };

    it('lists keys in UTF-8 byte order and finds prefixes across multi-byte characters', async () => {
      const store = await newStore();
      const keys = [
        'a',
        'a~',
        'a\u00e9',
        'a\u00e9z',
        'a\u00ea',
        'a\u{1F600}',
        'a\u{10FFFF}',
        'a\u{10FFFF}x',
        'b',
        'B',
      ];
      await data.keyValues.setMany(
        store,
        keys.map((key) => input(key)),
      );
      const all = await data.keyValues.list(store, query({}), { limit: -1 });
      assert.deepEqual(keysOf(all), [...keys].sort(byBytes));
      const accented = await data.keyValues.list(
        store,
        query({ key: { exact: [], prefixes: ['a\u00e9'] } }),
        {
          limit: -1,
        },
      );
      assert.deepEqual(keysOf(accented), ['a\u00e9', 'a\u00e9z']);
      const top = await data.keyValues.list(store, query({ key: { exact: [], prefixes: ['a\u{10FFFF}'] } }), {
        limit: -1,
      });
      assert.deepEqual(keysOf(top), ['a\u{10FFFF}', 'a\u{10FFFF}x']);
      // Paging resumes inside the prefix range, in the same order.
      const prefixed = { key: { exact: [], prefixes: ['a'] } };
      const first = await data.keyValues.list(store, query(prefixed), { limit: 3 });
      const last = first[first.length - 1];
      assert.ok(last);
      const rest = await data.keyValues.list(store, query(prefixed), {
        limit: -1,
        after: { key: last.key, label: last.label },
      });
      assert.deepEqual(
        [...keysOf(first), ...keysOf(rest)],
        keys.filter((k) => k.startsWith('a')).sort(byBytes),
      );
      assert.deepEqual(
        await data.keyValues.keys(store, { exact: [], prefixes: ['a\u00e9'] }, { limit: 10 }),
        ['a\u00e9', 'a\u00e9z'],
      );
    });

    it('keeps values and tags holding U+0000 and U+FFFF exactly, and filters tags by them', async () => {
      const store = await newStore();
      const odd = input('odd', {
        value: 'x\u0000y\uffffz',
        contentType: 'text/\u0000',
        description: '\uffff0',
        tags: { 'n\u0000': 'v\u0000', mark: '\uffff0', none: null },
      });
      await data.keyValues.set(store, odd);
      await data.keyValues.set(store, input('plain', { tags: { mark: '\u0000', none: 'x' } }));
      const read = await otherData.keyValues.get(store, 'odd', null);
      assert.ok(read);
      assert.deepEqual(
        { value: read.value, contentType: read.contentType, description: read.description, tags: read.tags },
        { value: odd.value, contentType: odd.contentType, description: odd.description, tags: odd.tags },
      );
      const withTags = async (tags: KeyValueQuery['tags']) =>
        keysOf(await data.keyValues.list(store, query({ tags }), { limit: -1 }));
      assert.deepEqual(await withTags([{ name: 'n\u0000', value: 'v\u0000' }]), ['odd']);
      assert.deepEqual(await withTags([{ name: 'mark', value: '\uffff0' }]), ['odd']);
      assert.deepEqual(await withTags([{ name: 'mark', value: '\u0000' }]), ['plain']);
      assert.deepEqual(await withTags([{ name: 'none', value: null }]), ['odd']);
      assert.deepEqual(await withTags([{ name: 'none', value: 'x' }]), ['plain']);
      assert.deepEqual(await withTags([{ name: 'missing', value: null }]), []);
      // Revisions keep the same text.
      const revisions = await data.revisions.list(store, query({ key: { exact: ['odd'], prefixes: [] } }), {
        limit: 10,
      });
      assert.deepEqual(revisions[0]?.tags, odd.tags);
    });

    it('finds nothing for a key, label or cursor holding U+0000, as no stored name can', async () => {
      const store = await newStore();
      await data.keyValues.setMany(
        store,
        ['a', 'a!', 'ab', 'b'].map((key) => input(key)),
      );
      assert.equal(await data.keyValues.get(store, 'a\u0000', null), undefined);
      assert.equal(await data.keyValues.get(store, 'a', 'x\u0000'), undefined);
      assert.equal(await data.keyValues.delete(store, 'a\u0000b', null), undefined);
      const none = await data.keyValues.list(
        store,
        query({ key: { exact: ['a\u0000'], prefixes: ['a\u0000'] }, label: { exact: [null], prefixes: [] } }),
        { limit: -1 },
      );
      assert.deepEqual(none, []);
      // A cursor after 'a\0…' starts after every key up to 'a' and before 'a!'.
      const page = await data.keyValues.list(store, query({}), {
        limit: -1,
        after: { key: 'a\u0000zz', label: null },
      });
      assert.deepEqual(keysOf(page), ['a!', 'ab', 'b']);
    });

    it('refuses all but one of concurrent writes under one If-Match, across two handles', async () => {
      const store = await newStore();
      let current = await data.keyValues.set(store, input('race', { value: 'v0' }));
      for (let round = 1; round <= 4; round++) {
        const expected = current.etag;
        const ifMatch = (existing: KeyValue | undefined) => {
          if (existing?.etag !== expected) throw appConfigErrors.preconditionFailed();
        };
        const attempts = [data, otherData, data, otherData].map((d, i) =>
          d.keyValues.set(store, input('race', { value: `v${round}.${i}` }), ifMatch),
        );
        const settled = await Promise.allSettled(attempts);
        const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
        assert.equal(won.length, 1, `round ${round}: ${won.length} writes won`);
        for (const s of settled) {
          if (s.status === 'rejected') assert.equal((s.reason as { status?: number }).status, 412);
        }
        const winner = won[0];
        assert.ok(winner);
        current = winner;
        assert.equal((await otherData.keyValues.get(store, 'race', null))?.etag, winner.etag);
      }
    });

    it('commits a store’s revisions in the order of their numbers: a latest number read never skips one', async () => {
      const store = await newStore();
      const observations: Array<{ latest: number; count: number }> = [];
      let writing = true;
      const observe = async () => {
        while (writing) {
          // One statement, one snapshot: the latest number and how many revisions are at or below it.
          const { rows } = await sql<{ latest: number | null; count: number }>`
            SELECT max(seq) AS latest, count(*) AS count FROM appconfig_revisions WHERE store_name = ${store}`.execute(
            tessera.db,
          );
          const row = rows[0];
          if (row?.latest != null)
            observations.push({ latest: Number(row.latest), count: Number(row.count) });
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const watcher = observe();
      // Long transactions on one handle (an import of 20) beside short ones on the other: without the
      // store's lock, a short one would take a later number and commit while the long one is in flight.
      for (let round = 0; round < 6; round++) {
        const imported = data.keyValues.setMany(
          store,
          Array.from({ length: 20 }, (_, i) => input(`import:${i}`, { value: `r${round}` })),
        );
        const singles = Array.from({ length: 10 }, (_, i) =>
          otherData.keyValues.set(store, input(`single:${i}`, { value: `r${round}` })),
        );
        await Promise.all([imported, ...singles]);
      }
      writing = false;
      await watcher;
      const all = await data.revisions.list(store, query({}), { limit: -1 });
      const seqs = all.map((r) => r.seq).sort((a, b) => a - b);
      assert.equal(seqs.length, 6 * 30);
      assert.ok(observations.length > 0);
      for (const { latest, count } of observations) {
        // Every revision numbered at or below what was seen as the latest was already visible then.
        assert.equal(seqs.filter((s) => s <= latest).length, count, `after ${latest}`);
      }
      // The Sync-Token's counter on both handles ends at the latest revision.
      const last = seqs[seqs.length - 1];
      assert.equal(await otherData.keyValues.sequences.current(store, 'final'), last);
      assert.equal(await data.keyValues.sequences.current(store, 'final'), last);
    });
  });
