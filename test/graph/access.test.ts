import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { mintTokenFor } from '../support/tokens.js';
import { PASSWORD, ropc, okBody } from '../support/users.js';
import type { GraphApp, GraphUser } from './support.js';
import {
  GRAPH_APP_ID,
  INSUFFICIENT,
  appToken,
  expectGraphError,
  expectOk,
  graph,
  graphApp,
  graphResource,
  graphUser,
} from './support.js';

const CHALLENGE =
  /^Bearer realm="", authorization_uri="https:\/\/localhost:\d+\/common\/oauth2\/authorize", client_id="00000003-0000-0000-c000-000000000000"$/;

function expect401(response: Awaited<ReturnType<typeof graph>>, message: string): void {
  expectGraphError(response, 401, 'InvalidAuthenticationToken', message);
  assert.match(response.headers.get('www-authenticate') ?? '', CHALLENGE);
}

describe('Microsoft Graph: who may call, as Entra authorizes it', () => {
  let t: TestServer;
  let reader: GraphApp;
  let member: GraphUser;
  let admin: GraphUser;

  before(async () => {
    t = await startTestServer();
    reader = await graphApp(t, 'graph-reader', ['Directory.Read.All']);
    member = await graphUser(t, 'member');
    admin = await graphUser(t, 'globaladmin', ['globalAdministrator']);
  });
  after(() => t.stop());

  test('no token, another scheme, a malformed or forged token: 401 with Graph challenge, before the body is read', async () => {
    expect401(await graph(t, undefined, 'GET', 'users'), 'Access token is empty.');
    expect401(
      await graph(t, undefined, 'GET', 'users', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
      'Access token validation failure.',
    );
    expect401(await graph(t, 'not.a.jwt', 'GET', 'users'), 'Access token validation failure.');
    const [header, payload] = reader.token.split('.');
    expect401(
      await graph(t, `${header}.${payload}.AAAA`, 'GET', 'users'),
      'Access token validation failure.',
    );
    // A write is refused before its body is read: an unreadable body makes no difference.
    expect401(
      await graph(t, undefined, 'POST', 'users', { body: '{'.repeat(10_000) }),
      'Access token is empty.',
    );
    // Unknown paths are not revealed to strangers either.
    expect401(await graph(t, undefined, 'GET', 'nothingHere'), 'Access token is empty.');
  });

  test("a token for another resource (ARM) or expired: 401 naming Graph's reason", async () => {
    const arm = await appToken(t, reader, 'https://management.azure.com/.default');
    expect401(await graph(t, arm, 'GET', 'users'), 'Access token validation failure. Invalid audience.');
    const expired = await mintTokenFor(t, 'https://graph.microsoft.com', {
      exp: Math.floor(Date.now() / 1000) - 3600,
      roles: ['Directory.Read.All'],
    });
    expect401(await graph(t, expired, 'GET', 'users'), 'Lifetime validation failed, the token is expired.');
    // Graph's three audiences: the URI with and without the slash, and its app id.
    for (const aud of ['https://graph.microsoft.com', 'https://graph.microsoft.com/', GRAPH_APP_ID]) {
      const token = await mintTokenFor(t, aud, { roles: ['Directory.Read.All'] });
      expectOk(await graph(t, token, 'GET', 'organization'));
    }
  });

  test('a token whose tid is not its issuer tenant is refused', async () => {
    const token = await mintTokenFor(t, 'https://graph.microsoft.com', {
      roles: ['Directory.Read.All'],
      tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect401(await graph(t, token, 'GET', 'users'), 'Access token validation failure. Invalid issuer.');
  });

  test('app-only: the roles claim decides; none is 403 with Graph text; /me is delegated only', async () => {
    const none = await graphApp(t, 'graph-nothing', []);
    expectGraphError(
      await graph(t, none.token, 'GET', 'users'),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    expectOk(await graph(t, reader.token, 'GET', 'users'));
    expectOk(await graph(t, reader.token, 'GET', 'servicePrincipals'));
    expectGraphError(
      await graph(t, reader.token, 'GET', 'me'),
      400,
      'BadRequest',
      '/me request is only valid with delegated authentication flow.',
    );
    // Read permissions do not write.
    expectGraphError(
      await graph(t, reader.token, 'POST', 'groups', {
        body: { displayName: 'g', mailNickname: 'g', mailEnabled: false, securityEnabled: true },
      }),
      403,
      'Authorization_RequestDenied',
    );
    // Application.Read.All reads applications, not users.
    const apps = await graphApp(t, 'graph-apps', ['Application.Read.All']);
    expectOk(await graph(t, apps.token, 'GET', 'applications'));
    expectGraphError(await graph(t, apps.token, 'GET', 'users'), 403, 'Authorization_RequestDenied');
  });

  test('delegated: User.Read reads /me and the organization only; a member reads the directory', async () => {
    const body = await okBody(
      await ropc(t, { username: member.user.userPrincipalName, scope: 'User.Read openid profile' }),
    );
    const userRead = body.access_token;
    const me = expectOk(await graph(t, userRead, 'GET', 'me'));
    assert.equal(me.id, member.user.objectId);
    expectOk(await graph(t, userRead, 'GET', 'organization'));
    expectGraphError(
      await graph(t, userRead, 'GET', 'users'),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    // With every delegated permission (`.default`), a member reads users, groups, apps and principals…
    for (const path of ['users', 'groups', 'applications', 'servicePrincipals']) {
      expectOk(await graph(t, member.token, 'GET', path));
    }
    // …but writes nothing: that takes a directory role.
    expectGraphError(
      await graph(t, member.token, 'POST', 'applications', { body: { displayName: 'by-member' } }),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    expectGraphError(
      await graph(t, member.token, 'PATCH', `users/${admin.user.objectId}`, { body: { displayName: 'x' } }),
      403,
      'Authorization_RequestDenied',
    );
  });

  test('a refusal comes before the body is read: 403, not a complaint about the payload', async () => {
    expectGraphError(
      await graph(t, member.token, 'POST', 'applications', { body: '{'.repeat(10_000) }),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(
      await graph(t, reader.token, 'PATCH', `users/${member.user.objectId}`, { body: 'not json' }),
      403,
      'Authorization_RequestDenied',
    );
  });

  test("a tenant's callers see only their own directory", async () => {
    const other = await t.server.tessera.directory.createTenant({ domain: 'fabrikam' });
    const stranger = await t.server.tessera.directory.users.create(other, {
      userPrincipalName: `stranger@${other.domain}`,
      displayName: 'Stranger',
      password: PASSWORD,
    });
    expectGraphError(
      await graph(t, admin.token, 'GET', `users/${stranger.objectId}`),
      404,
      'Request_ResourceNotFound',
    );
    const listed = expectOk(await graph(t, admin.token, 'GET', 'users?$select=id'));
    assert.ok(!(listed.value as Array<{ id: string }>).some((u) => u.id === stranger.objectId));
    expectGraphError(
      await graph(t, admin.token, 'GET', `organization/${other.id}`),
      404,
      'Request_ResourceNotFound',
    );
    const byIds = expectOk(
      await graph(t, admin.token, 'POST', 'directoryObjects/getByIds', {
        body: { ids: [stranger.objectId] },
      }),
    );
    assert.deepEqual(byIds.value, []);
  });

  test('a disabled or deleted user holding a token is refused', async () => {
    const leaving = await graphUser(t, 'leaving');
    expectOk(await graph(t, leaving.token, 'GET', 'users'));
    await t.server.tessera.directory.users.update(leaving.user, { accountEnabled: false });
    expectGraphError(await graph(t, leaving.token, 'GET', 'users'), 403, 'Authorization_RequestDenied');
  });

  test('directory roles: Global Administrator anything, Application Administrator apps, User Administrator users', async () => {
    const appAdmin = await graphUser(t, 'appadmin', ['applicationAdministrator']);
    const userAdmin = await graphUser(t, 'useradmin', ['userAdministrator']);
    const created = expectOk(
      await graph(t, appAdmin.token, 'POST', 'applications', { body: { displayName: 'by-app-admin' } }),
      201,
    );
    expectGraphError(
      await graph(t, userAdmin.token, 'POST', 'applications', { body: { displayName: 'by-user-admin' } }),
      403,
      'Authorization_RequestDenied',
    );
    const newUser = {
      accountEnabled: true,
      displayName: 'Created',
      mailNickname: 'created',
      userPrincipalName: `created@${t.tenant.domain}`,
      passwordProfile: { password: 'Str0ng-Passw0rd!', forceChangePasswordNextSignIn: false },
    };
    expectGraphError(
      await graph(t, appAdmin.token, 'POST', 'users', { body: newUser }),
      403,
      'Authorization_RequestDenied',
    );
    const user = expectOk(await graph(t, userAdmin.token, 'POST', 'users', { body: newUser }), 201);
    expectOk(await graph(t, admin.token, 'DELETE', `applications/${String(created.id)}`), 204);
    expectOk(await graph(t, admin.token, 'DELETE', `users/${String(user.id)}`), 204);
    // A User Administrator cannot reset a privileged user's password; a Global Administrator can.
    const reset = { passwordProfile: { password: 'An0ther-Passw0rd!' } };
    expectGraphError(
      await graph(t, userAdmin.token, 'PATCH', `users/${appAdmin.user.objectId}`, { body: reset }),
      403,
      'Authorization_RequestDenied',
    );
    expectOk(await graph(t, admin.token, 'PATCH', `users/${appAdmin.user.objectId}`, { body: reset }), 204);
  });

  test("admin consent to Graph's app roles: a Global Administrator grants them, an Application Administrator does not", async () => {
    const { servicePrincipal: graphSp, roles } = await graphResource(t);
    const client = await registerSecretClient(t, { displayName: 'consented' });
    const grant = {
      principalId: client.servicePrincipal.objectId,
      resourceId: graphSp.objectId,
      appRoleId: roles.get('User.Read.All'),
    };
    const appAdmin = await graphUser(t, 'appadmin2', ['applicationAdministrator']);
    expectGraphError(
      await graph(t, appAdmin.token, 'POST', `servicePrincipals/${graphSp.objectId}/appRoleAssignedTo`, {
        body: grant,
      }),
      403,
      'Authorization_RequestDenied',
    );
    const assignment = expectOk(
      await graph(t, admin.token, 'POST', `servicePrincipals/${graphSp.objectId}/appRoleAssignedTo`, {
        body: grant,
      }),
      201,
    );
    assert.equal(assignment.principalType, 'ServicePrincipal');
    assert.equal(assignment.resourceDisplayName, 'Microsoft Graph');
    // The consent shows in the app's next token, and lets it read users.
    const token = await appToken(t, client);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      roles: string[];
    };
    assert.deepEqual(claims.roles, ['User.Read.All']);
    expectOk(await graph(t, token, 'GET', 'users'));
    // Granting the same permission twice is Graph's 400.
    expectGraphError(
      await graph(t, admin.token, 'POST', `servicePrincipals/${graphSp.objectId}/appRoleAssignedTo`, {
        body: grant,
      }),
      400,
      'Request_BadRequest',
      'Permission being assigned already exists on the object.',
    );
    // A role Graph does not define is refused.
    expectGraphError(
      await graph(t, admin.token, 'POST', `servicePrincipals/${graphSp.objectId}/appRoleAssignedTo`, {
        body: { ...grant, appRoleId: '11111111-1111-1111-1111-111111111111' },
      }),
      400,
      'Request_BadRequest',
      `Permission being assigned was not found on application '${GRAPH_APP_ID}'.`,
    );
    expectOk(
      await graph(
        t,
        admin.token,
        'DELETE',
        `servicePrincipals/${graphSp.objectId}/appRoleAssignedTo/${String(assignment.id)}`,
      ),
      204,
    );
  });

  test('an app with AppRoleAssignment.ReadWrite.All grants app roles without a signed-in user', async () => {
    const granter = await graphApp(t, 'granter', ['AppRoleAssignment.ReadWrite.All']);
    const { servicePrincipal: graphSp, roles } = await graphResource(t);
    const target = await registerSecretClient(t, { displayName: 'target' });
    expectOk(
      await graph(
        t,
        granter.token,
        'POST',
        `servicePrincipals/${target.servicePrincipal.objectId}/appRoleAssignments`,
        {
          body: {
            principalId: target.servicePrincipal.objectId,
            resourceId: graphSp.objectId,
            appRoleId: roles.get('Group.Read.All'),
          },
        },
      ),
      201,
    );
    expectOk(await graph(t, await appToken(t, target), 'GET', 'groups'));
  });
});
