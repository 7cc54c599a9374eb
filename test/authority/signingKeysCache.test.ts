import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SigningKeys } from '../../src/authority/tokens/signingKeys.js';
import type { KeySealing } from '../../src/store/keyEncryption.js';
import { Tessera } from '../../src/tessera.js';
import { storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

/** The process's sealing, counting how often a stored key is opened (one per key built). */
class CountingSealing implements KeySealing {
  opened = 0;
  constructor(private readonly inner: KeySealing) {}
  seal(plaintext: string, purpose: string): string {
    return this.inner.seal(plaintext, purpose);
  }
  open(stored: string, purpose: string): string {
    this.opened += 1;
    return this.inner.open(stored, purpose);
  }
}

for (const { engine, skip } of storeEngines()) {
  describe(`the signing key cache (${engine})`, { skip }, () => {
    let location: TestStoreLocation;
    let tessera: Tessera;
    before(async () => {
      location = await testStoreLocation(engine);
      tessera = await Tessera.open({ ...location, poolSize: 4 });
      await tessera.keys.current();
    });
    after(async () => {
      await tessera?.close();
      await location?.dispose();
    });

    it('loads the key once for requests that arrive together, and follows a rotation', async () => {
      const sealing = new CountingSealing(tessera.sealing);
      const keys = new SigningKeys(tessera.db, sealing);
      const together = await Promise.all(Array.from({ length: 16 }, () => keys.current()));
      assert.equal(sealing.opened, 1, 'one read, one key built, for sixteen requests');
      assert.equal(new Set(together.map((key) => key.kid)).size, 1);
      assert.equal(together[0]?.kid, (await tessera.keys.current()).kid);

      const { kid } = await keys.rotate();
      const after = await Promise.all(Array.from({ length: 4 }, () => keys.current()));
      assert.deepEqual(
        after.map((key) => key.kid),
        [kid, kid, kid, kid],
      );
      assert.equal(sealing.opened, 2);
    });
  });
}
