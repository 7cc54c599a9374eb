import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DenyAssignment } from '../../src/access/denyAssignments.js';
import { everyone } from '../../src/access/denyAssignments.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

const WRITE_STORES = {
  actions: ['Microsoft.AppConfiguration/configurationStores/write'],
  notActions: [],
  dataActions: [],
  notDataActions: [],
};

describe('deny assignments', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: Awaited<ReturnType<typeof principalWithRole>>;
  let deny: DenyAssignment;
  let lockedScope: string;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    for (const name of ['locked', 'open']) {
      await arm(t, 'PUT', `${f.subscriptionScope}/resourcegroups/${name}?${API.resourceGroups}`, {
        token: owner.token,
        body: { location: 'westus' },
      });
    }
    lockedScope = `${f.subscriptionScope}/resourceGroups/locked`;
    deny = await t.server.tessera.denyAssignments.create({
      tenantId: t.tenant.id,
      scope: lockedScope,
      denyAssignmentName: 'Freeze stores',
      description: 'No store changes in the locked group.',
      permissions: [WRITE_STORES],
      principals: [{ id: owner.servicePrincipal.objectId, type: 'ServicePrincipal' }],
    });
  });
  after(async () => t.stop());

  const storePath = (group: string, name: string) =>
    `${f.subscriptionScope}/resourceGroups/${group}/providers/Microsoft.AppConfiguration/configurationStores/${name}?${API.configurationStores}`;
  const denyPath = (scope: string, name = '') =>
    `${scope}/providers/Microsoft.Authorization/denyAssignments${name ? `/${name}` : ''}?${API.denyAssignments}`;

  it('blocks an Owner of the subscription, with the deny assignment named in the 403', async () => {
    const body = { location: 'westus', sku: { name: 'free' } };
    const blocked = await arm(t, 'PUT', storePath('locked', 'frozen-store'), { token: owner.token, body });
    const scope = storePath('locked', 'frozen-store').split('?')[0];
    expectArmError(
      blocked,
      403,
      'AuthorizationFailed',
      `The client '${owner.application.appId}' with object id '${owner.servicePrincipal.objectId}' does not have authorization to perform action 'Microsoft.AppConfiguration/configurationStores/write' over scope '${scope}' because of a deny assignment with name 'Freeze stores' and Id '${deny.name}' at scope '${lockedScope}'.`,
    );
    assert.equal(
      (await arm(t, 'PUT', storePath('open', 'free-store'), { token: owner.token, body })).status,
      201,
    );
    // Other actions in the locked group are not denied.
    assert.equal(
      (await arm(t, 'GET', `${lockedScope}?${API.resourceGroups}`, { token: owner.token })).status,
      200,
    );
  });

  it('blocks everyone but the excluded principals', async () => {
    const excluded = await principalWithRole(t, {
      displayName: 'excluded',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    const other = await principalWithRole(t, {
      displayName: 'other',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    await t.server.tessera.denyAssignments.create({
      tenantId: t.tenant.id,
      scope: `${f.subscriptionScope}/resourceGroups/open`,
      denyAssignmentName: 'Everyone but one',
      permissions: [{ ...WRITE_STORES, actions: ['Microsoft.AppConfiguration/configurationStores/delete'] }],
      principals: [everyone],
      excludePrincipals: [{ id: excluded.servicePrincipal.objectId, type: 'ServicePrincipal' }],
    });
    const body = { location: 'westus', sku: { name: 'free' } };
    await arm(t, 'PUT', storePath('open', 'shared-one'), { token: owner.token, body });
    await arm(t, 'PUT', storePath('open', 'shared-two'), { token: owner.token, body });
    expectArmError(
      await arm(t, 'DELETE', storePath('open', 'shared-one'), { token: other.token }),
      403,
      'AuthorizationFailed',
    );
    assert.equal(
      (await arm(t, 'DELETE', storePath('open', 'shared-two'), { token: excluded.token })).status,
      200,
    );
  });

  it('is readable at its scope, below and above it, and by id', async () => {
    const atGroup = await arm<{ value: Array<{ name: string }> }>(t, 'GET', denyPath(lockedScope), {
      token: owner.token,
    });
    assert.equal(atGroup.status, 200, atGroup.text);
    assert.ok(atGroup.json.value.some((d) => d.name === deny.name));
    const fromSubscription = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      denyPath(f.subscriptionScope),
      {
        token: owner.token,
      },
    );
    assert.ok(
      fromSubscription.json.value.some((d) => d.name === deny.name),
      'a list includes deny assignments below',
    );
    const atScopeOnly = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${denyPath(f.subscriptionScope)}&$filter=atScope()`,
      { token: owner.token },
    );
    assert.ok(!atScopeOnly.json.value.some((d) => d.name === deny.name), 'atScope() excludes those below');

    const one = await arm(t, 'GET', denyPath(lockedScope, deny.name), { token: owner.token });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, {
      id: `${lockedScope}/providers/Microsoft.Authorization/denyAssignments/${deny.name}`,
      name: deny.name,
      type: 'Microsoft.Authorization/denyAssignments',
      properties: {
        denyAssignmentName: 'Freeze stores',
        description: 'No store changes in the locked group.',
        permissions: [WRITE_STORES],
        scope: lockedScope,
        doNotApplyToChildScopes: false,
        principals: [{ id: owner.servicePrincipal.objectId, type: 'ServicePrincipal' }],
        excludePrincipals: [],
        isSystemProtected: true,
        createdOn: new Date(deny.createdOn * 1000).toISOString(),
      },
    });
    expectArmError(
      await arm(t, 'GET', denyPath(lockedScope, randomUUID()), { token: owner.token }),
      404,
      'DenyAssignmentNotFound',
    );
  });

  it('cannot be written through the API', async () => {
    const body = { properties: { denyAssignmentName: 'mine', permissions: [WRITE_STORES] } };
    expectArmError(
      await arm(t, 'PUT', denyPath(lockedScope, randomUUID()), { token: owner.token, body }),
      405,
      'MethodNotAllowed',
    );
    expectArmError(
      await arm(t, 'DELETE', denyPath(lockedScope, deny.name), { token: owner.token }),
      405,
      'MethodNotAllowed',
    );
    const contributor = await principalWithRole(t, {
      displayName: 'deny-contrib',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    expectArmError(
      await arm(t, 'PUT', denyPath(lockedScope, randomUUID()), { token: contributor.token, body }),
      403,
      'AuthorizationFailed',
    );
    assert.ok(await t.server.tessera.denyAssignments.find(t.tenant.id, deny.name), 'still there');
  });
});
