import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../support/server.js';
import { API, arm, expectArmError, principalWithRole, startArmAsOwner } from './support.js';
import type { ArmFixture } from './support.js';

interface StoreJson {
  id: string;
  name: string;
  type: string;
  location: string;
  sku: { name: string };
  tags: Record<string, string>;
  properties: {
    provisioningState: string;
    creationDate: string;
    endpoint: string;
    disableLocalAuth: boolean;
    publicNetworkAccess: string | null;
    softDeleteRetentionInDays: number;
    enablePurgeProtection: boolean;
  };
}

interface KeyJson {
  id: string;
  name: string;
  value: string;
  connectionString: string;
  lastModified: string;
  readOnly: boolean;
}

describe('App Configuration stores (control plane)', () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
  });
  after(async () => t.stop());

  const storeId = (name: string, group = f.resourceGroup.name) =>
    `${f.subscriptionScope}/resourceGroups/${group}/providers/Microsoft.AppConfiguration/configurationStores/${name}`;
  const path = (name: string, suffix = '', group?: string) =>
    `${storeId(name, group)}${suffix}?${API.configurationStores}`;

  it('creates, gets, updates, lists and deletes a store', async () => {
    const created = await arm<StoreJson>(t, 'PUT', path('Orders-Config'), {
      token,
      body: { location: 'West US', sku: { name: 'Standard' }, tags: { team: 'orders' } },
    });
    assert.equal(created.status, 201, created.text);
    const store = created.json;
    assert.equal(store.id, storeId('Orders-Config'));
    assert.equal(store.name, 'Orders-Config');
    assert.equal(store.type, 'Microsoft.AppConfiguration/configurationStores');
    assert.equal(store.location, 'westus');
    assert.deepEqual(store.sku, { name: 'standard' });
    assert.deepEqual(store.tags, { team: 'orders' });
    assert.equal(store.properties.provisioningState, 'Succeeded');
    // The store's own origin: a port of its own, on which the data plane answers (here: no credential).
    const endpoint = store.properties.endpoint;
    assert.match(endpoint, /^https:\/\/localhost:\d+$/);
    assert.notEqual(endpoint, t.origin);
    const anonymous = await fetch(`${endpoint}/kv`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /HMAC-SHA256/);
    assert.equal(store.properties.disableLocalAuth, false);
    assert.equal(store.properties.publicNetworkAccess, null);
    assert.equal(store.properties.softDeleteRetentionInDays, 7);
    assert.equal(store.properties.enablePurgeProtection, false);
    assert.ok(Math.abs(Date.parse(store.properties.creationDate) - Date.now()) < 60_000);

    const got = await arm<StoreJson>(t, 'GET', path('orders-config'), { token });
    assert.deepEqual(got.json, store);

    const updated = await arm<StoreJson>(t, 'PUT', path('Orders-Config'), {
      token,
      body: { location: 'westus', sku: { name: 'standard' }, properties: { disableLocalAuth: true } },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.properties.disableLocalAuth, true);

    await arm(t, 'PUT', path('free-store'), { token, body: { location: 'westus', sku: { name: 'free' } } });
    const inGroup = await arm<{ value: StoreJson[] }>(
      t,
      'GET',
      path('').replace('/configurationStores/?', '/configurationStores?'),
      {
        token,
      },
    );
    assert.deepEqual(
      inGroup.json.value.map((s) => s.name),
      ['free-store', 'Orders-Config'],
    );
    const inSubscription = await arm<{ value: StoreJson[] }>(
      t,
      'GET',
      `${f.subscriptionScope}/providers/Microsoft.AppConfiguration/configurationStores?${API.configurationStores}`,
      { token },
    );
    assert.equal(inSubscription.json.value.length, 2);
    assert.equal(
      inSubscription.json.value[0]?.properties.softDeleteRetentionInDays,
      0,
      'free stores have no soft delete',
    );

    assert.equal((await arm(t, 'DELETE', path('Orders-Config'), { token })).status, 200);
    assert.equal((await arm(t, 'DELETE', path('Orders-Config'), { token })).status, 204);
    expectArmError(
      await arm(t, 'GET', path('Orders-Config'), { token }),
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.AppConfiguration/configurationStores/Orders-Config' under resource group '${f.resourceGroup.name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  });

  it('follows the host name the client used for the endpoint', async () => {
    await arm(t, 'PUT', path('host-store'), { token, body: { location: 'westus', sku: { name: 'free' } } });
    const viaIp = t.origin.replace('localhost', '127.0.0.1');
    const response = await fetch(`${viaIp}${path('host-store')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as StoreJson;
    assert.match(body.properties.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${body.properties.endpoint}/kv`)).status, 401);
  });

  it('lists four keys: two read-write, two read-only, with connection strings', async () => {
    await arm(t, 'PUT', path('keyed-store'), {
      token,
      body: { location: 'westus', sku: { name: 'standard' } },
    });
    const response = await arm<{ value: KeyJson[] }>(t, 'POST', path('keyed-store', '/listKeys'), { token });
    assert.equal(response.status, 200, response.text);
    // Secrets: no cache may keep them, as ARM answers.
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    const keys = response.json.value;
    assert.deepEqual(
      keys.map((k) => [k.name, k.readOnly]),
      [
        ['Primary', false],
        ['Secondary', false],
        ['Primary Read Only', true],
        ['Secondary Read Only', true],
      ],
    );
    const store = await arm<StoreJson>(t, 'GET', path('keyed-store'), { token });
    const endpoint = store.json.properties.endpoint;
    for (const key of keys) {
      assert.match(key.id, /^[A-Za-z0-9]{4}-l0-s0:[A-Za-z0-9]{20}$/);
      assert.equal(Buffer.from(key.value, 'base64').length, 32);
      assert.ok(key.value.length >= 44);
      assert.equal(key.connectionString, `Endpoint=${endpoint};Id=${key.id};Secret=${key.value}`);
      assert.ok(Math.abs(Date.parse(key.lastModified) - Date.now()) < 60_000);
    }
    assert.equal(new Set(keys.map((k) => k.value)).size, 4);
  });

  it('regenerates one key and leaves the others', async () => {
    await arm(t, 'PUT', path('rotating'), { token, body: { location: 'westus', sku: { name: 'standard' } } });
    const before = (await arm<{ value: KeyJson[] }>(t, 'POST', path('rotating', '/listKeys'), { token })).json
      .value;
    const readOnly = before.find((k) => k.name === 'Secondary Read Only');
    assert.ok(readOnly);
    const regenerated = await arm<KeyJson>(t, 'POST', path('rotating', '/regenerateKey'), {
      token,
      body: { id: readOnly.id },
    });
    assert.equal(regenerated.status, 200, regenerated.text);
    assert.equal(regenerated.headers.get('cache-control'), 'no-cache');
    assert.equal(regenerated.headers.get('pragma'), 'no-cache');
    assert.equal(regenerated.json.name, 'Secondary Read Only');
    assert.equal(regenerated.json.readOnly, true);
    assert.notEqual(regenerated.json.id, readOnly.id);
    assert.notEqual(regenerated.json.value, readOnly.value);
    const after = (await arm<{ value: KeyJson[] }>(t, 'POST', path('rotating', '/listKeys'), { token })).json
      .value;
    assert.deepEqual(after.slice(0, 3), before.slice(0, 3));
    assert.deepEqual(after[3], regenerated.json);
    expectArmError(
      await arm(t, 'POST', path('rotating', '/regenerateKey'), { token, body: { id: readOnly.id } }),
      400,
      'InvalidKeyId',
    );
  });

  it("applies Azure's naming rules and global name uniqueness", async () => {
    for (const bad of ['abcd', 'a'.repeat(51), '-store', 'store-', 'my--store', 'my_store']) {
      expectArmError(
        await arm(t, 'PUT', path(bad), { token, body: { location: 'westus', sku: { name: 'free' } } }),
        400,
        'InvalidResourceName',
      );
    }
    await arm(t, 'PUT', `${f.subscriptionScope}/resourcegroups/other-rg?${API.resourceGroups}`, {
      token,
      body: { location: 'westus' },
    });
    await arm(t, 'PUT', path('taken-name'), { token, body: { location: 'westus', sku: { name: 'free' } } });
    expectArmError(
      await arm(t, 'PUT', path('TAKEN-NAME', '', 'other-rg'), {
        token,
        body: { location: 'westus', sku: { name: 'free' } },
      }),
      409,
      'NameUnavailable',
    );
    expectArmError(
      await arm(t, 'PUT', path('no-sku-store'), { token, body: { location: 'westus' } }),
      400,
      'InvalidSku',
    );
    expectArmError(
      await arm(t, 'PUT', path('no-location'), { token, body: { sku: { name: 'free' } } }),
      400,
      'LocationRequired',
    );
    expectArmError(
      await arm(t, 'PUT', path('orphan-store', '', 'missing-rg'), {
        token,
        body: { location: 'westus', sku: { name: 'free' } },
      }),
      404,
      'ResourceGroupNotFound',
    );
  });

  it('needs ListKeys on the store: a Reader cannot list keys', async () => {
    await arm(t, 'PUT', path('guarded'), { token, body: { location: 'westus', sku: { name: 'free' } } });
    const reader = await principalWithRole(t, {
      displayName: 'store-reader',
      role: 'Reader',
      scope: f.subscriptionScope,
    });
    assert.equal((await arm(t, 'GET', path('guarded'), { token: reader.token })).status, 200);
    expectArmError(
      await arm(t, 'POST', path('guarded', '/listKeys'), { token: reader.token }),
      403,
      'AuthorizationFailed',
      `The client '${reader.application.appId}' with object id '${reader.servicePrincipal.objectId}' does not have authorization to perform action 'Microsoft.AppConfiguration/configurationStores/ListKeys/action' over scope '${storeId('guarded')}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  });
});
