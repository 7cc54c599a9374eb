import assert from 'node:assert/strict';
import { it } from 'node:test';
import { collect, forEachAuthMode } from './support.js';

forEachAuthMode('ETag-conditional requests', (fixture) => {
  it('get only if changed: 304 while the etag matches, 200 once it changed', async () => {
    const { client } = fixture();
    const setting = await client.setConfigurationSetting({ key: 'cond:get', value: 'one' });
    const unchanged = await client.getConfigurationSetting(setting, { onlyIfChanged: true });
    assert.equal(unchanged.statusCode, 304);
    assert.equal(unchanged.value, undefined);
    await client.setConfigurationSetting({ key: 'cond:get', value: 'two' });
    const changed = await client.getConfigurationSetting(setting, { onlyIfChanged: true });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.value, 'two');
  });

  it('set only if unchanged: 412 when someone else wrote first', async () => {
    const { client } = fixture();
    const mine = await client.setConfigurationSetting({ key: 'cond:set', value: 'base' });
    await client.setConfigurationSetting({ key: 'cond:set', value: 'theirs' });
    await assert.rejects(
      client.setConfigurationSetting({ ...mine, value: 'mine' }, { onlyIfUnchanged: true }),
      { statusCode: 412 },
    );
    const current = await client.getConfigurationSetting({ key: 'cond:set' });
    assert.equal(current.value, 'theirs');
    const updated = await client.setConfigurationSetting(
      { ...current, value: 'mine' },
      { onlyIfUnchanged: true },
    );
    assert.equal(updated.value, 'mine');
  });

  it('delete only if unchanged', async () => {
    const { client } = fixture();
    const stale = await client.setConfigurationSetting({ key: 'cond:delete', value: '1' });
    const fresh = await client.setConfigurationSetting({ key: 'cond:delete', value: '2' });
    await assert.rejects(client.deleteConfigurationSetting(stale, { onlyIfUnchanged: true }), {
      statusCode: 412,
    });
    const deleted = await client.deleteConfigurationSetting(fresh, { onlyIfUnchanged: true });
    assert.equal(deleted.statusCode, 200);
  });

  it('list pages answer 304 while unchanged (page etags)', async () => {
    const { client } = fixture();
    for (let i = 0; i < 3; i++)
      await client.setConfigurationSetting({ key: `cond:page:${i}`, value: `${i}` });
    const [first] = await collect(client.listConfigurationSettings({ keyFilter: 'cond:page:*' }).byPage());
    assert.ok(first?.etag);
    const [again] = await collect(
      client.listConfigurationSettings({ keyFilter: 'cond:page:*', pageEtags: [first.etag] }).byPage(),
    );
    assert.equal(Number(again?._response.status), 304);
    assert.deepEqual(again?.items, []);
    await client.setConfigurationSetting({ key: 'cond:page:1', value: 'changed' });
    const [changed] = await collect(
      client.listConfigurationSettings({ keyFilter: 'cond:page:*', pageEtags: [first.etag] }).byPage(),
    );
    assert.equal(Number(changed?._response.status), 200);
    assert.equal(changed?.items.length, 3);
  });
});
