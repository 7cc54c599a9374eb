import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

describe('scope inheritance', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: Awaited<ReturnType<typeof principalWithRole>>;

  const storeId = (name: string) =>
    `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/${name}`;
  const storePath = (name: string, suffix = '') => `${storeId(name)}${suffix}?${API.configurationStores}`;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    for (const name of ['store-one', 'store-two']) {
      await arm(t, 'PUT', storePath(name), {
        token: owner.token,
        body: { location: 'westus', sku: { name: 'standard' } },
      });
    }
  });
  after(async () => t.stop());

  it('grants at a resource what was assigned at the subscription', async () => {
    const contributor = await principalWithRole(t, {
      displayName: 'sub-contrib',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    assert.equal((await arm(t, 'GET', storePath('store-one'), { token: contributor.token })).status, 200);
    assert.equal(
      (await arm(t, 'POST', storePath('store-one', '/listKeys'), { token: contributor.token })).status,
      200,
    );
  });

  it('grants at a resource group what was assigned there, and nothing above it', async () => {
    const reader = await principalWithRole(t, {
      displayName: 'rg-reader',
      role: 'Reader',
      scope: f.groupScope,
    });
    assert.equal((await arm(t, 'GET', storePath('store-two'), { token: reader.token })).status, 200);
    expectArmError(
      await arm(
        t,
        'GET',
        `${f.subscriptionScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}`,
        {
          token: reader.token,
        },
      ),
      403,
      'AuthorizationFailed',
    );
    expectArmError(
      await arm(t, 'PUT', storePath('store-two'), {
        token: reader.token,
        body: { location: 'westus', sku: { name: 'standard' } },
      }),
      403,
      'AuthorizationFailed',
    );
  });

  it('grants on one resource only that resource, and lists only it', async () => {
    const single = await principalWithRole(t, {
      displayName: 'one-store',
      role: 'Reader',
      scope: storeId('store-one'),
    });
    assert.equal((await arm(t, 'GET', storePath('store-one'), { token: single.token })).status, 200);
    expectArmError(
      await arm(t, 'GET', storePath('store-two'), { token: single.token }),
      403,
      'AuthorizationFailed',
    );
    const list = await arm<{ value: Array<{ name: string }> }>(
      t,
      'GET',
      `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores?${API.configurationStores}`,
      { token: single.token },
    );
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.json.value.map((s) => s.name),
      ['store-one'],
    );
  });

  it('refuses a role assignment on a store that does not exist', async () => {
    const target = await principalWithRole(t, { displayName: 'target' });
    expectArmError(
      await arm(
        t,
        'PUT',
        `${storeId('no-such-store')}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${API.roleAssignments}`,
        {
          token: owner.token,
          body: {
            properties: {
              roleDefinitionId: `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
              principalId: target.servicePrincipal.objectId,
            },
          },
        },
      ),
      404,
      'ResourceNotFound',
    );
  });
});
