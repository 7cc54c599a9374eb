import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tessera } from '../../src/tessera.js';

/** Azure App Configuration's first-party application. */
const APP_CONFIGURATION_APP_ID = '35ffadb3-7fc1-497e-b61b-381d28e744cc';

describe('first-party applications across releases', () => {
  it('take the current definition when a data folder made by an older release opens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-first-party-'));
    try {
      const first = await Tessera.open({ dataDir });
      const tenant = (await first.bootstrap())?.tenant;
      assert.ok(tenant);
      const wildcard = 'https://*.azconfig.io';
      assert.ok(await first.directory.servicePrincipals.resolveResource(tenant.id, wildcard));
      // What an older release left: App Configuration without its wildcard URIs, an older name.
      const app = await first.directory.applications.findByAppId(APP_CONFIGURATION_APP_ID);
      assert.ok(app);
      await first.db
        .updateTable('applications')
        .set({ identifier_uris: JSON.stringify(['https://azconfig.io']), display_name: 'Old name' })
        .where('object_id', '=', app.objectId)
        .execute();
      await first.db
        .deleteFrom('service_principal_names')
        .where('name_lower', 'like', 'https://*.azconfig%')
        .execute();
      await first.close();

      const old = await Tessera.open({ dataDir });
      const upgraded = await old.directory.applications.findByAppId(APP_CONFIGURATION_APP_ID);
      assert.deepEqual(upgraded?.identifierUris, app.identifierUris);
      assert.equal(upgraded?.displayName, app.displayName);
      const resolved = await old.directory.servicePrincipals.resolveResource(tenant.id, wildcard);
      assert.equal(resolved?.servicePrincipal.appId, APP_CONFIGURATION_APP_ID);
      const principal = await old.directory.servicePrincipals.findByAppId(
        tenant.id,
        APP_CONFIGURATION_APP_ID,
      );
      assert.ok(principal);
      assert.deepEqual(
        (await old.directory.servicePrincipals.names(principal.objectId)).sort(),
        [APP_CONFIGURATION_APP_ID, ...app.identifierUris].sort(),
      );
      await old.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
