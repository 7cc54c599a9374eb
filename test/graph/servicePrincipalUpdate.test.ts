import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import { registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { GraphUser } from './support.js';
import { INSUFFICIENT, expectGraphError, expectOk, graph, graphUser } from './support.js';

type Json = Record<string, unknown>;

describe('Microsoft Graph: PATCH /servicePrincipals/{id} (enabled for sign-in, display name)', () => {
  let t: TestServer;
  let admin: GraphUser;
  let member: GraphUser;
  let client: SecretClient;

  before(async () => {
    t = await startTestServer();
    [admin, member] = await Promise.all([
      graphUser(t, 'appadmin', ['applicationAdministrator']),
      graphUser(t, 'member'),
    ]);
    client = await registerSecretClient(t, { displayName: 'orders-daemon' });
  });
  after(() => t.stop());

  const path = () => `servicePrincipals/${client.servicePrincipal.objectId}`;
  const patch = (body: Json, token = admin.token, target = path()) =>
    graph(t, token, 'PATCH', target, { body });
  const principal = async () => expectOk(await graph(t, admin.token, 'GET', path()));

  test('accountEnabled: false then true, by object id or appId; the directory keeps it', async () => {
    assert.equal((await principal()).accountEnabled, true);
    assert.equal((await patch({ accountEnabled: false })).status, 204);
    assert.equal((await principal()).accountEnabled, false);
    const stored = await t.server.tessera.directory.servicePrincipals.findByAppId(
      t.tenant.id,
      client.application.appId,
    );
    assert.equal(stored?.accountEnabled, false);
    const disabled = expectOk(
      await graph(
        t,
        admin.token,
        'GET',
        `servicePrincipals?$filter=${encodeURIComponent('accountEnabled eq false')}&$select=id,accountEnabled`,
      ),
    ).value as Json[];
    assert.deepEqual(
      disabled.map((sp) => sp.id),
      [client.servicePrincipal.objectId],
    );
    const byAppId = `servicePrincipals(appId='${client.application.appId}')`;
    assert.equal((await patch({ accountEnabled: true }, admin.token, byAppId)).status, 204);
    assert.equal((await principal()).accountEnabled, true);
  });

  test('displayName is the principal’s own; the application keeps its name', async () => {
    assert.equal((await patch({ displayName: 'Orders daemon (production)' })).status, 204);
    const sp = await principal();
    assert.equal(sp.displayName, 'Orders daemon (production)');
    assert.equal(sp.appDisplayName, 'orders-daemon');
    expectGraphError(
      await patch({ displayName: '   ' }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'displayName' of resource 'ServicePrincipal'.",
    );
    assert.equal((await principal()).displayName, 'Orders daemon (production)');
  });

  test('read-only, unknown, unkept and mistyped properties get Graph’s 400 and change nothing', async () => {
    for (const property of [
      'appId',
      'id',
      'servicePrincipalNames',
      'appOwnerOrganizationId',
      'signInAudience',
    ]) {
      expectGraphError(
        await patch({ [property]: 'x' }),
        400,
        'Request_BadRequest',
        `Property '${property}' of resource 'ServicePrincipal' is read-only.`,
      );
    }
    expectGraphError(
      await patch({ accountEnabled: 'no' }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'accountEnabled' of resource 'ServicePrincipal'.",
    );
    expectGraphError(
      await patch({ accountEnabled: false, favouriteColour: 'blue' }),
      400,
      'BadRequest',
      /The property 'favouriteColour' does not exist on type 'microsoft.graph.servicePrincipal'/,
    );
    expectGraphError(
      await patch({ accountEnabled: false, tags: ['WindowsAzureActiveDirectoryIntegratedApp'] }),
      400,
      'Request_BadRequest',
      /Property 'tags' of resource 'ServicePrincipal' is not supported by Tessera/,
    );
    assert.equal((await principal()).accountEnabled, true, 'a refused PATCH changes nothing');
  });

  test('who may: a member is refused, an unknown id is 404, a managed identity is managed elsewhere', async () => {
    expectGraphError(
      await patch({ accountEnabled: false }, member.token),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    assert.equal((await principal()).accountEnabled, true);
    const missing = '00000000-0000-0000-0000-000000000001';
    expectGraphError(
      await patch({ accountEnabled: false }, admin.token, `servicePrincipals/${missing}`),
      404,
      'Request_ResourceNotFound',
    );
    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap);
    const { identity } = await managedIdentitiesOf(t.server.tessera.db).userAssigned.createOrUpdate({
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
      name: 'orders-identity',
      location: 'westus',
    });
    expectGraphError(
      await patch({ accountEnabled: false }, admin.token, `servicePrincipals/${identity.principalId}`),
      400,
      'Request_BadRequest',
      /belongs to a managed identity: manage it through its identity resource/,
    );
    const sp = expectOk(await graph(t, admin.token, 'GET', `servicePrincipals/${identity.principalId}`));
    assert.equal(sp.accountEnabled, true);
  });
});
