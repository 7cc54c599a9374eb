import { expectOk, graph, graphApp } from '../graph/support.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import type { Identity } from '@azure/arm-msi';
import { isRestError } from '@azure/core-rest-pipeline';
import { findPrincipal } from '../../src/directory/principals.js';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import { runCli } from '../cli/support.js';
import { arm, armFixture, credentialFor, principalWithRole } from '../management/support.js';
import type { ArmFixture } from '../management/support.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** `Microsoft.ManagedIdentity/userAssignedIdentities` through @azure/arm-msi, RBAC and the CLI. */
describe('user-assigned identities', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: SecretClient & { token: string };
  let client: ManagedServiceIdentityClient;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    client = new ManagedServiceIdentityClient(credentialFor(t, owner), f.subscription.subscriptionId, {
      endpoint: t.origin,
    });
  });
  after(() => t.stop());

  it('@azure/arm-msi creates, gets, updates, lists and deletes an identity; its principal exists meanwhile', async () => {
    const created: Identity = await client.userAssignedIdentities.createOrUpdate(
      f.resourceGroup.name,
      'api-id',
      {
        location: 'westus',
        tags: { team: 'orders' },
      },
    );
    assert.equal(created.id, `${f.groupScope}/providers/${TYPE}/api-id`);
    assert.equal(created.type, TYPE);
    assert.equal(created.tenantId, t.tenant.id);
    assert.match(created.clientId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.tags, { team: 'orders' });
    const principal = await findPrincipal(t.server.tessera.db, t.tenant.id, created.principalId ?? '');
    assert.deepEqual(principal, {
      objectId: created.principalId,
      type: 'ServicePrincipal',
      displayName: 'api-id',
    });
    // Microsoft Graph shows it as Entra does: a managed identity's principal, its client id the appId.
    const reader = await graphApp(t, 'identity-reader', ['Application.Read.All']);
    const sp = expectOk(
      await graph(t, reader.token, 'GET', `servicePrincipals/${created.principalId ?? ''}`),
    );
    assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
    assert.equal(sp.appId, created.clientId);

    const got = await client.userAssignedIdentities.get(f.resourceGroup.name, 'API-ID');
    assert.equal(got.principalId, created.principalId);
    const updated = await client.userAssignedIdentities.update(f.resourceGroup.name, 'api-id', {
      tags: { team: 'billing' },
    });
    assert.deepEqual(updated.tags, { team: 'billing' });
    assert.equal(updated.clientId, created.clientId);
    const again = await client.userAssignedIdentities.createOrUpdate(f.resourceGroup.name, 'api-id', {
      location: 'westus',
    });
    assert.equal(again.principalId, created.principalId, 'PUT on an existing identity keeps its principal');

    const inGroup = [];
    for await (const identity of client.userAssignedIdentities.listByResourceGroup(f.resourceGroup.name))
      inGroup.push(identity.name);
    const inSubscription = [];
    for await (const identity of client.userAssignedIdentities.listBySubscription())
      inSubscription.push(identity.name);
    assert.deepEqual(inGroup, ['api-id']);
    assert.deepEqual(inSubscription, ['api-id']);

    await client.userAssignedIdentities.delete(f.resourceGroup.name, 'api-id');
    await assert.rejects(
      client.userAssignedIdentities.get(f.resourceGroup.name, 'api-id'),
      (error: unknown) => {
        assert.ok(isRestError(error));
        assert.equal(error.statusCode, 404);
        assert.equal(error.code, 'ResourceNotFound');
        return true;
      },
    );
    assert.equal(await findPrincipal(t.server.tessera.db, t.tenant.id, created.principalId ?? ''), undefined);
  });

  it('is assignable in RBAC like any principal, and a Reader cannot create one', async () => {
    const reader = await principalWithRole(t, {
      displayName: 'reader',
      role: 'Reader',
      scope: f.subscriptionScope,
    });
    const path = `${f.groupScope}/providers/${TYPE}/reader-made?api-version=2023-01-31`;
    const refused = await arm(t, 'PUT', path, { token: reader.token, body: { location: 'westus' } });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /Microsoft\.ManagedIdentity\/userAssignedIdentities\/write/);

    const identity = await client.userAssignedIdentities.createOrUpdate(f.resourceGroup.name, 'rbac-id', {
      location: 'westus',
    });
    const assignment = await arm(
      t,
      'PUT',
      `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/6f0c3a94-4d0b-4c6e-9a1f-0c1d2e3f4a5b?api-version=2022-04-01`,
      {
        token: owner.token,
        body: {
          properties: {
            roleDefinitionId: `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
            principalId: identity.principalId,
            principalType: 'ServicePrincipal',
          },
        },
      },
    );
    assert.equal(assignment.status, 201, assignment.text);
  });

  it("answers ARM's errors: missing location, bad name, unknown group, bad api-version", async () => {
    const base = `${f.groupScope}/providers/${TYPE}`;
    const noLocation = await arm(t, 'PUT', `${base}/x-id?api-version=2023-01-31`, {
      token: owner.token,
      body: {},
    });
    assert.equal(noLocation.status, 400);
    assert.equal((noLocation.json as { error: { code: string } }).error.code, 'LocationRequired');
    const badName = await arm(t, 'PUT', `${base}/-bad?api-version=2023-01-31`, {
      token: owner.token,
      body: { location: 'westus' },
    });
    assert.equal(badName.status, 400);
    assert.equal((badName.json as { error: { code: string } }).error.code, 'InvalidResourceName');
    const noGroup = await arm(
      t,
      'GET',
      `/subscriptions/${f.subscription.subscriptionId}/resourceGroups/nowhere/providers/${TYPE}?api-version=2023-01-31`,
      { token: owner.token },
    );
    assert.equal(noGroup.status, 404);
    assert.equal((noGroup.json as { error: { code: string } }).error.code, 'ResourceGroupNotFound');
    const badVersion = await arm(t, 'GET', `${base}?api-version=2020-01-01`, { token: owner.token });
    assert.equal(badVersion.status, 400);
    assert.equal((badVersion.json as { error: { code: string } }).error.code, 'InvalidApiVersionParameter');
  });

  it('deleting the resource group removes its identities, their principals and their host attachments', async () => {
    const identities = managedIdentitiesOf(t.server.tessera.db);
    await t.server.tessera.subscriptions.createResourceGroup({
      subscriptionId: f.subscription.subscriptionId,
      name: 'doomed-rg',
      location: 'westus',
    });
    const doomed = await client.userAssignedIdentities.createOrUpdate('doomed-rg', 'doomed-id', {
      location: 'westus',
    });
    const { identity } = await identities.userAssigned.createOrUpdate({
      subscriptionId: f.subscription.subscriptionId,
      resourceGroup: 'doomed-rg',
      name: 'attached-id',
      location: 'westus',
    });
    await identities.createHost({
      tenantId: t.tenant.id,
      name: 'doomed-host',
      systemAssigned: false,
      userAssigned: [identity],
      imdsPort: 0,
    });
    const deleted = await arm(
      t,
      'DELETE',
      `/subscriptions/${f.subscription.subscriptionId}/resourceGroups/doomed-rg?api-version=2021-04-01`,
      {
        token: owner.token,
      },
    );
    assert.ok(deleted.status === 200 || deleted.status === 202, deleted.text);
    assert.deepEqual(
      await identities.userAssigned.list({
        subscriptionId: f.subscription.subscriptionId,
        resourceGroup: 'doomed-rg',
      }),
      [],
    );
    for (const principalId of [doomed.principalId ?? '', identity.principalId]) {
      assert.equal(await findPrincipal(t.server.tessera.db, t.tenant.id, principalId), undefined);
    }
    const host = await identities.hosts.find('doomed-host');
    assert.deepEqual(host?.userAssigned, []);
  });

  it('`tessera identity create|show|list|delete` prints az’s shape; `identity host` prints the environment', async () => {
    const data = storeArgs(t);
    const created = await runCli([
      'identity',
      'create',
      '-g',
      f.resourceGroup.name,
      '-n',
      'cli-id',
      '--tags',
      'env=dev',
      ...data,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const json = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), [
      'clientId',
      'id',
      'isolationScope',
      'location',
      'name',
      'principalId',
      'resourceGroup',
      'systemData',
      'tags',
      'tenantId',
      'type',
    ]);
    assert.equal(json.location, f.resourceGroup.location, "the group's location by default");
    assert.equal(json.resourceGroup, f.resourceGroup.name);
    assert.deepEqual(json.tags, { env: 'dev' });

    const shown = await runCli(['identity', 'show', '-g', f.resourceGroup.name, '-n', 'cli-id', ...data]);
    assert.equal((JSON.parse(shown.stdout) as { clientId: string }).clientId, json.clientId);
    const listed = await runCli(['identity', 'list', '-g', f.resourceGroup.name, ...data]);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ name: string }>).map((i) => i.name),
      ['cli-id', 'rbac-id'],
    );

    const host = await runCli([
      'identity',
      'host',
      'create',
      '-n',
      'cli-host',
      '--system-assigned',
      '--identities',
      'cli-id',
      String(json.clientId),
      '--server',
      'https://localhost:9443',
      ...data,
    ]);
    assert.equal(host.code, 0, host.stderr);
    const hostJson = JSON.parse(host.stdout) as {
      type: string;
      principalId: string;
      userAssignedIdentities: Record<string, { clientId: string }>;
      environment: Record<string, string>;
    };
    assert.equal(hostJson.type, 'SystemAssigned, UserAssigned');
    assert.deepEqual(Object.keys(hostJson.userAssignedIdentities), [json.id]);
    assert.equal(hostJson.environment.IDENTITY_ENDPOINT, 'https://localhost:9443/msi/token');
    assert.match(hostJson.environment.IDENTITY_HEADER ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(hostJson.environment.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);

    const hosts = await runCli(['identity', 'host', 'list', ...data]);
    const listedHosts = JSON.parse(hosts.stdout) as Array<{
      name: string;
      environment: Record<string, string>;
    }>;
    const listedHost = listedHosts.find((h) => h.name === 'cli-host');
    assert.ok(listedHost);
    assert.deepEqual(listedHosts.map((h) => h.name).sort(), ['cli-host', 'doomed-host']);
    assert.equal(listedHost?.environment.IDENTITY_HEADER, undefined, 'the secret is shown once');

    const duplicate = await runCli(['identity', 'host', 'create', '-n', 'CLI-HOST', ...data]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already exists/);
    const unknown = await runCli([
      'identity',
      'host',
      'create',
      '-n',
      'other-host',
      '--identities',
      'no-such-id',
      ...data,
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no-such-id/);

    assert.equal((await runCli(['identity', 'host', 'delete', '-n', 'cli-host', ...data])).code, 0);
    assert.equal(await findPrincipal(t.server.tessera.db, t.tenant.id, hostJson.principalId), undefined);
    assert.equal(
      (await runCli(['identity', 'delete', '-g', f.resourceGroup.name, '-n', 'cli-id', ...data])).code,
      0,
    );
    const gone = await runCli(['identity', 'show', '-g', f.resourceGroup.name, '-n', 'cli-id', ...data]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /was not found/);
  });
});
