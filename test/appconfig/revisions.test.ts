import assert from 'node:assert/strict';
import { it } from 'node:test';
import { collect, forEachAuthMode } from './support.js';

forEachAuthMode('revisions', (fixture) => {
  it('keeps every change, newest first, and filters them like key-values', async () => {
    const { client } = fixture();
    for (const value of ['1', '2', '3']) await client.setConfigurationSetting({ key: 'rev:a', value });
    await client.setConfigurationSetting({ key: 'rev:a', label: 'prod', value: 'p' });
    await client.setReadOnly({ key: 'rev:a', label: 'prod' }, true);
    await client.setConfigurationSetting({ key: 'rev:b', value: 'b', tags: { kind: 'b' } });
    await client.deleteConfigurationSetting({ key: 'rev:b' });

    const revisions = await collect(client.listRevisions({ keyFilter: 'rev:a', labelFilter: '\0' }));
    assert.deepEqual(
      revisions.map((r) => r.value),
      ['3', '2', '1'],
    );
    assert.equal(new Set(revisions.map((r) => r.etag)).size, 3, 'each revision has its own etag');

    const prod = await collect(client.listRevisions({ keyFilter: 'rev:a', labelFilter: 'prod' }));
    assert.deepEqual(
      prod.map((r) => r.isReadOnly),
      [true, false],
      'locking is a change too',
    );

    const tagged = await collect(client.listRevisions({ keyFilter: 'rev:*', tagsFilter: ['kind=b'] }));
    assert.deepEqual(
      tagged.map((r) => r.value),
      ['b'],
      'a deleted key-value keeps its past revisions',
    );
  });

  it('pages through more than a hundred revisions', async () => {
    const { client } = fixture();
    for (let i = 0; i < 130; i++) await client.setConfigurationSetting({ key: 'rev:many', value: `${i}` });
    const pages = await collect(client.listRevisions({ keyFilter: 'rev:many' }).byPage());
    assert.equal(pages.length, 2);
    const values = pages.flatMap((p) => p.items.map((r) => Number(r.value)));
    assert.equal(values.length, 130);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
    );
  });
});
