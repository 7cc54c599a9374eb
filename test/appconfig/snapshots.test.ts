import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { collect, forEachAuthMode } from './support.js';

forEachAuthMode('snapshots', (fixture) => {
  before(async () => {
    const { client } = fixture();
    await client.setConfigurationSetting({ key: 'snap:color', value: 'red' });
    await client.setConfigurationSetting({ key: 'snap:color', label: 'prod', value: 'crimson' });
    await client.setConfigurationSetting({ key: 'snap:size', value: 'large', tags: { tier: 'gold' } });
    await client.setConfigurationSetting({ key: 'snap:size', label: 'prod', value: 'huge' });
    await client.setConfigurationSetting({ key: 'other', value: 'not in the snapshot' });
  });

  it('creates a snapshot as a long-running operation and reads its content', async () => {
    const { client } = fixture();
    const created = await client.beginCreateSnapshotAndWait(
      {
        name: 'release-1',
        filters: [{ keyFilter: 'snap:*' }, { keyFilter: 'snap:*', labelFilter: 'prod' }],
        retentionPeriodInSeconds: 3600,
        tags: { release: '1' },
      },
      { updateIntervalInMs: 10 },
    );
    assert.equal(created.name, 'release-1');
    assert.equal(created.status, 'ready');
    assert.equal(created.compositionType, 'key');
    assert.equal(created.itemCount, 2, "composition 'key': the later filter (prod) wins per key");
    assert.equal(created.retentionPeriodInSeconds, 3600);
    assert.deepEqual(created.tags, { release: '1' });
    assert.ok(created.createdOn instanceof Date);

    // Later changes do not reach the snapshot.
    await client.setConfigurationSetting({ key: 'snap:color', label: 'prod', value: 'changed' });
    const items = await collect(client.listConfigurationSettingsForSnapshot('release-1'));
    assert.deepEqual(
      items.map((s) => [s.key, s.label, s.value]),
      [
        ['snap:color', 'prod', 'crimson'],
        ['snap:size', 'prod', 'huge'],
      ],
    );
  });

  it("composition 'key_label' keeps every label", async () => {
    const { client } = fixture();
    const created = await client.beginCreateSnapshotAndWait(
      {
        name: 'all-labels',
        filters: [{ keyFilter: 'snap:*', labelFilter: '*' }],
        compositionType: 'key_label',
      },
      { updateIntervalInMs: 10 },
    );
    assert.equal(created.itemCount, 4);
    const tagged = await client.beginCreateSnapshotAndWait(
      {
        name: 'gold',
        filters: [{ keyFilter: '*', tagsFilter: ['tier=gold'] }],
        compositionType: 'key_label',
      },
      { updateIntervalInMs: 10 },
    );
    assert.equal(tagged.itemCount, 1);
  });

  it('refuses a second snapshot of the same name (409 already-exists)', async () => {
    const { client } = fixture();
    await client.beginCreateSnapshotAndWait(
      { name: 'twice', filters: [{ keyFilter: 'snap:*' }] },
      { updateIntervalInMs: 10 },
    );
    await assert.rejects(
      client.beginCreateSnapshotAndWait(
        { name: 'twice', filters: [{ keyFilter: 'snap:*' }] },
        { updateIntervalInMs: 10 },
      ),
      { statusCode: 409 },
    );
  });

  it('archives and recovers, lists by status, and reads archived content', async () => {
    const { client } = fixture();
    await client.beginCreateSnapshotAndWait(
      { name: 'to-archive', filters: [{ keyFilter: 'snap:*' }], retentionPeriodInSeconds: 7200 },
      { updateIntervalInMs: 10 },
    );
    const archived = await client.archiveSnapshot('to-archive');
    assert.equal(archived.status, 'archived');
    assert.ok(archived.expiresOn instanceof Date);
    const expiresIn = (archived.expiresOn.getTime() - Date.now()) / 1000;
    assert.ok(expiresIn > 7000 && expiresIn <= 7200, `expires in ${expiresIn} s`);

    const archivedNames = (await collect(client.listSnapshots({ statusFilter: ['archived'] }))).map(
      (s) => s.name,
    );
    assert.deepEqual(archivedNames, ['to-archive']);
    const readyNames = (await collect(client.listSnapshots({ statusFilter: ['ready'] }))).map((s) => s.name);
    assert.ok(!readyNames.includes('to-archive'));
    assert.equal((await collect(client.listConfigurationSettingsForSnapshot('to-archive'))).length, 2);

    const recovered = await client.recoverSnapshot('to-archive');
    assert.equal(recovered.status, 'ready');
    assert.equal(recovered.expiresOn, undefined);
    const got = await client.getSnapshot('to-archive');
    assert.equal(got.status, 'ready');
    assert.equal(got.etag, recovered.etag);
  });

  it('lists snapshots by name', async () => {
    const { client } = fixture();
    const all = await collect(client.listSnapshots({ nameFilter: 'release-*' }));
    assert.deepEqual(
      all.map((s) => s.name),
      ['release-1'],
    );
    await assert.rejects(client.getSnapshot('missing'), { statusCode: 404 });
  });
});
