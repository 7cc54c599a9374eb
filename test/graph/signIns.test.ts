import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postForm, tokenUrl } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { AZURE_CLI, PASSWORD, createUser, ropc } from '../support/users.js';
import type { GraphApp, GraphUser } from './support.js';
import { INSUFFICIENT, expectGraphError, expectOk, graph, graphApp, graphUser } from './support.js';

interface SignIn {
  id: string;
  createdDateTime: string;
  userPrincipalName: string;
  userId: string | null;
  userDisplayName: string | null;
  appId: string | null;
  appDisplayName: string | null;
  resourceDisplayName: string | null;
  ipAddress: string;
  clientAppUsed: string;
  isInteractive: boolean;
  status: { errorCode: number; failureReason: string };
}

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';

describe('Microsoft Graph: auditLogs/signIns, the sign-in log', () => {
  let t: TestServer;
  let auditor: GraphApp;
  let started: string;
  let aliceId: string;

  /** The signIns an app-only token lists for a query (the path after `auditLogs/signIns`). */
  const list = async (query = '', token = auditor.token) => {
    const body = expectOk(await graph(t, token, 'GET', `auditLogs/signIns${query}`));
    return body as { value: SignIn[]; '@odata.nextLink'?: string; '@odata.context': string };
  };
  const filtered = async (filter: string) => (await list(`?$filter=${encodeURIComponent(filter)}`)).value;

  before(async () => {
    t = await startTestServer();
    started = new Date(Date.now() - 1000).toISOString();
    auditor = await graphApp(t, 'graph-auditor', ['AuditLog.Read.All']);
    const alice = await createUser(t, 'alice');
    aliceId = alice.objectId;
    assert.equal((await ropc(t, { username: alice.userPrincipalName, scope: GRAPH_SCOPE })).status, 200);
    const wrong = await ropc(t, {
      username: alice.userPrincipalName,
      password: 'Not-The-Password-1',
      scope: ARM_SCOPE,
    });
    assert.equal(wrong.status, 400);
    await createUser(t, 'bob');
    assert.equal((await ropc(t, { username: `bob@${t.tenant.domain}`, scope: ARM_SCOPE })).status, 200);
    assert.equal((await ropc(t, { username: `nobody@${t.tenant.domain}`, scope: ARM_SCOPE })).status, 400);
  });
  after(() => t.stop());

  test('every attempt is listed newest first, in Graph’s signIn shape', async () => {
    const body = await list();
    assert.match(body['@odata.context'], /\/v1\.0\/\$metadata#auditLogs\/signIns$/);
    assert.equal(body['@odata.nextLink'], undefined);
    const alices = body.value.filter((s) => s.userPrincipalName === `alice@${t.tenant.domain}`);
    assert.equal(alices.length, 2);
    const [failure, success] = alices as [SignIn, SignIn];
    assert.equal(failure.status.errorCode, 50126);
    assert.match(failure.status.failureReason, /invalid username or password/);
    assert.equal(failure.resourceDisplayName, 'Windows Azure Service Management API');
    assert.equal(success.status.errorCode, 0);
    assert.equal(success.status.failureReason, 'Other.');
    assert.equal(success.resourceDisplayName, 'Microsoft Graph');
    for (const record of alices) {
      assert.equal(record.userId, aliceId);
      assert.equal(record.userDisplayName, 'Alice Example');
      assert.equal(record.appId, AZURE_CLI);
      assert.equal(record.appDisplayName, 'Microsoft Azure CLI');
      assert.equal(record.clientAppUsed, 'Mobile Apps and Desktop clients');
      // The password grant counts as interactive: the person typed it.
      assert.equal(record.isInteractive, true);
      assert.match(record.ipAddress, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    }
    const times = body.value.map((s) => Date.parse(s.createdDateTime));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    // A name nobody has is logged as typed, with no user id.
    const nobody = body.value.find((s) => s.userPrincipalName === `nobody@${t.tenant.domain}`);
    assert.equal(nobody?.userId, null);

    const one = expectOk(await graph(t, auditor.token, 'GET', `auditLogs/signIns/${success.id}`));
    assert.equal(one.id, success.id);
    assert.match(String(one['@odata.context']), /#auditLogs\/signIns\/\$entity$/);
    expectGraphError(
      await graph(t, auditor.token, 'GET', 'auditLogs/signIns/00000000-0000-0000-0000-000000000000'),
      404,
      'Request_ResourceNotFound',
    );
  });

  test('$filter: user, app, status, time, combined; strings without regard to case', async () => {
    const upn = `alice@${t.tenant.domain}`;
    assert.equal((await filtered(`userPrincipalName eq '${upn.toUpperCase()}'`)).length, 2);
    assert.equal((await filtered(`startswith(userPrincipalName,'ALI')`)).length, 2);
    // LIKE's wildcards are plain characters in startswith.
    assert.equal((await filtered(`startswith(userPrincipalName,'_')`)).length, 0);
    assert.equal((await filtered(`startswith(userPrincipalName,'%')`)).length, 0);
    assert.equal((await filtered(`userId eq '${aliceId}'`)).length, 2);
    const failures = await filtered('status/errorCode ne 0');
    assert.deepEqual(failures.map((s) => s.userPrincipalName).sort(), [upn, `nobody@${t.tenant.domain}`]);
    const successes = await filtered('status/errorCode eq 0');
    assert.ok(successes.length === 2 && successes.every((s) => s.status.errorCode === 0));
    assert.equal((await filtered(`userPrincipalName eq '${upn}' and status/errorCode eq 0`)).length, 1);
    assert.equal(
      (await filtered(`userPrincipalName eq '${upn}' or startswith(userPrincipalName,'bob')`)).length,
      3,
    );
    // Only people's sign-ins are logged (an app's client credentials are not), all through az here.
    assert.equal((await filtered(`appId eq '${AZURE_CLI}'`)).length, (await list()).value.length);
    assert.equal((await filtered(`appId eq '${aliceId}'`)).length, 0);
    assert.equal((await filtered(`appDisplayName eq 'Microsoft Azure CLI' and userId eq null`)).length, 1);
    assert.equal((await filtered(`startswith(appDisplayName,'graph-auditor')`)).length, 0);
    assert.equal((await filtered(`resourceDisplayName eq 'Microsoft Graph'`)).length, 1);
    assert.equal((await filtered(`clientAppUsed eq 'Browser'`)).length, 0);
    assert.equal((await filtered(`isInteractive eq true`)).length, (await list()).value.length);
    assert.equal((await filtered(`userPrincipalName in ('${upn}', 'bob@${t.tenant.domain}')`)).length, 3);
    // Time: the window holds them all, a window in the future none.
    const now = new Date(Date.now() + 1000).toISOString();
    const all = (await list()).value.length;
    assert.equal((await filtered(`createdDateTime ge ${started} and createdDateTime le ${now}`)).length, all);
    assert.equal((await filtered(`createdDateTime ge ${now}`)).length, 0);
    assert.equal((await filtered(`createdDateTime le ${started}`)).length, 0);
    // $select keeps what was asked.
    const selected = await list(`?$select=id,status&$filter=${encodeURIComponent(`userId eq '${aliceId}'`)}`);
    assert.deepEqual(Object.keys(selected.value[0] ?? {}), ['id', 'status']);
    assert.match(selected['@odata.context'], /#auditLogs\/signIns\(id,status\)$/);
  });

  test('$top pages with @odata.nextLink, which keeps the filter', async () => {
    const all = (await list()).value.map((s) => s.id);
    const seen: string[] = [];
    let next: string | undefined = 'auditLogs/signIns?$top=2';
    for (let pages = 0; next !== undefined; pages++) {
      assert.ok(pages < 10, 'paging ends');
      const body = await list(next.replace(/^.*auditLogs\/signIns/, ''));
      assert.ok(body.value.length <= 2);
      seen.push(...body.value.map((s) => s.id));
      next = body['@odata.nextLink'];
      if (next)
        assert.match(next, /^https:\/\/localhost:\d+\/v1\.0\/auditLogs\/signIns\?\$top=2&\$skiptoken=/);
    }
    assert.deepEqual(seen, all);

    const filter = encodeURIComponent('status/errorCode ne 0');
    const first = await list(`?$filter=${filter}&$top=1`);
    assert.equal(first.value.length, 1);
    assert.equal(
      new URL(first['@odata.nextLink'] ?? '').searchParams.get('$filter'),
      'status/errorCode ne 0',
    );
    const second = await list(first['@odata.nextLink']?.replace(/^.*auditLogs\/signIns/, '') ?? '');
    assert.equal(second.value.length, 1);
    assert.notEqual(second.value[0]?.id, first.value[0]?.id);
    assert.equal(second['@odata.nextLink'], undefined);

    // A sign-in made between pages does not move what the next page holds.
    const page1 = await list('?$top=2');
    assert.equal((await ropc(t, { username: `bob@${t.tenant.domain}`, scope: ARM_SCOPE })).status, 200);
    const page2 = await list(page1['@odata.nextLink']?.replace(/^.*auditLogs\/signIns/, '') ?? '');
    assert.deepEqual(
      page2.value.map((s) => s.id),
      all.slice(2, 4),
    );
  });

  test('bad queries get Graph’s 400', async () => {
    const bad = async (query: string, code: string, message: RegExp) =>
      expectGraphError(
        await graph(t, auditor.token, 'GET', `auditLogs/signIns?${query}`),
        400,
        code,
        message,
      );
    const f = (text: string) => `$filter=${encodeURIComponent(text)}`;
    await bad(f("userPrincipalName eq 'a"), 'BadRequest', /^Invalid filter clause: Syntax error/);
    await bad(
      f("displayName eq 'a'"),
      'BadRequest',
      /Could not find a property named 'displayName' on type 'microsoft\.graph\.signIn'/,
    );
    await bad(f("riskState eq 'none'"), 'Request_UnsupportedQuery', /cannot be filtered by 'riskState'/);
    await bad(f("startswith(appId,'04b')"), 'Request_UnsupportedQuery', /'appId' does not take 'startsWith'/);
    await bad(f('not (status/errorCode eq 0)'), 'Request_UnsupportedQuery', /'not' is not supported/);
    await bad(
      f("endswith(userPrincipalName,'x')"),
      'Request_UnsupportedQuery',
      /'endswith' is not supported/,
    );
    await bad(f("status/errorCode eq '0'"), 'BadRequest', /a value of another type/);
    await bad(f('createdDateTime ge 2024-13-45T00:00:00Z'), 'BadRequest', /a value of another type/);
    await bad('$top=0', 'Request_BadRequest', /Invalid page size specified: '0'/);
    await bad('$top=1001', 'Request_BadRequest', /Must be between 1 and 1000 inclusive/);
    await bad('$skiptoken=nonsense', 'Request_BadRequest', /page token value is not valid/);
    await bad('$orderby=createdDateTime', 'BadRequest', /Query option '\$orderby' is not supported/);
    await bad('$top=1&$top=2', 'BadRequest', /specified more than once/);
  });

  test('refused without AuditLog.Read.All or a reports role; each tenant sees its own log', async () => {
    const users = await graphApp(t, 'graph-users-reader', ['User.Read.All']);
    expectGraphError(
      await graph(t, users.token, 'GET', 'auditLogs/signIns'),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    const directoryReader = await graphApp(t, 'graph-directory-reader', ['Directory.Read.All']);
    expectOk(await graph(t, directoryReader.token, 'GET', 'auditLogs/signIns?$top=1'));

    // Users: a member has the scope (.default) but no role that reads reports.
    const member: GraphUser = await graphUser(t, 'member');
    expectGraphError(
      await graph(t, member.token, 'GET', 'auditLogs/signIns'),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    expectGraphError(
      await graph(t, member.token, 'GET', 'auditLogs/signIns/00000000-0000-0000-0000-000000000000'),
      403,
      'Authorization_RequestDenied',
    );
    for (const [alias, role] of [
      ['reports', 'reportsReader'],
      ['secreader', 'securityReader'],
      ['secadmin', 'securityAdministrator'],
      ['globalreader', 'globalReader'],
      ['globaladmin', 'globalAdministrator'],
    ] as const) {
      const user = await graphUser(t, alias, [role]);
      const own = await list(
        `?$filter=${encodeURIComponent(`userId eq '${user.user.objectId}'`)}`,
        user.token,
      );
      assert.equal(own.value.length, 1, `${role} reads the log and finds their own sign-in`);
    }
    // Neither the User Administrator nor Directory Readers read sign-ins.
    const userAdmin = await graphUser(t, 'useradmin', ['userAdministrator']);
    expectGraphError(
      await graph(t, userAdmin.token, 'GET', 'auditLogs/signIns'),
      403,
      'Authorization_RequestDenied',
    );

    const other = await t.server.tessera.directory.createTenant({ domain: 'fabrikam' });
    const stranger = await t.server.tessera.directory.users.create(other, {
      userPrincipalName: `stranger@${other.domain}`,
      displayName: 'Stranger',
      password: PASSWORD,
    });
    const theirs = await postForm(tokenUrl(t, other.id), {
      client_id: AZURE_CLI,
      grant_type: 'password',
      username: stranger.userPrincipalName,
      password: PASSWORD,
      scope: ARM_SCOPE,
    });
    assert.equal(theirs.status, 200);
    const mine = (await list()).value;
    assert.ok(!mine.some((s) => s.userPrincipalName === stranger.userPrincipalName));
    assert.equal((await filtered(`userId eq '${stranger.objectId}'`)).length, 0);
  });
});
