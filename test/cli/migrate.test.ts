import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigurationData } from '../../src/appconfig/configurationData.js';
import { Tessera } from '../../src/tessera.js';
import { createTestDatabase, postgresSkip } from '../support/database.js';
import type { TestDatabase } from '../support/database.js';
import { testDataDir } from '../support/server.js';
import { rmSync } from 'node:fs';
import { runCli } from './support.js';

const READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';

const ODD_KEY_VALUE = {
  key: 'odd',
  label: null,
  value: 'a\u0000b\uFFFFc',
  contentType: null,
  description: 'd\u0000',
  tags: { 't\u0000': 'v\uFFFF' },
};

describe('tessera migrate: input it refuses', () => {
  it('needs both options, an existing store and a PostgreSQL URL', async () => {
    const missing = await runCli(['migrate', '--to', 'postgres://x@127.0.0.1:1/db']);
    assert.equal(missing.code, 2);
    const dataDir = testDataDir();
    try {
      const noStore = await runCli(['migrate', '--from', dataDir, '--to', 'postgres://x@127.0.0.1:1/db']);
      assert.equal(noStore.code, 2);
      assert.match(noStore.stderr, /tessera\.db does not exist/);
      const tessera = await Tessera.open({ dataDir });
      await tessera.close();
      const notPostgres = await runCli(['migrate', '--from', dataDir, '--to', 'mysql://root:secret@host/db']);
      assert.equal(notPostgres.code, 2);
      assert.match(notPostgres.stderr, /--to must be a postgres:\/\/ URL/);
      assert.doesNotMatch(notPostgres.stderr, /secret/, 'the password is never printed');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('tessera migrate: a data folder into PostgreSQL', { skip: postgresSkip() }, () => {
  let dataDir: string;
  let database: TestDatabase;
  let source: {
    tenantIds: string[];
    kid: string;
    principal: string;
    scope: string;
    appId: string;
    secret: string;
  };

  before(async () => {
    dataDir = testDataDir();
    database = await createTestDatabase();
    const tessera = await Tessera.open({ dataDir });
    try {
      const bootstrap = await tessera.bootstrap();
      assert.ok(bootstrap);
      const { application, servicePrincipal } = await tessera.directory.registerApplication(
        bootstrap.tenant,
        {
          displayName: 'migrated app',
        },
      );
      const { secretText } = await tessera.directory.credentials.addPassword(application);
      const scope = `/subscriptions/${bootstrap.subscription.subscriptionId}/resourceGroups/${bootstrap.resourceGroup.name}`;
      await tessera.roleAssignments.create({
        tenantId: bootstrap.tenant.id,
        scope,
        roleDefinition: 'Reader',
        principalId: servicePrincipal.objectId,
      });
      await tessera.configurationStores.createOrUpdate({
        subscriptionId: bootstrap.subscription.subscriptionId,
        resourceGroup: bootstrap.resourceGroup.name,
        name: 'migrated-store',
        location: 'westus',
        sku: 'standard',
      });
      // Text SQLite holds as sent and PostgreSQL only in the data plane's form (U+0000, U+FFFF).
      await new ConfigurationData(tessera.db).keyValues.set('migrated-store', ODD_KEY_VALUE);
      source = {
        tenantIds: (await tessera.directory.tenants.list()).map((t) => t.id).sort(),
        kid: (await tessera.keys.current()).kid,
        principal: servicePrincipal.objectId,
        scope,
        appId: application.appId,
        secret: secretText,
      };
    } finally {
      await tessera.close();
    }
  });
  after(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies every table, verifies the counts, and the copy serves as the original did', async () => {
    const result = await runCli(['migrate', '--from', dataDir, '--to', database.url]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      verified: boolean;
      rows: number;
      tables: Record<string, { source: number; target: number }>;
    };
    assert.equal(report.verified, true);
    assert.ok(report.rows > 10);
    assert.ok((report.tables.tenants?.target ?? 0) >= source.tenantIds.length);
    assert.equal(report.tables.role_assignments?.target, 2, 'the administrator’s Owner and the Reader');
    assert.match(result.stderr, /key-encryption key/);

    const copy = await Tessera.open({ dataDir, databaseUrl: database.url });
    try {
      assert.deepEqual((await copy.directory.tenants.list()).map((t) => t.id).sort(), source.tenantIds);
      assert.equal(
        (await copy.keys.current()).kid,
        source.kid,
        'the sealed signing key opens with the same KEK',
      );
      const index = await copy.access.current();
      assert.equal(index.evaluate(source.principal, READ, source.scope, 'action').allowed, true);
      assert.ok(await copy.configurationStores.findByName('migrated-store'));
      const data = new ConfigurationData(copy.db);
      const odd = await data.keyValues.get('migrated-store', ODD_KEY_VALUE.key, null);
      assert.deepEqual(odd && { value: odd.value, description: odd.description, tags: odd.tags }, {
        value: ODD_KEY_VALUE.value,
        description: ODD_KEY_VALUE.description,
        tags: ODD_KEY_VALUE.tags,
      });
      // Found by its tag: the copy stored the tags in the form the engine's tag filter compares.
      const revisions = await data.revisions.list(
        'migrated-store',
        { key: { exact: [ODD_KEY_VALUE.key], prefixes: [] }, tags: [{ name: 't\u0000', value: 'v\uFFFF' }] },
        { limit: 10 },
      );
      assert.equal(revisions[0]?.value, ODD_KEY_VALUE.value);
      // New rows continue after the copied ones: a new assignment and a new store are accepted.
      const group = await copy.directory.groups.create(source.tenantIds[0] ?? '', {
        displayName: 'after',
        mailNickname: 'after',
      });
      await copy.roleAssignments.create({
        tenantId: (await copy.defaultTenant()).id,
        scope: source.scope,
        roleDefinition: 'Reader',
        principalId: group.objectId,
      });
    } finally {
      await copy.close();
    }
  });

  it('refuses a database that already holds a directory', async () => {
    const again = await runCli(['migrate', '--from', dataDir, '--to', database.url]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a directory/);
  });
});
