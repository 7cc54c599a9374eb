import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AZURE_CLI } from '../support/users.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { postForm, tokenUrl } from '../support/authority.js';
import { runCli } from './support.js';

interface GraphUser {
  '@odata.context'?: string;
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: null;
  mailNickname: string;
  givenName: string | null;
  surname: string | null;
  accountEnabled: boolean;
  businessPhones: string[];
}

interface GraphSignIn {
  id: string;
  createdDateTime: string;
  userId: string | null;
  userPrincipalName: string;
  appId: string;
  resourceDisplayName: string | null;
  ipAddress: string;
  authenticationProtocol: string;
  isInteractive: boolean;
  status: { errorCode: number; failureReason: string };
}

/** `tessera ad user` and `ad signin list` against a data folder a running server shares. */
describe('tessera ad user and ad signin', () => {
  let t: TestServer;
  const cli = (words: string, ...values: string[]) =>
    runCli([...words.split(' ').filter(Boolean), ...values, ...storeArgs(t)]);
  const json = async <T>(words: string, ...values: string[]): Promise<T> => {
    const result = await cli(words, ...values);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as T;
  };
  const upn = (alias: string) => `${alias}@${t.tenant.domain}`;
  const signIn = (username: string, password: string) =>
    postForm(tokenUrl(t), {
      client_id: AZURE_CLI,
      grant_type: 'password',
      username,
      password,
      scope: 'https://management.azure.com/.default openid profile offline_access',
    });

  // The server notices directory changes made by another process (this CLI) within a second.
  const serverCatchesUp = () => new Promise((resolve) => setTimeout(resolve, 1100));

  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('creates a user and prints Graph JSON without any password', async () => {
    const result = await cli(
      'ad user create --user-principal-name',
      upn('alice'),
      '--display-name',
      'Alice Example',
      '--password',
      'Secret-Pass-1',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /Secret-Pass-1|argon2|password/i);
    const user = JSON.parse(result.stdout) as GraphUser;
    assert.equal(user['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#users/$entity');
    assert.match(user.id, /^[0-9a-f-]{36}$/);
    assert.equal(user.userPrincipalName, upn('alice'));
    assert.equal(user.displayName, 'Alice Example');
    assert.equal(user.mailNickname, 'alice');
    assert.equal(user.mail, null);
    assert.equal(user.accountEnabled, true);
    assert.deepEqual(user.businessPhones, []);
    // The server sees the new user at once: the CLI wrote through the shared store.
    assert.equal((await signIn(upn('ALICE'), 'Secret-Pass-1')).status, 200);
  });

  it('refuses weak passwords, foreign domains and duplicate UPNs with clear errors', async () => {
    const create = (alias: string, password: string, domain = t.tenant.domain) =>
      cli(
        'ad user create --user-principal-name',
        `${alias}@${domain}`,
        '--display-name',
        alias,
        '--password',
        password,
      );
    for (const weak of ['Sh0rt!', 'alllowercase', 'lowercase123', 'NOLOWER123']) {
      const result = await create('weak', weak);
      assert.equal(result.code, 1, weak);
      assert.match(
        result.stderr,
        /^ERROR: The specified password does not comply with password complexity requirements/,
      );
      assert.match(result.stderr, /at least three of: lowercase letters, uppercase letters, digits, symbols/);
    }
    assert.equal((await create('okay', 'lowercase12!')).code, 0, 'three classes of four are enough');
    const foreign = await create('bob', 'Secret-Pass-1', 'contoso.com');
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /domain portion of the userPrincipalName property is invalid/);
    const duplicate = await create('ALICE', 'Secret-Pass-1');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /same value for property userPrincipalName already exists/);
  });

  it('lists, shows by UPN or object id, updates and deletes users', async () => {
    const bob = await json<GraphUser>(
      'ad user create --user-principal-name',
      upn('bob'),
      '--display-name',
      'Bob',
      '--password',
      'Secret-Pass-2',
      '--force-change-password-next-sign-in',
      'false',
    );
    const list = await json<GraphUser[]>('ad user list');
    assert.deepEqual(
      list.map((u) => u.userPrincipalName),
      [upn('admin'), upn('alice'), upn('bob'), upn('okay')],
    );
    assert.equal(list[0]?.['@odata.context'], undefined);
    assert.deepEqual(await json<GraphUser[]>('ad user list --upn', upn('BOB')), [list[2]]);
    assert.equal((await json<GraphUser>('ad user show --id', upn('Bob'))).id, bob.id);
    assert.equal((await json<GraphUser>('ad user show --id', bob.id)).userPrincipalName, upn('bob'));

    assert.equal((await cli('ad user update --account-enabled false --id', bob.id)).code, 0);
    assert.equal((await json<GraphUser>('ad user show --id', bob.id)).accountEnabled, false);
    const disabled = (await (await signIn(upn('bob'), 'Secret-Pass-2')).json()) as { error_codes: number[] };
    assert.deepEqual(disabled.error_codes, [50057]);
    assert.equal(
      (await cli('ad user update --account-enabled true --password New-Secret-3 --id', upn('bob'))).code,
      0,
    );
    await serverCatchesUp();
    assert.equal((await signIn(upn('bob'), 'New-Secret-3')).status, 200);

    assert.equal((await cli('ad user delete --id', upn('bob'))).code, 0);
    const missing = await cli('ad user show --id', bob.id);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ERROR: Resource '.*' does not exist/);
  });

  it('a forced password change makes password sign-ins answer 50055', async () => {
    await json<GraphUser>(
      'ad user create --force-change-password-next-sign-in --user-principal-name',
      upn('carol'),
      '--display-name',
      'Carol',
      '--password',
      'Secret-Pass-4',
    );
    const body = (await (await signIn(upn('carol'), 'Secret-Pass-4')).json()) as { error_codes: number[] };
    assert.deepEqual(body.error_codes, [50055]);
  });

  it('ad signin list shows successes and failures newest first, per user, limited by --top', async () => {
    await json<GraphUser>(
      'ad user create --user-principal-name',
      upn('dave'),
      '--display-name',
      'Dave',
      '--password',
      'Secret-Pass-5',
    );
    await signIn(upn('dave'), 'Wrong-Pass-5');
    await signIn(upn('dave'), 'Secret-Pass-5');
    await signIn(upn('nobody'), 'Secret-Pass-5');
    const dave = await json<GraphSignIn[]>('ad signin list --user', upn('dave'));
    assert.deepEqual(
      dave.map((s) => s.status.errorCode),
      [0, 50126],
    );
    const [success, failure] = dave;
    assert.equal(success?.appId, AZURE_CLI);
    assert.equal(success?.resourceDisplayName, 'Windows Azure Service Management API');
    assert.equal(success?.ipAddress, '127.0.0.1');
    assert.equal(success?.authenticationProtocol, 'ropc');
    assert.equal(success?.isInteractive, true);
    assert.equal(
      failure?.status.failureReason,
      'Error validating credentials due to invalid username or password.',
    );
    assert.ok((success?.createdDateTime ?? '') >= (failure?.createdDateTime ?? ''));

    const ghost = await json<GraphSignIn[]>('ad signin list --user', upn('nobody'));
    assert.equal(ghost.length, 1);
    assert.equal(ghost[0]?.userId, null);
    const top = await json<GraphSignIn[]>('ad signin list --top 2');
    assert.equal(top.length, 2);
    assert.equal(top[0]?.userPrincipalName, upn('nobody'));
  });

  it('ad app create --scopes exposes delegated permissions that become scp', async () => {
    const app = await json<{
      appId: string;
      api: { oauth2PermissionScopes: Array<{ value: string; type: string }> };
    }>(
      'ad app create --display-name orders --identifier-uris api://orders --scopes',
      'user_impersonation,Orders.Read',
    );
    assert.deepEqual(
      app.api.oauth2PermissionScopes.map((s) => [s.value, s.type]),
      [
        ['user_impersonation', 'User'],
        ['Orders.Read', 'User'],
      ],
    );
    assert.equal((await cli('ad sp create --id', app.appId)).code, 0);
    const response = await postForm(tokenUrl(t), {
      client_id: AZURE_CLI,
      grant_type: 'password',
      username: upn('alice'),
      password: 'Secret-Pass-1',
      scope: 'api://orders/Orders.Read',
    });
    const body = (await response.json()) as { access_token: string; scope: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.scope, 'api://orders/Orders.Read');
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString()) as {
      scp: string;
    };
    assert.equal(claims.scp, 'Orders.Read');
    const bad = await cli('ad app create --display-name bad --scopes', '.default');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Permission scope '\.default' is not valid/);
  });
});
