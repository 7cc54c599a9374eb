import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API, arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

interface SubscriptionList {
  value: Array<{
    id: string;
    subscriptionId: string;
    tenantId: string;
    state: string;
    authorizationSource: string;
  }>;
}

describe('subscriptions and tenants', () => {
  let t: TestServer;
  let f: ArmFixture;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
  });
  after(async () => t.stop());

  it('lists the subscriptions the caller has a role on, and gets one', async () => {
    const second = await t.server.tessera.subscriptions.create(t.tenant.id, 'Second');
    const reader = await principalWithRole(t, {
      displayName: 'reader',
      role: 'Reader',
      scope: f.subscriptionScope,
    });
    const list = await arm<SubscriptionList>(t, 'GET', `/subscriptions?${API.subscriptions}`, {
      token: reader.token,
    });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.value.map((s) => s.subscriptionId),
      [f.subscription.subscriptionId],
      'not the second subscription, where the reader has no role',
    );
    const [listed] = list.json.value;
    assert.equal(listed?.id, f.subscriptionScope);
    assert.equal(listed?.tenantId, t.tenant.id);
    assert.equal(listed?.state, 'Enabled');
    assert.equal(listed?.authorizationSource, 'RoleBased');

    const one = await arm(t, 'GET', `${f.subscriptionScope}?${API.subscriptions}`, { token: reader.token });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, listed);
    expectArmError(
      await arm(t, 'GET', `/subscriptions/${second.subscriptionId}?${API.subscriptions}`, {
        token: reader.token,
      }),
      403,
      'AuthorizationFailed',
    );
  });

  it('lists a subscription for a role on one of its resource groups, as Azure does', async () => {
    const groupReader = await principalWithRole(t, {
      displayName: 'rg-reader',
      role: 'Reader',
      scope: f.groupScope,
    });
    const list = await arm<SubscriptionList>(t, 'GET', `/subscriptions?${API.subscriptions}`, {
      token: groupReader.token,
    });
    assert.deepEqual(
      list.json.value.map((s) => s.subscriptionId),
      [f.subscription.subscriptionId],
    );
    const one = await arm(t, 'GET', `${f.subscriptionScope}?${API.subscriptions}`, {
      token: groupReader.token,
    });
    assert.equal(one.status, 200);
    // Seeing the subscription is not reading what is in it.
    expectArmError(
      await arm(
        t,
        'GET',
        `${f.subscriptionScope}/providers/Microsoft.Authorization/roleAssignments?${API.roleAssignments}`,
        {
          token: groupReader.token,
        },
      ),
      403,
      'AuthorizationFailed',
    );
  });

  it('gives an empty list, not a 403, to a caller without any role', async () => {
    const nobody = await principalWithRole(t, { displayName: 'nobody' });
    const list = await arm<SubscriptionList>(t, 'GET', `/subscriptions?${API.subscriptions}`, {
      token: nobody.token,
    });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.value, []);
  });

  it("lists the token's tenant", async () => {
    const nobody = await principalWithRole(t, { displayName: 'tenant-lister' });
    const tenants = await arm(t, 'GET', `/tenants?${API.subscriptions}`, { token: nobody.token });
    assert.equal(tenants.status, 200);
    assert.deepEqual(tenants.json, {
      value: [
        {
          id: `/tenants/${t.tenant.id}`,
          tenantId: t.tenant.id,
          countryCode: 'US',
          displayName: t.tenant.displayName,
          domains: [t.tenant.domain],
          tenantCategory: 'Home',
          defaultDomain: t.tenant.domain,
          tenantType: 'AAD',
        },
      ],
    });
  });
});
