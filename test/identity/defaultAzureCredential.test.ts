import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { assertIdentityToken, createHost, grantReader, listSubscriptions, waitForImds } from './support.js';
import type { HostFixture } from './support.js';

const CHILD = join(import.meta.dirname, 'children', 'defaultCredential.ts');
const CLOSED_PORT_PROXY = 'http://127.0.0.1:9';

/**
 * Runs DefaultAzureCredential in a fresh process whose environment holds only `variables`, the
 * run's CA and proxies pointed at a closed port (so nothing can leave the machine): the token it
 * got, or its error.
 */
function defaultCredentialToken(
  variables: Record<string, string>,
  home: string,
): Promise<{ token?: string; error?: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    HTTPS_PROXY: CLOSED_PORT_PROXY,
    HTTP_PROXY: CLOSED_PORT_PROXY,
    https_proxy: CLOSED_PORT_PROXY,
    http_proxy: CLOSED_PORT_PROXY,
    NO_PROXY: 'localhost,127.0.0.1',
    no_proxy: 'localhost,127.0.0.1',
    ...variables,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout) as { token?: string; error?: string });
      } catch {
        reject(new Error(`the child printed no result: ${stdout}${stderr}`));
      }
    });
  });
}

describe('DefaultAzureCredential with nothing but environment variables', () => {
  let t: TestServer;
  let fixture: HostFixture;
  let home: string;

  before(async () => {
    t = await startTestServer();
    home = mkdtempSync(join(tmpdir(), 'tessera-dac-'));
    fixture = await createHost(t, { name: 'dac-host', systemAssigned: true, userAssigned: ['dac-id'] });
    await grantReader(t, fixture.host.systemAssigned?.principalId ?? '');
    await grantReader(t, fixture.userAssigned[0]?.principalId ?? '');
    await waitForImds(fixture.host.imdsPort);
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await t.stop();
  });

  it('App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER give the system-assigned identity', async () => {
    const { token, error } = await defaultCredentialToken(
      { IDENTITY_ENDPOINT: `${t.origin}/msi/token`, IDENTITY_HEADER: fixture.secret },
      home,
    );
    assert.ok(token, error);
    assertIdentityToken(t, token, fixture.host.systemAssigned ?? { principalId: '', clientId: '' });
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it('IMDS: AZURE_POD_IDENTITY_AUTHORITY_HOST, with AZURE_CLIENT_ID naming a user-assigned identity', async () => {
    const [identity] = fixture.userAssigned;
    assert.ok(identity);
    const { token, error } = await defaultCredentialToken(
      {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${fixture.host.imdsPort}`,
        AZURE_CLIENT_ID: identity.clientId,
      },
      home,
    );
    assert.ok(token, error);
    assertIdentityToken(t, token, identity);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });

  it('IMDS: a wrong client id fails, with the endpoint’s reason', async () => {
    const { token, error } = await defaultCredentialToken(
      {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${fixture.host.imdsPort}`,
        AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000003',
        // Only the managed identity credential: the developer tools after it would look for az.
        AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential',
      },
      home,
    );
    assert.equal(token, undefined);
    assert.match(error ?? '', /Identity not found/);
  });

  it('workload identity: AZURE_FEDERATED_TOKEN_FILE holding another tenant’s token', async () => {
    const { directory } = t.server.tessera;
    const workloads = await directory.createTenant({ domain: 'dac-workloads.onmicrosoft.com' });
    await directory.registerApplication(workloads, {
      displayName: 'token-exchange',
      identifierUris: ['api://AzureADTokenExchange'],
    });
    const workload = await directory.registerApplication(workloads, { displayName: 'workload' });
    const { secretText } = await directory.credentials.addPassword(workload.application);
    const external = await new ClientSecretCredential(workloads.id, workload.application.appId, secretText, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    }).getToken('api://AzureADTokenExchange/.default');
    const federated = await directory.registerApplication(t.tenant, { displayName: 'dac-federated' });
    await directory.federatedCredentials.create(federated.application, {
      name: 'workload',
      issuer: `${t.origin}/${workloads.id}/`,
      subject: workload.servicePrincipal.objectId,
    });
    await grantReader(t, federated.servicePrincipal.objectId);
    const tokenFile = join(home, 'federated-token');
    writeFileSync(tokenFile, external.token);

    const { token, error } = await defaultCredentialToken(
      {
        AZURE_CLIENT_ID: federated.application.appId,
        AZURE_TENANT_ID: t.tenant.id,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_AUTHORITY_HOST: t.origin,
      },
      home,
    );
    assert.ok(token, error);
    assert.equal((await listSubscriptions(t, token)).length, 1);
  });
});
