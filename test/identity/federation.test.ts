import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { signRs256 } from '../../src/authority/tokens/jwt.js';
import type { Application, Tenant } from '../../src/directory/model.js';
import { runCli } from '../cli/support.js';
import { JWT_BEARER, expectAadsts, postForm, tokenUrl } from '../support/authority.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { ARM_SCOPE, grantReader, listSubscriptions } from './support.js';

const EXCHANGE = 'api://AzureADTokenExchange';

/** A tenant (of this server or another) whose workload app gets tokens for api://AzureADTokenExchange. */
interface ExternalIssuer {
  server: TestServer;
  tenant: Tenant;
  issuer: string;
  /** The workload's service principal: the `sub` of its tokens. */
  subject: string;
  token(): Promise<string>;
}

async function externalIssuer(server: TestServer, tenant: Tenant): Promise<ExternalIssuer> {
  const { directory } = server.server.tessera;
  await directory.registerApplication(tenant, { displayName: 'token-exchange', identifierUris: [EXCHANGE] });
  const workload = await directory.registerApplication(tenant, { displayName: 'workload' });
  const { secretText } = await directory.credentials.addPassword(workload.application);
  const credential = new ClientSecretCredential(tenant.id, workload.application.appId, secretText, {
    authorityHost: server.origin,
    disableInstanceDiscovery: true,
  });
  return {
    server,
    tenant,
    issuer: `${server.origin}/${tenant.id}/`,
    subject: workload.servicePrincipal.objectId,
    token: async () => (await credential.getToken(`${EXCHANGE}/.default`)).token,
  };
}

