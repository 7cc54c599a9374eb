import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachAuthMode } from './support.js';

interface ProblemError {
  statusCode?: number;
  details?: { type?: string; title?: string; name?: string; detail?: string; status?: number };
}

forEachAuthMode('read-only locks', (fixture) => {
  it('a locked key-value refuses writes and deletes with 409 key-locked until unlocked', async () => {
    const { client } = fixture();
    const set = await client.setConfigurationSetting({ key: 'locked:key', label: 'prod', value: 'v1' });
    const locked = await client.setReadOnly({ key: 'locked:key', label: 'prod' }, true);
    assert.equal(locked.isReadOnly, true);
    assert.notEqual(locked.etag, set.etag, 'locking changes the etag');
    assert.equal(
      (await client.getConfigurationSetting({ key: 'locked:key', label: 'prod' })).isReadOnly,
      true,
    );

    const isKeyLocked = (error: ProblemError) => {
      assert.equal(error.statusCode, 409);
      assert.deepEqual(error.details, {
        type: 'https://azconfig.io/errors/key-locked',
        title: "Modifing key 'locked:key' is not allowed",
        name: 'locked:key',
        detail: 'The key is read-only. To allow modification unlock it first.',
        status: 409,
      });
      return true;
    };
    await assert.rejects(
      client.setConfigurationSetting({ key: 'locked:key', label: 'prod', value: 'v2' }),
      isKeyLocked,
    );
    await assert.rejects(
      client.deleteConfigurationSetting({ key: 'locked:key', label: 'prod' }),
      isKeyLocked,
    );
    assert.equal((await client.getConfigurationSetting({ key: 'locked:key', label: 'prod' })).value, 'v1');

    const unlocked = await client.setReadOnly({ key: 'locked:key', label: 'prod' }, false);
    assert.equal(unlocked.isReadOnly, false);
    const changed = await client.setConfigurationSetting({ key: 'locked:key', label: 'prod', value: 'v2' });
    assert.equal(changed.value, 'v2');
  });

  it('locking a key-value that does not exist is a 404', async () => {
    const { client } = fixture();
    await assert.rejects(client.setReadOnly({ key: 'missing' }, true), { statusCode: 404 });
  });
});
