import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KEK_ENV, KEK_FILE, KeyEncryption } from '../../src/store/keyEncryption.js';
import { Tessera } from '../../src/tessera.js';

const storedKeys = async (tessera: Tessera) =>
  tessera.db.selectFrom('signing_keys').select(['kid', 'private_key_pem']).execute();

describe('signing keys sealed at rest under a key-encryption key', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-kek-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('seals new keys with the data folder key, made 0600 on first use', async () => {
    const dataDir = join(dir, 'one');
    const tessera = await Tessera.open({ dataDir });
    try {
      const { kid } = await tessera.keys.current();
      const [row] = await storedKeys(tessera);
      assert.equal(row?.kid, kid);
      assert.ok(KeyEncryption.isSealed(row?.private_key_pem ?? ''), 'sealed');
      assert.doesNotMatch(row?.private_key_pem ?? '', /PRIVATE KEY/);
      assert.equal(statSync(join(dataDir, KEK_FILE)).mode & 0o777, 0o600);
    } finally {
      await tessera.close();
    }
  });

  it('a database copied without its key-encryption key mints nothing', async () => {
    const copy = join(dir, 'copy');
    const stolen = await Tessera.open({ dataDir: copy });
    await stolen.close();
    // Only the database travels: the copy's own folder has a different key.
    for (const file of ['tessera.db']) copyFileSync(join(dir, 'one', file), join(copy, file));
    rmSync(join(copy, 'tessera.db-wal'), { force: true });
    rmSync(join(copy, 'tessera.db-shm'), { force: true });
    const reopened = await Tessera.open({ dataDir: copy });
    try {
      await assert.rejects(reopened.keys.current(), /cannot be opened: the key-encryption key/);
    } finally {
      await reopened.close();
    }
  });

  it('takes the key from TESSERA_KEK when set, and seals keys an older release stored in clear', async () => {
    const dataDir = join(dir, 'env');
    const kek = randomBytes(32).toString('base64');
    const sealing = KeyEncryption.forDataFolder(dataDir, { [KEK_ENV]: kek });
    const sealed = sealing.seal('secret', 'purpose');
    assert.equal(sealing.open(sealed, 'purpose'), 'secret');
    // Bound to its purpose: a value moved to another row does not open.
    assert.throws(() => sealing.open(sealed, 'another'), /cannot be opened/);

    const tessera = await Tessera.open({ dataDir: join(dir, 'legacy') });
    try {
      const { kid } = await tessera.keys.current();
      // As a release before sealing wrote it.
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string;
      await tessera.db
        .updateTable('signing_keys')
        .set({ private_key_pem: pem })
        .where('kid', '=', kid)
        .execute();
      assert.equal(await tessera.keys.sealStoredKeys(KeyEncryption.isSealed), 1);
      const [row] = await storedKeys(tessera);
      assert.ok(KeyEncryption.isSealed(row?.private_key_pem ?? ''));
      assert.equal(await tessera.keys.sealStoredKeys(KeyEncryption.isSealed), 0);
    } finally {
      await tessera.close();
    }
  });

  it('seals App Configuration access keys, which listKeys still shows in clear', async () => {
    const tessera = await Tessera.open({ dataDir: join(dir, 'appconfig') });
    try {
      const start = await tessera.bootstrap();
      assert.ok(start);
      await tessera.configurationStores.createOrUpdate({
        subscriptionId: start.subscription.subscriptionId,
        resourceGroup: start.resourceGroup.name,
        name: 'sealed-store',
        location: 'westus',
        sku: 'standard',
      });
      const rows = await tessera.db.selectFrom('configuration_store_keys').select(['id', 'secret']).execute();
      assert.equal(rows.length, 4);
      for (const row of rows) assert.ok(KeyEncryption.isSealed(row.secret), 'sealed at rest');
      const keys = await tessera.configurationStores.keys.list('sealed-store');
      for (const key of keys) assert.equal(Buffer.from(key.value, 'base64').length, 32);
      const found = await tessera.configurationStores.keys.findById(keys[0]?.id ?? '');
      assert.equal(found?.key.value, keys[0]?.value);

      // As an older release stored it: in clear. Sealed at the next open, and still the same key.
      const clear = keys[1];
      assert.ok(clear);
      await tessera.db
        .updateTable('configuration_store_keys')
        .set({ secret: clear.value })
        .where('id', '=', clear.id)
        .execute();
      assert.equal(await tessera.configurationStores.keys.sealStoredSecrets(KeyEncryption.isSealed), 1);
      const again = await tessera.configurationStores.keys.findById(clear.id);
      assert.equal(again?.key.value, clear.value);
      // A sealed secret moved to another key's row does not open there.
      const [first, second] = await tessera.db
        .selectFrom('configuration_store_keys')
        .select(['id', 'secret'])
        .orderBy('slot')
        .execute();
      await tessera.db
        .updateTable('configuration_store_keys')
        .set({ secret: first?.secret ?? '' })
        .where('id', '=', second?.id ?? '')
        .execute();
      await assert.rejects(tessera.configurationStores.keys.findById(second?.id ?? ''), /cannot be opened/);
    } finally {
      await tessera.close();
    }
  });
});
