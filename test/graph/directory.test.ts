import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, okBody, ropc } from '../support/users.js';
import type { GraphUser } from './support.js';
import { GRAPH_APP_ID, expectGraphError, expectOk, graph, graphResource, graphUser } from './support.js';

type Json = Record<string, unknown>;
const values = (body: Json): Json[] => body.value as Json[];
const ids = (body: Json): string[] => values(body).map((v) => String(v.id));

describe('Microsoft Graph: the directory through v1.0', () => {
  let t: TestServer;
  let admin: GraphUser;
  let context: string;

  before(async () => {
    t = await startTestServer();
    admin = await graphUser(t, 'ga', ['globalAdministrator']);
    context = `${t.origin}/v1.0/$metadata`;
  });
  after(() => t.stop());

  test('/me is the signed-in user with Graph default properties (az ad signed-in-user show)', async () => {
    const me = expectOk(await graph(t, admin.token, 'GET', 'me'));
    assert.equal(me['@odata.context'], `${context}#users/$entity`);
    assert.deepEqual(Object.keys(me).sort(), [
      '@odata.context',
      'businessPhones',
      'displayName',
      'givenName',
      'id',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
      'userPrincipalName',
    ]);
    assert.equal(me.id, admin.user.objectId);
    assert.equal(me.userPrincipalName, admin.user.userPrincipalName);
    const selected = expectOk(await graph(t, admin.token, 'GET', 'me?$select=accountEnabled,userType,id'));
    assert.equal(selected['@odata.context'], `${context}#users(accountEnabled,userType,id)/$entity`);
    assert.deepEqual(selected, {
      '@odata.context': `${context}#users(accountEnabled,userType,id)/$entity`,
      id: admin.user.objectId,
      accountEnabled: true,
      userType: 'Member',
    });
  });

  test('users: create with a password that signs in, read by id and UPN, update, delete', async () => {
    const upn = `carol@${t.tenant.domain}`;
    const created = expectOk(
      await graph(t, admin.token, 'POST', 'users', {
        body: {
          accountEnabled: true,
          displayName: 'Carol',
          mailNickname: 'carol',
          userPrincipalName: upn,
          passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: false },
        },
      }),
      201,
    );
    assert.equal(created['@odata.context'], `${context}#users/$entity`);
    const id = String(created.id);
    await okBody(await ropc(t, { username: upn, scope: 'User.Read' }));
    assert.equal(expectOk(await graph(t, admin.token, 'GET', `users/${upn}`)).id, id);
    assert.equal(expectOk(await graph(t, admin.token, 'GET', `users('${upn}')`)).id, id);
    expectOk(
      await graph(t, admin.token, 'PATCH', `users/${id}`, {
        body: { displayName: 'Carol C', givenName: 'Carol', surname: 'Example', accountEnabled: false },
      }),
      204,
    );
    const updated = expectOk(
      await graph(t, admin.token, 'GET', `users/${id}?$select=displayName,givenName,surname,accountEnabled`),
    );
    assert.equal(updated.displayName, 'Carol C');
    assert.equal(updated.givenName, 'Carol');
    assert.equal(updated.surname, 'Example');
    assert.equal(updated.accountEnabled, false);
    // A duplicate UPN, a weak password, another domain: Graph's 400.
    const duplicate = await graph(t, admin.token, 'POST', 'users', {
      body: {
        accountEnabled: true,
        displayName: 'Again',
        mailNickname: 'carol',
        userPrincipalName: upn,
        passwordProfile: { password: PASSWORD },
      },
    });
    expectGraphError(
      duplicate,
      400,
      'Request_BadRequest',
      /Another object with the same value for property userPrincipalName/,
    );
    const weak = await graph(t, admin.token, 'POST', 'users', {
      body: {
        accountEnabled: true,
        displayName: 'Weak',
        mailNickname: 'weak',
        userPrincipalName: `weak@${t.tenant.domain}`,
        passwordProfile: { password: 'short' },
      },
    });
    expectGraphError(weak, 400, 'Request_BadRequest', /password complexity/);
    expectGraphError(
      await graph(t, admin.token, 'POST', 'users', { body: { displayName: 'Half' } }),
      400,
      'Request_BadRequest',
      "Property 'accountEnabled' of resource 'User' is required when creating the resource.",
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `users/${id}`, { body: { favouriteColour: 'blue' } }),
      400,
      'BadRequest',
      /The property 'favouriteColour' does not exist on type 'microsoft.graph.user'/,
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `users/${id}`, { body: { accountEnabled: 'yes' } }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'accountEnabled' of resource 'User'.",
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `users/${id}`, { body: { jobTitle: 'Engineer' } }),
      400,
      'Request_BadRequest',
      /'jobTitle'.*not supported by Tessera/,
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `users/${id}`, { body: 'not json' }),
      400,
      'BadRequest',
    );
    expectOk(await graph(t, admin.token, 'DELETE', `users/${id}`), 204);
    expectGraphError(
      await graph(t, admin.token, 'GET', `users/${id}`),
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
    expectGraphError(await graph(t, admin.token, 'DELETE', `users/${id}`), 404, 'Request_ResourceNotFound');
  });

  test('groups: create, members by $ref, transitive members and memberships, remove, delete', async () => {
    const create = (name: string) =>
      graph(t, admin.token, 'POST', 'groups', {
        body: { displayName: name, mailNickname: name, mailEnabled: false, securityEnabled: true },
      });
    const outer = expectOk(await create('outer'), 201);
    const inner = expectOk(await create('inner'), 201);
    assert.equal(outer.securityEnabled, true);
    assert.equal(outer['@odata.context'], `${context}#groups/$entity`);
    const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
    expectOk(
      await graph(t, admin.token, 'POST', `groups/${String(outer.id)}/members/$ref`, {
        body: ref(String(inner.id)),
      }),
      204,
    );
    expectOk(
      await graph(t, admin.token, 'POST', `groups/${String(inner.id)}/members/$ref`, {
        body: ref(admin.user.objectId),
      }),
      204,
    );
    expectGraphError(
      await graph(t, admin.token, 'POST', `groups/${String(inner.id)}/members/$ref`, {
        body: ref(admin.user.objectId),
      }),
      400,
      'Request_BadRequest',
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    expectGraphError(
      await graph(t, admin.token, 'POST', `groups/${String(inner.id)}/members/$ref`, {
        body: ref('11111111-2222-3333-4444-555555555555'),
      }),
      404,
      'Request_ResourceNotFound',
    );
    const members = expectOk(await graph(t, admin.token, 'GET', `groups/${String(outer.id)}/members`));
    assert.equal(members['@odata.context'], `${context}#directoryObjects`);
    assert.deepEqual(
      values(members).map((m) => [m['@odata.type'], m.id]),
      [['#microsoft.graph.group', inner.id]],
    );
    const transitive = expectOk(
      await graph(t, admin.token, 'GET', `groups/${String(outer.id)}/transitiveMembers`),
    );
    assert.deepEqual(
      values(transitive)
        .map((m) => m['@odata.type'])
        .sort(),
      ['#microsoft.graph.group', '#microsoft.graph.user'],
    );
    const memberOf = expectOk(await graph(t, admin.token, 'GET', 'me/transitiveMemberOf'));
    assert.deepEqual(ids(memberOf).sort(), [String(inner.id), String(outer.id)].sort());
    assert.deepEqual(ids(expectOk(await graph(t, admin.token, 'GET', 'me/memberOf'))), [String(inner.id)]);
    const memberGroups = expectOk(
      await graph(t, admin.token, 'POST', `users/${admin.user.objectId}/getMemberGroups`, {
        body: { securityEnabledOnly: true },
      }),
    );
    assert.deepEqual((memberGroups.value as string[]).sort(), [String(inner.id), String(outer.id)].sort());
    const checked = expectOk(
      await graph(t, admin.token, 'POST', `directoryObjects/${admin.user.objectId}/checkMemberGroups`, {
        body: { groupIds: [outer.id, '11111111-2222-3333-4444-555555555555'] },
      }),
    );
    assert.deepEqual(checked.value, [outer.id]);
    expectOk(
      await graph(t, admin.token, 'DELETE', `groups/${String(inner.id)}/members/${admin.user.objectId}/$ref`),
      204,
    );
    expectGraphError(
      await graph(t, admin.token, 'DELETE', `groups/${String(inner.id)}/members/${admin.user.objectId}/$ref`),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await graph(t, admin.token, 'POST', 'groups', {
        body: {
          displayName: 'm365',
          mailNickname: 'm365',
          mailEnabled: true,
          securityEnabled: false,
          groupTypes: ['Unified'],
        },
      }),
      400,
      'Request_BadRequest',
    );
    expectOk(await graph(t, admin.token, 'DELETE', `groups/${String(outer.id)}`), 204);
    expectGraphError(
      await graph(t, admin.token, 'GET', `groups/${String(outer.id)}`),
      404,
      'Request_ResourceNotFound',
    );
  });

  test('applications and service principals as az ad app / sp create them; secrets from addPassword sign in', async () => {
    const app = expectOk(
      await graph(t, admin.token, 'POST', 'applications', {
        // What `az ad app create --display-name … --identifier-uris …` sends.
        body: {
          displayName: 'orders',
          identifierUris: ['api://orders'],
          keyCredentials: [],
          web: { redirectUris: ['https://localhost/callback'] },
        },
      }),
      201,
    );
    assert.equal(app['@odata.context'], `${context}#applications/$entity`);
    assert.deepEqual(app.identifierUris, ['api://orders']);
    assert.equal(app.publisherDomain, t.tenant.domain);
    const appId = String(app.appId);
    // The alternate key by appId, as Graph's docs use it.
    assert.equal(expectOk(await graph(t, admin.token, 'GET', `applications(appId='${appId}')`)).id, app.id);
    const sp = expectOk(
      await graph(t, admin.token, 'POST', 'servicePrincipals', { body: { appId, accountEnabled: true } }),
      201,
    );
    assert.deepEqual((sp.servicePrincipalNames as string[]).sort(), ['api://orders', appId].sort());
    expectGraphError(
      await graph(t, admin.token, 'POST', 'servicePrincipals', { body: { appId } }),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    const secret = expectOk(
      await graph(t, admin.token, 'POST', `applications/${String(app.id)}/addPassword`, {
        body: { passwordCredential: { displayName: 'ci', endDateTime: '2099-01-01T00:00:00Z' } },
      }),
    );
    assert.equal(secret['@odata.context'], `${context}#microsoft.graph.passwordCredential`);
    assert.equal(secret.endDateTime, '2099-01-01T00:00:00Z');
    assert.match(String(secret.secretText), /^.{3}8Q~.{34}$/);
    const credential = new ClientSecretCredential(t.tenant.id, appId, String(secret.secretText), {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
    assert.ok((await credential.getToken('https://management.azure.com/.default')).token);
    // The secret is never shown again.
    const listed = expectOk(await graph(t, admin.token, 'GET', `applications/${String(app.id)}`));
    assert.deepEqual(
      (listed.passwordCredentials as Json[]).map((c) => [c.keyId, c.secretText, c.hint]),
      [[secret.keyId, null, String(secret.secretText).slice(0, 3)]],
    );
    // PATCH: new identifier URIs reach the service principal's names.
    expectOk(
      await graph(t, admin.token, 'PATCH', `applications/${String(app.id)}`, {
        body: {
          identifierUris: ['api://orders-v2'],
          appRoles: [
            {
              id: '6f1cd1a4-2b7e-4c3d-9a15-8e2f0b7c4d11',
              value: 'Orders.Approve',
              displayName: 'Approve',
              description: 'Approve orders',
              allowedMemberTypes: ['Application'],
              isEnabled: true,
            },
          ],
          api: { requestedAccessTokenVersion: 2 },
        },
      }),
      204,
    );
    const renamed = expectOk(await graph(t, admin.token, 'GET', `servicePrincipals(appId='${appId}')`));
    assert.deepEqual((renamed.servicePrincipalNames as string[]).sort(), ['api://orders-v2', appId].sort());
    assert.deepEqual(
      (renamed.appRoles as Json[]).map((r) => r.value),
      ['Orders.Approve'],
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `applications/${String(app.id)}`, {
        body: { requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [] }] },
      }),
      400,
      'Request_BadRequest',
      /not supported by Tessera/,
    );
    expectGraphError(
      await graph(t, admin.token, 'PATCH', `applications/${String(app.id)}`, {
        body: { signInAudience: 'Everyone' },
      }),
      400,
      'Request_BadRequest',
    );
    expectOk(
      await graph(t, admin.token, 'POST', `applications/${String(app.id)}/removePassword`, {
        body: { keyId: secret.keyId },
      }),
      204,
    );
    await assert.rejects(
      new ClientSecretCredential(t.tenant.id, appId, String(secret.secretText), {
        authorityHost: t.origin,
        disableInstanceDiscovery: true,
      }).getToken('https://management.azure.com/.default'),
    );
    expectGraphError(
      await graph(t, admin.token, 'POST', `applications/${String(app.id)}/removePassword`, {
        body: { keyId: secret.keyId },
      }),
      404,
      'Request_ResourceNotFound',
    );
    expectOk(await graph(t, admin.token, 'DELETE', `servicePrincipals/${String(sp.id)}`), 204);
    expectOk(await graph(t, admin.token, 'DELETE', `applications/${String(app.id)}`), 204);
    expectGraphError(
      await graph(t, admin.token, 'GET', `applications/${String(app.id)}`),
      404,
      'Request_ResourceNotFound',
    );
    // First-party principals are part of every tenant.
    const { servicePrincipal: graphSp } = await graphResource(t);
    expectGraphError(
      await graph(t, admin.token, 'DELETE', `servicePrincipals/${graphSp.objectId}`),
      400,
      'Request_BadRequest',
    );
  });

  test("Microsoft Graph's principal lists its permissions with Microsoft's ids", async () => {
    const sp = expectOk(
      await graph(
        t,
        admin.token,
        'GET',
        `servicePrincipals(appId='${GRAPH_APP_ID}')?$select=appRoles,oauth2PermissionScopes`,
      ),
    );
    const role = (sp.appRoles as Json[]).find((r) => r.value === 'Application.ReadWrite.All');
    assert.equal(role?.id, '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9');
    assert.deepEqual(role?.allowedMemberTypes, ['Application']);
    const scope = (sp.oauth2PermissionScopes as Json[]).find((s) => s.value === 'Directory.AccessAsUser.All');
    assert.equal(scope?.id, '0e263e50-5827-48a4-b97c-d940288653c7');
  });

  test('directoryObjects/getByIds as az resolves an assignee; organization is the tenant', async () => {
    const { servicePrincipal: graphSp } = await graphResource(t);
    const found = expectOk(
      await graph(t, admin.token, 'POST', 'directoryObjects/getByIds', {
        body: {
          ids: [admin.user.objectId, graphSp.objectId, '11111111-2222-3333-4444-555555555555'],
          types: ['user', 'group', 'servicePrincipal', 'directoryObjectPartnerReference'],
        },
      }),
    );
    assert.equal(found['@odata.context'], `${context}#directoryObjects`);
    assert.deepEqual(
      values(found).map((o) => [o['@odata.type'], o.id]),
      [
        ['#microsoft.graph.user', admin.user.objectId],
        ['#microsoft.graph.servicePrincipal', graphSp.objectId],
      ],
    );
    const onlyUsers = expectOk(
      await graph(t, admin.token, 'POST', 'directoryObjects/getByIds', {
        body: { ids: [admin.user.objectId, graphSp.objectId], types: ['user'] },
      }),
    );
    assert.deepEqual(ids(onlyUsers), [admin.user.objectId]);
    expectGraphError(
      await graph(t, admin.token, 'POST', 'directoryObjects/getByIds', { body: { ids: 'x' } }),
      400,
      'Request_BadRequest',
    );
    expectGraphError(
      await graph(t, admin.token, 'POST', 'directoryObjects/getByIds', {
        body: { ids: [admin.user.objectId], types: ['planet'] },
      }),
      400,
      'Request_BadRequest',
    );
    const org = expectOk(await graph(t, admin.token, 'GET', 'organization'));
    assert.equal(org['@odata.context'], `${context}#organization`);
    assert.deepEqual(
      values(org).map((o) => [o.id, (o.verifiedDomains as Json[])[0]?.name]),
      [[t.tenant.id, t.tenant.domain]],
    );
    expectOk(await graph(t, admin.token, 'GET', `organization/${t.tenant.id}`));
    expectGraphError(
      await graph(t, admin.token, 'GET', 'organization/11111111-2222-3333-4444-555555555555'),
      404,
      'Request_ResourceNotFound',
    );
  });

  test('service principals and groups in groups: memberOf, getMemberGroups, directoryObjects/{id}, counts', async () => {
    const create = async (name: string) =>
      expectOk(
        await graph(t, admin.token, 'POST', 'groups', {
          body: { displayName: name, mailNickname: name, mailEnabled: false, securityEnabled: true },
        }),
        201,
      );
    const parent = await create('parent');
    const child = await create('child');
    const { servicePrincipal: graphSp } = await graphResource(t);
    const ref = (id: string) => ({ '@odata.id': `${t.origin}/v1.0/directoryObjects/${id}` });
    expectOk(
      await graph(t, admin.token, 'POST', `groups/${String(parent.id)}/members/$ref`, {
        body: ref(String(child.id)),
      }),
      204,
    );
    expectOk(
      await graph(t, admin.token, 'POST', `groups/${String(child.id)}/members/$ref`, {
        body: ref(graphSp.objectId),
      }),
      204,
    );
    const spGroups = expectOk(
      await graph(t, admin.token, 'GET', `servicePrincipals/${graphSp.objectId}/transitiveMemberOf`),
    );
    assert.deepEqual(ids(spGroups).sort(), [String(parent.id), String(child.id)].sort());
    assert.deepEqual(
      ids(expectOk(await graph(t, admin.token, 'GET', `servicePrincipals/${graphSp.objectId}/memberOf`))),
      [String(child.id)],
    );
    assert.deepEqual(
      ids(expectOk(await graph(t, admin.token, 'GET', `groups/${String(child.id)}/memberOf`))),
      [String(parent.id)],
    );
    assert.deepEqual(
      ids(expectOk(await graph(t, admin.token, 'GET', `groups/${String(child.id)}/transitiveMemberOf`))),
      [String(parent.id)],
    );
    const groupGroups = expectOk(
      await graph(t, admin.token, 'POST', `groups/${String(child.id)}/getMemberGroups`, {
        body: { securityEnabledOnly: false },
      }),
    );
    assert.deepEqual(groupGroups.value, [parent.id]);
    const objectGroups = expectOk(
      await graph(t, admin.token, 'POST', `directoryObjects/${graphSp.objectId}/getMemberGroups`, {
        body: { securityEnabledOnly: true },
      }),
    );
    assert.deepEqual((objectGroups.value as string[]).sort(), [String(parent.id), String(child.id)].sort());
    expectGraphError(
      await graph(t, admin.token, 'POST', `directoryObjects/${graphSp.objectId}/getMemberGroups`, {
        body: {},
      }),
      400,
      'Request_BadRequest',
    );
    const object = expectOk(await graph(t, admin.token, 'GET', `directoryObjects/${String(parent.id)}`));
    assert.equal(object['@odata.type'], '#microsoft.graph.group');
    assert.equal(object['@odata.context'], `${context}#directoryObjects/$entity`);
    expectGraphError(
      await graph(t, admin.token, 'GET', 'directoryObjects/11111111-2222-3333-4444-555555555555'),
      404,
      'Request_ResourceNotFound',
    );
    const eventual = { headers: { consistencylevel: 'eventual' } };
    for (const set of ['groups', 'applications', 'servicePrincipals']) {
      const count = await graph(t, admin.token, 'GET', `${set}/$count`, eventual);
      const listed = expectOk(await graph(t, admin.token, 'GET', `${set}?$select=id&$top=999`));
      assert.equal(count.text, String(values(listed).length), set);
    }
    // A group deleted leaves no dangling membership behind.
    expectOk(await graph(t, admin.token, 'DELETE', `groups/${String(child.id)}`), 204);
    assert.deepEqual(
      ids(expectOk(await graph(t, admin.token, 'GET', `groups/${String(parent.id)}/members`))),
      [],
    );
  });

  test('appRoleAssignments of users and principals list what they hold', async () => {
    const api = expectOk(
      await graph(t, admin.token, 'POST', 'applications', {
        body: {
          displayName: 'reports',
          appRoles: [
            {
              id: '0a1b2c3d-0000-4000-8000-000000000001',
              value: 'Reports.Read',
              displayName: 'Read reports',
              description: 'Read reports',
              allowedMemberTypes: ['User'],
              isEnabled: true,
            },
          ],
        },
      }),
      201,
    );
    const sp = expectOk(
      await graph(t, admin.token, 'POST', 'servicePrincipals', { body: { appId: api.appId } }),
      201,
    );
    const assignment = expectOk(
      await graph(t, admin.token, 'POST', `users/${admin.user.objectId}/appRoleAssignments`, {
        body: {
          principalId: admin.user.objectId,
          resourceId: sp.id,
          appRoleId: '0a1b2c3d-0000-4000-8000-000000000001',
        },
      }),
      201,
    );
    assert.equal(assignment.principalType, 'User');
    assert.equal(assignment.principalDisplayName, admin.user.displayName);
    const held = expectOk(
      await graph(t, admin.token, 'GET', `users/${admin.user.objectId}/appRoleAssignments`),
    );
    assert.equal(held['@odata.context'], `${context}#users('${admin.user.objectId}')/appRoleAssignments`);
    assert.deepEqual(ids(held), [String(assignment.id)]);
    const assignedTo = expectOk(
      await graph(t, admin.token, 'GET', `servicePrincipals/${String(sp.id)}/appRoleAssignedTo`),
    );
    assert.deepEqual(ids(assignedTo), [String(assignment.id)]);
    // A role for users cannot be given to an application.
    const { servicePrincipal: graphSp } = await graphResource(t);
    expectGraphError(
      await graph(t, admin.token, 'POST', `servicePrincipals/${String(sp.id)}/appRoleAssignedTo`, {
        body: {
          principalId: graphSp.objectId,
          resourceId: sp.id,
          appRoleId: '0a1b2c3d-0000-4000-8000-000000000001',
        },
      }),
      400,
      'Request_BadRequest',
    );
    // The principal's side lists and revokes too.
    const { servicePrincipal: graphSpAgain, roles } = await graphResource(t);
    const granted = expectOk(
      await graph(t, admin.token, 'POST', `servicePrincipals/${String(sp.id)}/appRoleAssignments`, {
        body: {
          principalId: sp.id,
          resourceId: graphSpAgain.objectId,
          appRoleId: roles.get('User.Read.All'),
        },
      }),
      201,
    );
    assert.equal(
      expectOk(await graph(t, admin.token, 'GET', `servicePrincipals/${String(sp.id)}/appRoleAssignments`))[
        '@odata.context'
      ],
      `${context}#servicePrincipals('${String(sp.id)}')/appRoleAssignments`,
    );
    expectGraphError(
      await graph(
        t,
        admin.token,
        'DELETE',
        `servicePrincipals/${String(sp.id)}/appRoleAssignedTo/${String(granted.id)}`,
      ),
      404,
      'Request_ResourceNotFound',
    );
    expectOk(
      await graph(
        t,
        admin.token,
        'DELETE',
        `servicePrincipals/${String(sp.id)}/appRoleAssignments/${String(granted.id)}`,
      ),
      204,
    );
    expectOk(
      await graph(
        t,
        admin.token,
        'DELETE',
        `users/${admin.user.objectId}/appRoleAssignments/${String(assignment.id)}`,
      ),
      204,
    );
    assert.deepEqual(
      ids(expectOk(await graph(t, admin.token, 'GET', `users/${admin.user.objectId}/appRoleAssignments`))),
      [],
    );
  });
});
