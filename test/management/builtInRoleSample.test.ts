import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { API_VERSION, createStore, mintToken as appConfigToken, rawRequest } from '../appconfig/support.js';
import type { StoreFixture } from '../appconfig/support.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { mintTokenFor } from '../support/tokens.js';
import { API, arm, armFixture, mintToken } from './support.js';
import type { ArmFixture } from './support.js';
import { any } from './actionOracle.js';

/**
 * Twenty built-in roles chosen from the data file (eight that touch what Tessera serves, twelve at
 * random: TESSERA_TEST_SEED replays them), each assigned on a resource group, behave as their
 * permissions in the file say on the management API, App Configuration's data plane and Media
 * Services' v2 API. The expectation is computed here from the file, by Azure's wildcard rules.
 */

interface FileRole {
  name: string;
  roleName: string;
  permissions: Array<{
    actions: string[];
    notActions: string[];
    dataActions: string[];
    notDataActions: string[];
    condition?: string;
  }>;
}
const file = JSON.parse(
  readFileSync(new URL('../../src/access/data/built-in-roles.json', import.meta.url), 'utf8'),
) as FileRole[];

const SEED = Number(process.env.TESSERA_TEST_SEED ?? Date.now() % 1_000_000);
const CONFINED = /^(Reservations|Service Group) /;
const FIXED = [
  'Owner',
  'Contributor',
  'Reader',
  'Role Based Access Control Administrator',
  'App Configuration Data Reader',
  'Media Services Account Administrator',
  'Media Services Media Operator',
  'Media Services Streaming Endpoints Administrator',
];

/** Whether the role, as the file writes it, grants the action; conditional blocks never grant what they name. */
function roleGrants(role: FileRole, action: string, kind: 'action' | 'dataAction'): boolean {
  return role.permissions.some((p) => {
    const granted =
      kind === 'action'
        ? any(p.actions, action) && !any(p.notActions, action)
        : any(p.dataActions, action) && !any(p.notDataActions, action);
    const named = [...(p.condition ?? '').matchAll(/ActionMatches\{'([^']+)'\}/g)].map((m) => m[1] ?? '');
    return granted && !any(named, action);
  });
}

/** The v2 API lets in whoever may change something of the account's media, then checks each request. */
const MEDIA_WRITES = [
  'write',
  'assets/write',
  'streamingLocators/write',
  'transforms/jobs/write',
  'transforms/write',
  'contentKeyPolicies/write',
  'streamingPolicies/write',
  'liveEvents/write',
  'liveEvents/liveOutputs/write',
  'streamingEndpoints/write',
  'streamingEndpoints/start/action',
].map((a) => `Microsoft.Media/mediaservices/${a}`);

function sample(): FileRole[] {
  let a = SEED >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const fixed = FIXED.map((name) => file.find((r) => r.roleName === name));
  const rest = file.filter((r) => !FIXED.includes(r.roleName) && !CONFINED.test(r.roleName));
  const random: FileRole[] = [];
  while (random.length < 12) {
    const role = rest[Math.floor(next() * rest.length)];
    if (role && !random.includes(role)) random.push(role);
  }
  return [...fixed.filter((r): r is FileRole => r !== undefined), ...random];
}

describe(`twenty built-in roles from the data file behave as their permissions say (seed ${SEED})`, () => {
  let t: TestServer;
  let f: ArmFixture;
  let store: StoreFixture;
  let mediaApi: string;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    store = await createStore(t, 'sample-store');
    await t.server.tessera.mediaServices.createOrUpdate({
      subscriptionId: f.subscription.subscriptionId,
      resourceGroup: f.resourceGroup.name,
      name: 'samplemedia',
      location: 'westus',
    });
    mediaApi = `${t.origin}/media/samplemedia/api/`;
  });
  after(async () => t.stop());

  it('on the management API and the data planes', async () => {
    const roles = sample();
    assert.equal(roles.length, 20);
    const { tessera } = t.server;
    const storeRead = `${store.id}?${API.configurationStores}`;
    for (const role of roles) {
      const { servicePrincipal } = await tessera.directory.registerApplication(t.tenant, {
        displayName: `holder of ${role.roleName}`,
      });
      const oid = servicePrincipal.objectId;
      await tessera.roleAssignments.create({
        tenantId: t.tenant.id,
        scope: f.groupScope,
        roleDefinition: role.name,
        principalId: oid,
      });
      const armToken = await mintToken(t, { oid });
      const grants = (action: string, kind: 'action' | 'dataAction' = 'action') =>
        roleGrants(role, action, kind);
      const label = (what: string) => `${role.roleName}: ${what}`;
      const expectArm = async (
        method: string,
        path: string,
        action: string,
        okStatus: number,
        body?: unknown,
      ) => {
        const response = await arm(t, method, path, { token: armToken, body });
        const expected = grants(action) ? okStatus : 403;
        assert.equal(
          response.status,
          expected,
          label(`${method} ${path} (${action}): ${response.text.slice(0, 200)}`),
        );
      };

      await expectArm(
        'GET',
        `${f.groupScope}?${API.resourceGroups}`,
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        200,
      );
      await expectArm(
        'PUT',
        `${f.groupScope}?${API.resourceGroups}`,
        'Microsoft.Resources/subscriptions/resourceGroups/write',
        200,
        { location: f.resourceGroup.location },
      );
      await expectArm(
        'GET',
        `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}`,
        'Microsoft.Authorization/roleAssignments/read',
        200,
      );
      await expectArm('GET', storeRead, 'Microsoft.AppConfiguration/configurationStores/read', 200);
      await expectArm(
        'POST',
        `${store.id}/listKeys?${API.configurationStores}`,
        'Microsoft.AppConfiguration/configurationStores/ListKeys/action',
        200,
      );

      const kv = await rawRequest(t, {
        path: `/appconfig/${store.name}/kv?api-version=${API_VERSION}`,
        headers: { authorization: `Bearer ${await appConfigToken(t, { oid })}` },
      });
      const readsKeys = grants('Microsoft.AppConfiguration/configurationStores/keyValues/read', 'dataAction');
      assert.equal(
        kv.status,
        readsKeys ? 200 : 403,
        label(`App Configuration GET /kv: ${kv.text.slice(0, 200)}`),
      );

      const mediaToken = await mintTokenFor(t, 'https://rest.media.azure.net', { oid });
      const mediaRequest = (method: string, body?: string) =>
        fetch(`${mediaApi}Assets`, {
          method,
          headers: {
            authorization: `Bearer ${mediaToken}`,
            'x-ms-version': '2.19',
            accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body,
        });
      const admitted = MEDIA_WRITES.some((a) => grants(a));
      const listAssets = await mediaRequest('GET');
      const mayList = admitted && grants('Microsoft.Media/mediaservices/assets/read');
      assert.equal(
        listAssets.status,
        mayList ? 200 : 401,
        label(`v2 GET Assets: ${await listAssets.text()}`),
      );
      const createAsset = await mediaRequest('POST', JSON.stringify({ Name: `by ${role.roleName}` }));
      const mayCreate = admitted && grants('Microsoft.Media/mediaservices/assets/write');
      assert.equal(
        createAsset.status,
        mayCreate ? 201 : 401,
        label(`v2 POST Assets: ${await createAsset.text()}`),
      );
    }
  });
});