describe('workload identity federation', () => {
  let t: TestServer;
  let remoteServer: TestServer;
  let local: ExternalIssuer;
  let remote: ExternalIssuer;
  let app: Application;
  let folder: string;

  before(async () => {
    [t, remoteServer] = await Promise.all([startTestServer(), startTestServer()]);
    folder = mkdtempSync(join(tmpdir(), 'tessera-fic-'));
    const workloads = await t.server.tessera.directory.createTenant({ domain: 'workloads.onmicrosoft.com' });
    local = await externalIssuer(t, workloads);
    remote = await externalIssuer(remoteServer, remoteServer.tenant);
    const registered = await t.server.tessera.directory.registerApplication(t.tenant, {
      displayName: 'federated-app',
    });
    app = registered.application;
    await grantReader(t, registered.servicePrincipal.objectId);
    const { federatedCredentials } = t.server.tessera.directory;
    await federatedCredentials.create(app, {
      name: 'local-workload',
      issuer: local.issuer,
      subject: local.subject,
    });
    await federatedCredentials.create(app, {
      name: 'remote-workload',
      issuer: remote.issuer,
      subject: remote.subject,
    });
  });
  after(async () => {
    rmSync(folder, { recursive: true, force: true });
    await Promise.all([t.stop(), remoteServer.stop()]);
  });

  const workloadCredential = (tokenFile: string, clientId = app.appId) =>
    new WorkloadIdentityCredential({
      tenantId: t.tenant.id,
      clientId,
      tokenFilePath: tokenFile,
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    });
  const tokenFile = (token: string): string => {
    const file = join(folder, `${randomUUID()}.jwt`);
    writeFileSync(file, token);
    return file;
  };

  it("WorkloadIdentityCredential trades another tenant's app-only token for an ARM token (local keys)", async () => {
    const { token } = await workloadCredential(tokenFile(await local.token())).getToken(ARM_SCOPE);
    const claims = decodeJwt(token);
    assert.equal(claims.appid, app.appId);
    assert.equal(claims.appidacr, '2');
    assert.equal(claims.tid, t.tenant.id);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it("trades another Tessera's token, verified through its OpenID discovery and JWKS", async () => {
    const { token } = await workloadCredential(tokenFile(await remote.token())).getToken(ARM_SCOPE);
    assert.equal(decodeJwt(token).appid, app.appId);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  /** A token of the local issuer's tenant, signed with Tessera's key, with claims to break it. */
  const localAssertion = async (claims: Record<string, unknown>, privateKey?: KeyObject) => {
    const key = await t.server.tessera.keys.current();
    const now = Math.floor(Date.now() / 1000);
    return signRs256(
      { typ: 'JWT', alg: 'RS256', kid: key.kid },
      {
        aud: EXCHANGE,
        iss: local.issuer,
        sub: local.subject,
        iat: now,
        nbf: now,
        exp: now + 3600,
        idtyp: 'app',
        oid: local.subject,
        tid: local.tenant.id,
        ...claims,
      },
      privateKey ?? key.privateKey,
    );
  };
  const exchange = (assertion: string, clientId = app.appId) =>
    postForm(tokenUrl(t), {
      client_id: clientId,
      grant_type: 'client_credentials',
      scope: ARM_SCOPE,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    });

  it('answers 70021 when the application has no federated credential at all', async () => {
    const bare = await t.server.tessera.directory.registerApplication(t.tenant, { displayName: 'no-fic' });
    const body = await expectAadsts(
      await exchange(await localAssertion({}), bare.application.appId),
      401,
      'invalid_client',
      70021,
    );
    assert.match(
      body.error_description,
      /Assertion Issuer: '.*'. Assertion Subject: '.*'. Assertion Audience: 'api:\/\/AzureADTokenExchange'/,
    );
  });

  it('answers 700211 for an issuer no credential names', async () => {
    const body = await expectAadsts(
      await exchange(await localAssertion({ iss: `${t.origin}/${t.tenant.id}/` })),
      401,
      'invalid_client',
      700211,
    );
    assert.match(body.error_description, new RegExp(`assertion issuer '${t.origin}/${t.tenant.id}/'`));
  });

  it('answers 700213 for a wrong subject and 7002138 for one that differs only in case, through the SDK too', async () => {
    await expectAadsts(
      await exchange(await localAssertion({ sub: randomUUID() })),
      401,
      'invalid_client',
      700213,
    );
    await expectAadsts(
      await exchange(await localAssertion({ sub: local.subject.toUpperCase() })),
      401,
      'invalid_client',
      7002138,
    );
    await assert.rejects(
      workloadCredential(
        tokenFile(await localAssertion({ sub: 'system:serviceaccount:default:other' })),
      ).getToken(ARM_SCOPE),
      /AADSTS700213/,
    );
  });

  it('answers 700212 for an audience the credential does not list', async () => {
    await expectAadsts(
      await exchange(await localAssertion({ aud: 'api://other' })),
      401,
      'invalid_client',
      700212,
    );
  });

  it('answers 700024 for an expired assertion and 700027 for a forged signature', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    await expectAadsts(
      await exchange(await localAssertion({ iat: past, nbf: past, exp: past + 600 })),
      401,
      'invalid_client',
      700024,
    );
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expectAadsts(await exchange(await localAssertion({}, forger)), 401, 'invalid_client', 700027);
  });

  it("answers 700229 for a user's token from a Tessera issuer: only app-only tokens federate", async () => {
    await expectAadsts(
      await exchange(await localAssertion({ idtyp: undefined, scp: 'user_impersonation', upn: 'someone@x' })),
      401,
      'invalid_client',
      700229,
    );
  });

  it('answers 50166 when the issuer a credential names cannot be reached', async () => {
    const unreachable = 'https://127.0.0.1:9/nobody';
    await t.server.tessera.directory.federatedCredentials.create(app, {
      name: 'unreachable',
      issuer: unreachable,
      subject: 'somebody',
    });
    await expectAadsts(
      await exchange(await localAssertion({ iss: unreachable, sub: 'somebody' })),
      400,
      'invalid_request',
      50166,
    );
  });

  it('`ad app federated-credential create|list|show|delete` in az’s shape, refusing bad credentials', async () => {
    const server = storeArgs(t);
    const parameters = join(folder, 'fic.json');
    writeFileSync(
      parameters,
      JSON.stringify({
        name: 'github-main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:ref:refs/heads/main',
        description: 'CI',
      }),
    );
    const created = await runCli([
      'ad',
      'app',
      'federated-credential',
      'create',
      '--id',
      app.appId,
      '--parameters',
      `@${parameters}`,
      ...server,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const credential = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(credential), [
      'audiences',
      'description',
      'id',
      'issuer',
      'name',
      'subject',
    ]);
    assert.deepEqual(credential.audiences, [EXCHANGE]);
    assert.equal(credential.description, 'CI');

    const listed = await runCli(['ad', 'app', 'federated-credential', 'list', '--id', app.appId, ...server]);
    assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string }>).map((c) => c.name).sort(), [
      'github-main',
      'local-workload',
      'remote-workload',
      'unreachable',
    ]);
    const shown = await runCli([
      'ad',
      'app',
      'federated-credential',
      'show',
      '--id',
      app.appId,
      '--federated-credential-id',
      String(credential.id),
      ...server,
    ]);
    assert.equal((JSON.parse(shown.stdout) as { name: string }).name, 'github-main');

    for (const [bad, message] of [
      [{ name: 'github-main', issuer: 'https://x.example', subject: 's' }, /already exists/],
      [{ name: 'plain-http', issuer: 'http://x.example', subject: 's' }, /https URL/],
      [{ name: 'two-aud', issuer: 'https://x.example', subject: 's', audiences: ['a', 'b'] }, /one audience/],
      [{ name: 'x', issuer: 'https://x.example', subject: 's' }, /name 'x' is invalid/],
    ] as const) {
      const refused = await runCli([
        'ad',
        'app',
        'federated-credential',
        'create',
        '--id',
        app.appId,
        '--parameters',
        JSON.stringify(bad),
        ...server,
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, message);
    }
    const deleted = await runCli([
      'ad',
      'app',
      'federated-credential',
      'delete',
      '--id',
      app.appId,
      '--federated-credential-id',
      'github-main',
      ...server,
    ]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await runCli([
      'ad',
      'app',
      'federated-credential',
      'show',
      '--id',
      app.appId,
      '--federated-credential-id',
      'github-main',
      ...server,
    ]);
    assert.equal(gone.code, 1);
  });
});
