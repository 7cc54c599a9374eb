import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { SecretClient } from '../support/authority.js';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { arm, armFixture, credentialFor, expectArmError, mintToken, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

const file = JSON.parse(
  readFileSync(new URL('../../src/access/data/built-in-roles.json', import.meta.url), 'utf8'),
) as Array<{ roleName: string; permissions: unknown[] }>;
const permissionsOf = (roleName: string) => file.find((r) => r.roleName === roleName)?.permissions ?? [];

const API = 'api-version=2022-04-01';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('GET {scope}/providers/Microsoft.Authorization/permissions', () => {
  let t: TestServer;
  let f: ArmFixture;
  let caller: SecretClient & { token: string };
  let account: string;

  const permissionsPath = (scope: string, query = API) =>
    `${scope}/providers/Microsoft.Authorization/permissions?${query}`;
  const get = (scope: string, token = caller.token, query = API) =>
    arm<{ value: unknown[] }>(t, 'GET', permissionsPath(scope, query), { token });

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    const { tessera } = t.server;
    caller = await principalWithRole(t, {
      displayName: 'caller',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    // Through a group, at the resource group; and a Media Services role on one account.
    const group = await tessera.directory.groups.create(t.tenant.id, {
      displayName: 'readers',
      mailNickname: 'r',
    });
    await tessera.directory.groups.addMember(group, caller.servicePrincipal.objectId);
    await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      roleDefinition: 'App Configuration Data Reader',
      principalId: group.objectId,
    });
    const { account: created } = await tessera.mediaServices.createOrUpdate({
      subscriptionId: f.subscription.subscriptionId,
      resourceGroup: f.resourceGroup.name,
      name: 'perms1',
      location: 'westus',
    });
    account = created.id;
    await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: account,
      roleDefinition: 'Media Services Media Operator',
      principalId: caller.servicePrincipal.objectId,
    });
  });
  after(async () => t.stop());

  it('answers @azure/arm-authorization: one entry per permission of every assignment that applies', async () => {
    const client = new AuthorizationManagementClient(
      credentialFor(t, caller),
      f.subscription.subscriptionId,
      {
        endpoint: t.origin,
      },
    );
    const clean = (ps: Array<Record<string, unknown>>) =>
      ps.map(({ actions, notActions, dataActions, notDataActions }) => ({
        actions,
        notActions,
        dataActions,
        notDataActions,
      }));
    const inGroup = await collect(client.permissions.listForResourceGroup(f.resourceGroup.name));
    assert.deepEqual(clean(inGroup as Array<Record<string, unknown>>), [
      ...permissionsOf('Contributor'),
      ...permissionsOf('App Configuration Data Reader'),
    ]);
    const onAccount = await collect(
      client.permissions.listForResource(
        f.resourceGroup.name,
        'Microsoft.Media',
        '',
        'mediaservices',
        'perms1',
      ),
    );
    assert.deepEqual(clean(onAccount as Array<Record<string, unknown>>), [
      ...permissionsOf('Media Services Media Operator'),
      ...permissionsOf('Contributor'),
      ...permissionsOf('App Configuration Data Reader'),
    ]);
    // A resource that does not exist has what is inherited from above.
    const elsewhere = await collect(
      client.permissions.listForResource(
        f.resourceGroup.name,
        'Microsoft.Storage',
        '',
        'storageAccounts',
        'none',
      ),
    );
    assert.equal(elsewhere.length, 2);
  });

  it('serves the subscription and every api-version the SDKs send, and refuses others', async () => {
    for (const version of ['2022-04-01', '2018-01-01-preview', '2015-07-01']) {
      const response = await get(f.subscriptionScope, caller.token, `api-version=${version}`);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.json, { value: permissionsOf('Contributor') });
    }
    expectArmError(
      await get(f.subscriptionScope, caller.token, 'api-version=2019-01-01'),
      400,
      'InvalidApiVersionParameter',
    );
    expectArmError(await get(f.subscriptionScope, caller.token, ''), 400, 'MissingApiVersionParameter');
  });

  it('answers any caller about itself, an empty list when it holds nothing', async () => {
    const nobody = await principalWithRole(t, { displayName: 'nobody' });
    const response = await get(f.groupScope, nobody.token);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, { value: [] });
    // Another caller's roles never show.
    assert.ok(!response.text.includes('Microsoft.AppConfiguration'));
  });

  it('shows a conditional block with its condition', async () => {
    const admin = await principalWithRole(t, {
      displayName: 'kv-admin',
      role: 'Key Vault Data Access Administrator',
      scope: f.groupScope,
    });
    const response = await get(f.groupScope, admin.token);
    const [entry] = response.json.value as Array<{ condition?: string; conditionVersion?: string }>;
    assert.equal(entry?.conditionVersion, '2.0');
    assert.match(
      entry?.condition ?? '',
      /^\(\(!\(ActionMatches\{'Microsoft.Authorization\/roleAssignments\/write'\}\)\)/,
    );
  });

  it('does not subtract deny assignments, as Azure; the check still refuses', async () => {
    const denied = await principalWithRole(t, {
      displayName: 'denied',
      role: 'Contributor',
      scope: f.groupScope,
    });
    await t.server.tessera.denyAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      denyAssignmentName: 'no writes',
      permissions: [{ actions: ['*/write'], notActions: [], dataActions: [], notDataActions: [] }],
      principals: [{ id: denied.servicePrincipal.objectId, type: 'ServicePrincipal' }],
    });
    const response = await get(f.groupScope, denied.token);
    assert.deepEqual(response.json, { value: permissionsOf('Contributor') });
    const decision = await t.server.tessera.access.evaluate(
      denied.servicePrincipal.objectId,
      'Microsoft.AppConfiguration/configurationStores/write',
      f.groupScope,
      'action',
    );
    assert.equal(decision.allowed, false);
    assert.equal(!decision.allowed && decision.reason, 'DenyAssignment');
  });

  it("refuses what it cannot answer in ARM's envelope", async () => {
    expectArmError(await get(`${f.subscriptionScope}/resourceGroups/missing`), 404, 'ResourceGroupNotFound');
    expectArmError(
      await get('/subscriptions/00000000-0000-0000-0000-000000000001'),
      404,
      'SubscriptionNotFound',
    );
    expectArmError(await get('/subscriptions/not-a-guid'), 400, 'InvalidSubscriptionId');
    expectArmError(
      await arm(t, 'PUT', permissionsPath(f.groupScope), { token: caller.token, body: {} }),
      405,
      'MethodNotAllowed',
    );
    expectArmError(
      await arm(t, 'GET', `${f.groupScope}/providers/Microsoft.Authorization/permissions/x?${API}`, {
        token: caller.token,
      }),
      404,
      'NotFound',
    );
    expectArmError(await arm(t, 'GET', permissionsPath(f.groupScope)), 401, 'AuthenticationFailed');
    // The tenant root is no scope of this API.
    expectArmError(
      await arm(t, 'GET', `/providers/Microsoft.Authorization/permissions?${API}`, { token: caller.token }),
      400,
      'InvalidScope',
    );
    // A token of another tenant learns nothing about this one.
    const other = await t.server.tessera.directory.createTenant({ domain: 'other-perms' });
    const stranger = await registerSecretClient(t, { displayName: 'stranger', tenant: other });
    const foreign = await mintToken(t, {
      oid: stranger.servicePrincipal.objectId,
      tid: other.id,
      iss: `${t.origin}/${other.id}/`,
    });
    const refused = await get(f.groupScope, foreign);
    assert.ok(refused.status === 401 || refused.status === 404, refused.text);
  });
});
