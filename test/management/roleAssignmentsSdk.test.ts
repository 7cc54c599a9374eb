import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { RoleAssignment } from '@azure/arm-authorization';
import { isRestError } from '@azure/core-rest-pipeline';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { SecretClient } from '../support/authority.js';
import { registerSecretClient } from '../support/authority.js';
import { armFixture, credentialFor, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

/** The official ARM client, unmodified, pointed at Tessera. */
describe('@azure/arm-authorization against the management API', () => {
  let t: TestServer;
  let f: ArmFixture;
  let owner: SecretClient;
  let client: AuthorizationManagementClient;
  let target: SecretClient;

  const clientFor = (principal: SecretClient) =>
    new AuthorizationManagementClient(credentialFor(t, principal), f.subscription.subscriptionId, {
      // Only the endpoint, as a reader would: the SDK then asks for `${endpoint}/.default`.
      endpoint: t.origin,
    });
  const definitionId = (guid: string) =>
    `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    owner = await principalWithRole(t, { displayName: 'owner', role: 'Owner', scope: f.subscriptionScope });
    target = await registerSecretClient(t, { displayName: 'target' });
    client = clientFor(owner);
  });
  after(async () => t.stop());

  it('creates, gets, lists and deletes a role assignment', async () => {
    const name = randomUUID();
    const created = await client.roleAssignments.create(f.groupScope, name, {
      roleDefinitionId: definitionId(READER),
      principalId: target.servicePrincipal.objectId,
      principalType: 'ServicePrincipal',
      description: 'from the SDK',
    });
    assert.equal(created.name, name);
    assert.equal(created.id, `${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
    assert.equal(created.type, 'Microsoft.Authorization/roleAssignments');
    assert.equal(created.roleDefinitionId, definitionId(READER));
    assert.equal(created.principalId, target.servicePrincipal.objectId);
    assert.equal(created.principalType, 'ServicePrincipal');
    assert.equal(created.scope, f.groupScope);
    assert.equal(created.description, 'from the SDK');
    assert.equal(created.createdBy, owner.servicePrincipal.objectId);
    assert.ok(
      created.createdOn instanceof Date && Math.abs(created.createdOn.getTime() - Date.now()) < 60_000,
    );

    const again = await client.roleAssignments.create(f.groupScope, name, {
      roleDefinitionId: definitionId(READER),
      principalId: target.servicePrincipal.objectId,
    });
    assert.equal(again.name, name, 'a repeated PUT is idempotent');

    const got = await client.roleAssignments.get(f.groupScope, name);
    assert.deepEqual(got, created);
    const byId = await client.roleAssignments.getById(created.id ?? '');
    assert.equal(byId.name, name);

    const atScope: RoleAssignment[] = [];
    for await (const a of client.roleAssignments.listForScope(f.groupScope, { filter: 'atScope()' }))
      atScope.push(a);
    assert.ok(atScope.some((a) => a.name === name));
    assert.ok(
      atScope.some(
        (a) => a.principalId === owner.servicePrincipal.objectId && a.scope === f.subscriptionScope,
      ),
      'atScope() includes assignments above the scope',
    );

    const forPrincipal: RoleAssignment[] = [];
    for await (const a of client.roleAssignments.listForSubscription({
      filter: `principalId eq '${target.servicePrincipal.objectId}'`,
    })) {
      forPrincipal.push(a);
    }
    assert.deepEqual(
      forPrincipal.map((a) => a.name),
      [name],
    );

    const deleted = await client.roleAssignments.delete(f.groupScope, name);
    assert.equal(deleted.name, name);
    await assert.rejects(client.roleAssignments.get(f.groupScope, name), (error: unknown) => {
      assert.ok(isRestError(error), String(error));
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'RoleAssignmentNotFound');
      return true;
    });
    const gone = await client.roleAssignments.delete(f.groupScope, name);
    assert.equal(gone.name, undefined, 'deleting again is a 204 with no body');
  });

  it('refuses a second assignment of the same role to the same principal at the same scope', async () => {
    const body = { roleDefinitionId: definitionId(READER), principalId: target.servicePrincipal.objectId };
    await client.roleAssignments.create(f.subscriptionScope, randomUUID(), body);
    await assert.rejects(
      client.roleAssignments.create(f.subscriptionScope, randomUUID(), body),
      (error: unknown) => {
        assert.ok(isRestError(error), String(error));
        assert.equal(error.statusCode, 409);
        assert.equal(error.code, 'RoleAssignmentExists');
        assert.equal(error.message, 'The role assignment already exists.');
        return true;
      },
    );
  });

  it('finds a role definition by name', async () => {
    const found = [];
    for await (const d of client.roleDefinitions.list(f.subscriptionScope, {
      filter: "roleName eq 'Contributor'",
    })) {
      found.push(d);
    }
    assert.equal(found.length, 1);
    assert.equal(found[0]?.name, CONTRIBUTOR);
    assert.equal(found[0]?.id, definitionId(CONTRIBUTOR));
    assert.equal(found[0]?.roleType, 'BuiltInRole');
    assert.ok(found[0]?.permissions?.[0]?.notActions?.includes('Microsoft.Authorization/*/Write'));
    const byId = await client.roleDefinitions.getById(
      `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
    );
    assert.equal(byId.roleName, 'Contributor');
  });

  it("refuses a Contributor's role assignment with ARM's exact 403", async () => {
    const contributor = await principalWithRole(t, {
      displayName: 'contributor',
      role: 'Contributor',
      scope: f.subscriptionScope,
    });
    const name = randomUUID();
    await assert.rejects(
      clientFor(contributor).roleAssignments.create(f.groupScope, name, {
        roleDefinitionId: definitionId(READER),
        principalId: target.servicePrincipal.objectId,
      }),
      (error: unknown) => {
        assert.ok(isRestError(error), String(error));
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, 'AuthorizationFailed');
        assert.equal(
          error.message,
          `The client '${contributor.application.appId}' with object id '${contributor.servicePrincipal.objectId}' does not have authorization or an ABAC condition not fulfilled to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${f.groupScope}/providers/Microsoft.Authorization/roleAssignments/${name}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        );
        return true;
      },
    );
  });

  it('pages long lists with nextLink', async () => {
    const principals = await Promise.all(
      Array.from({ length: 105 }, (_, i) => registerSecretClient(t, { displayName: `many-${i}` })),
    );
    const created = [];
    for (const p of principals) {
      created.push(
        await t.server.tessera.roleAssignments.create({
          tenantId: t.tenant.id,
          scope: f.groupScope,
          roleDefinition: 'Reader',
          principalId: p.servicePrincipal.objectId,
        }),
      );
    }
    const names = new Set<string>();
    let pageCount = 0;
    for await (const batch of client.roleAssignments
      .listForScope(f.groupScope, { filter: 'atScope()' })
      .byPage()) {
      pageCount++;
      for (const a of batch) names.add(a.name ?? '');
    }
    assert.ok(pageCount >= 2, `pages: ${pageCount}`);
    for (const a of created) assert.ok(names.has(a.name), `${a.name} is listed`);
  });
});
