import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  API_VERSION,
  DATA_OWNER,
  DATA_READER,
  createStore,
  principalOnStore,
  rawRequest,
  sdkToken,
} from './support.js';
import type { StoreFixture } from './support.js';

describe('data-plane RBAC', () => {
  let t: TestServer;
  let store: StoreFixture;
  let owner: AppConfigurationClient;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'rbac-store');
    owner = new AppConfigurationClient(
      store.endpoint,
      (await principalOnStore(store, DATA_OWNER, 'owner')).credential,
    );
    await owner.setConfigurationSetting({ key: 'shared', value: 'v' });
    await owner.beginCreateSnapshotAndWait(
      { name: 'snap', filters: [{ keyFilter: '*' }] },
      { updateIntervalInMs: 10 },
    );
  });
  after(async () => t.stop());

  it('App Configuration Data Reader reads and is refused writes (403)', async () => {
    const reader = await principalOnStore(store, DATA_READER, 'reader');
    const client = new AppConfigurationClient(store.endpoint, reader.credential);
    assert.equal((await client.getConfigurationSetting({ key: 'shared' })).value, 'v');
    assert.equal((await client.getSnapshot('snap')).name, 'snap');
    await assert.rejects(client.setConfigurationSetting({ key: 'shared', value: 'w' }), { statusCode: 403 });
    await assert.rejects(client.deleteConfigurationSetting({ key: 'shared' }), { statusCode: 403 });
    await assert.rejects(client.setReadOnly({ key: 'shared' }, true), { statusCode: 403 });
    await assert.rejects(
      client.beginCreateSnapshotAndWait(
        { name: 'mine', filters: [{ keyFilter: '*' }] },
        { updateIntervalInMs: 10 },
      ),
      { statusCode: 403 },
    );
    await assert.rejects(client.archiveSnapshot('snap'), { statusCode: 403 });

    const raw = await rawRequest(t, {
      method: 'PUT',
      path: `/appconfig/${store.name}/kv/shared?api-version=${API_VERSION}`,
      headers: {
        authorization: `Bearer ${await sdkToken(reader.credential)}`,
        'content-type': 'application/json',
      },
      body: '{"value":"w"}',
    });
    assert.equal(raw.status, 403);
    assert.equal(raw.text, '', 'the service answers 403 with no body');
  });

  it('control-plane roles (Owner, Contributor) grant no data access', async () => {
    for (const role of ['Owner', 'Contributor']) {
      const principal = await principalOnStore(store, role, `control-${role}`);
      const client = new AppConfigurationClient(store.endpoint, principal.credential);
      await assert.rejects(client.getConfigurationSetting({ key: 'shared' }), { statusCode: 403 });
    }
  });

  it('a principal without any role is refused', async () => {
    const nobody = await principalOnStore(store, undefined, 'nobody');
    const client = new AppConfigurationClient(store.endpoint, nobody.credential);
    await assert.rejects(client.getConfigurationSetting({ key: 'shared' }), { statusCode: 403 });
  });

  it('a role on a parent scope (the resource group) applies to the store', async () => {
    const principal = await principalOnStore(store, undefined, 'group-reader');
    const groupScope = store.id.split('/providers/')[0] ?? '';
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: groupScope,
      roleDefinition: DATA_READER,
      principalId: principal.servicePrincipal.objectId,
    });
    const client = new AppConfigurationClient(store.endpoint, principal.credential);
    assert.equal((await client.getConfigurationSetting({ key: 'shared' })).value, 'v');
  });

  it('a role assignment removed refuses the next request (no decision outlives it)', async () => {
    const principal = await principalOnStore(store, undefined, 'revoked-reader');
    const assignment = await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: store.id,
      roleDefinition: DATA_READER,
      principalId: principal.servicePrincipal.objectId,
    });
    const client = new AppConfigurationClient(store.endpoint, principal.credential);
    assert.equal((await client.getConfigurationSetting({ key: 'shared' })).value, 'v');
    await t.server.tessera.roleAssignments.delete(assignment.name);
    await assert.rejects(client.getConfigurationSetting({ key: 'shared' }), { statusCode: 403 });
  });
});
