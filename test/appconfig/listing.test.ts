import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { collect, forEachAuthMode } from './support.js';

forEachAuthMode('listing with key, label and tag filters across pages', (fixture) => {
  before(async () => {
    const { client } = fixture();
    // 150 'app:' keys in two labels and two tag groups, plus others: more than a page (100).
    for (let i = 0; i < 150; i++) {
      const key = `app:setting:${String(i).padStart(3, '0')}`;
      await client.setConfigurationSetting({
        key,
        label: i % 2 === 0 ? 'prod' : 'test',
        value: `${i}`,
        tags: { group: i % 3 === 0 ? 'three' : 'other', index: String(i) },
      });
    }
    await client.setConfigurationSetting({ key: 'app:setting:000', value: 'unlabelled' });
    await client.setConfigurationSetting({ key: 'other:a', value: 'a' });
    await client.setConfigurationSetting({ key: 'other:b', label: 'prod', value: 'b' });
    await client.setConfigurationSetting({ key: 'lit*eral', value: 'star' });
  });

  it('lists everything across several pages, in key then label order', async () => {
    const { client } = fixture();
    const pages = await collect(client.listConfigurationSettings().byPage());
    assert.equal(pages.length, 2);
    assert.equal(pages[0]?.items.length, 100);
    const all = pages.flatMap((p) => p.items);
    assert.equal(all.length, 154);
    const order = all.map((s) => `${s.key}|${s.label ?? ''}`);
    assert.deepEqual(order, [...order].sort());
    assert.equal(all[0]?.key, 'app:setting:000');
    assert.equal(all[0]?.label, undefined, 'the null label sorts first');
  });

  it('filters by key prefix, key list and exact key', async () => {
    const { client } = fixture();
    const prefixed = await collect(client.listConfigurationSettings({ keyFilter: 'app:*' }));
    assert.equal(prefixed.length, 151);
    const listed = await collect(client.listConfigurationSettings({ keyFilter: 'other:a,other:b' }));
    assert.deepEqual(
      listed.map((s) => s.key),
      ['other:a', 'other:b'],
    );
    const escaped = await collect(client.listConfigurationSettings({ keyFilter: 'lit\\*eral' }));
    assert.deepEqual(
      escaped.map((s) => s.value),
      ['star'],
    );
  });

  it('filters by label: exact, null label (\\0), lists and prefixes', async () => {
    const { client } = fixture();
    const prod = await collect(client.listConfigurationSettings({ keyFilter: 'app:*', labelFilter: 'prod' }));
    assert.equal(prod.length, 75);
    assert.ok(prod.every((s) => s.label === 'prod'));
    const unlabelled = await collect(client.listConfigurationSettings({ labelFilter: '\0' }));
    assert.deepEqual(unlabelled.map((s) => s.key).sort(), ['app:setting:000', 'lit*eral', 'other:a']);
    const both = await collect(
      client.listConfigurationSettings({ keyFilter: 'other:*', labelFilter: '\0,prod' }),
    );
    assert.equal(both.length, 2);
    const prefixed = await collect(client.listConfigurationSettings({ labelFilter: 'te*' }));
    assert.equal(prefixed.length, 75);
  });

  it('filters by tags: all tag filters must match', async () => {
    const { client } = fixture();
    const three = await collect(client.listConfigurationSettings({ tagsFilter: ['group=three'] }));
    assert.equal(three.length, 50);
    const one = await collect(client.listConfigurationSettings({ tagsFilter: ['group=three', 'index=42'] }));
    assert.deepEqual(
      one.map((s) => s.key),
      ['app:setting:042'],
    );
    const none = await collect(client.listConfigurationSettings({ tagsFilter: ['group=three', 'index=41'] }));
    assert.equal(none.length, 0);
  });

  it('selects fields', async () => {
    const { client } = fixture();
    const [first] = await collect(
      client.listConfigurationSettings({ keyFilter: 'other:a', fields: ['key', 'value'] }),
    );
    assert.equal(first?.key, 'other:a');
    assert.equal(first?.value, 'a');
    assert.equal(first?.etag, undefined);
    assert.equal(first?.lastModified, undefined);
  });

  it('lists labels and keys', async () => {
    const { client } = fixture();
    const labels = await collect(client.listLabels());
    assert.deepEqual(
      labels.map((l) => l.name),
      [null, 'prod', 'test'],
    );
    const prefixed = await collect(client.listLabels({ nameFilter: 'p*' }));
    assert.deepEqual(
      prefixed.map((l) => l.name),
      ['prod'],
    );
  });
});
