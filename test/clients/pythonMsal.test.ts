import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { registerSecretClient, verifyAccessToken } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { launchBrowser } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { AZURE_CLI, PASSWORD, createUser } from '../support/users.js';
import { approveDeviceCode } from './support/deviceApproval.js';
import { requireMsal, runPython, startPython } from './support/pythonMsal.js';
import { createClientSandbox } from './support/sandbox.js';
import type { ClientSandbox } from './support/sandbox.js';
import { tamper } from '../support/tamper.js';

interface MsalResult {
  access_token?: string;
  refresh_token?: string;
  id_token_claims?: Record<string, unknown>;
  error?: string;
  error_codes?: number[];
  error_description?: string;
}

// Instance discovery is off (`instance_discovery=False`), as it must be for any authority but
// Microsoft's; the ADFS form (`<origin>/adfs`) skips it by itself.
const CONFIDENTIAL = `
import json, sys, msal
a = json.loads(sys.argv[1])
app = msal.ConfidentialClientApplication(
    a["clientId"], client_credential=a["secret"], authority=a["authority"], instance_discovery=False)
first = app.acquire_token_for_client(scopes=[a["scope"]])
print(json.dumps(first))
# MSAL 1.21's documented pattern: an app token is cached under no account.
again = app.acquire_token_silent([a["scope"]], account=None) or {}
print(json.dumps({"cached": "access_token" in first and again.get("access_token") == first["access_token"]}))
`;

const PASSWORD_FLOW = `
import json, sys, msal
a = json.loads(sys.argv[1])
app = msal.PublicClientApplication(a["clientId"], authority=a["authority"], instance_discovery=False)
result = app.acquire_token_by_username_password(a["username"], a["password"], scopes=[a["scope"]])
print(json.dumps(result))
if "access_token" in result:
    accounts = app.get_accounts(username=a["username"])
    print(json.dumps(app.acquire_token_silent([a["otherScope"]], account=accounts[0])))
`;

const DEVICE_FLOW = `
import json, sys, msal
a = json.loads(sys.argv[1])
app = msal.PublicClientApplication(a["clientId"], authority=a["authority"], instance_discovery=False)
flow = app.initiate_device_flow(scopes=[a["scope"]])
print(json.dumps(flow), flush=True)
print(json.dumps(app.acquire_token_by_device_flow(flow)))
`;

const ARM = 'https://management.azure.com/.default';

/** Debian's python3-msal 1.21, unmodified, against Tessera's tenant and ADFS-form authorities. */
describe('python3-msal 1.21 against Tessera', () => {
  let t: TestServer;
  let sandbox: ClientSandbox;
  let browser: TestBrowser | undefined;
  let client: SecretClient;
  let bob: User;
  const tenantAuthority = () => `${t.origin}/${t.tenant.id}`;
  const adfsAuthority = () => `${t.origin}/adfs`;

  before(async () => {
    sandbox = createClientSandbox();
    assert.equal(await requireMsal(sandbox), '1.21.0');
    t = await startTestServer();
    client = await registerSecretClient(t, { displayName: 'python-daemon' });
    bob = await createUser(t, 'bob');
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    sandbox?.remove();
  });

  async function clientCredentials(authority: string, secret = client.secret): Promise<MsalResult[]> {
    const { code, lines, stderr } = await runPython(sandbox, CONFIDENTIAL, {
      clientId: client.application.appId,
      secret,
      authority,
      scope: ARM,
    });
    assert.equal(code, 0, stderr);
    return lines as MsalResult[];
  }

  for (const [form, authority] of [
    ['tenant', tenantAuthority],
    ['ADFS-form', adfsAuthority],
  ] as const) {
    it(`gets an app token with client credentials from the ${form} authority, then from its cache`, async () => {
      const [result, cache] = await clientCredentials(authority());
      assert.ok(result?.access_token, JSON.stringify(result));
      const { payload } = await verifyAccessToken(t, result.access_token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: 'https://management.azure.com',
      });
      assert.equal(payload.appid, client.application.appId);
      assert.equal(payload.oid, client.servicePrincipal.objectId);
      assert.equal(payload.idtyp, 'app');
      assert.deepEqual(cache, { cached: true });
    });
  }

  it('refuses a wrong client secret with AADSTS7000215', async () => {
    const [result] = await clientCredentials(tenantAuthority(), tamper(client.secret));
    assert.equal(result?.error, 'invalid_client');
    assert.deepEqual(result.error_codes, [7000215]);
    assert.equal(result.access_token, undefined);
  });

  async function passwordFlow(password: string): Promise<MsalResult[]> {
    const { code, lines, stderr } = await runPython(sandbox, PASSWORD_FLOW, {
      clientId: AZURE_CLI,
      authority: adfsAuthority(),
      username: bob.userPrincipalName,
      password,
      scope: ARM,
      otherScope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(code, 0, stderr);
    return lines as MsalResult[];
  }

  // A tenant authority would first ask `https://localhost/common/userrealm/…` (MSAL Python drops
  // the port there); the ADFS form skips user realm discovery.
  it('signs a user in with a password on the ADFS-form authority, then redeems the refresh token', async () => {
    const [result, graph] = await passwordFlow(PASSWORD);
    assert.ok(result?.access_token && result.refresh_token, JSON.stringify(result));
    assert.equal(result.id_token_claims?.preferred_username, bob.userPrincipalName);
    assert.equal(result.id_token_claims?.aud, AZURE_CLI);
    assert.equal(result.id_token_claims?.tid, t.tenant.id);
    const { payload } = await verifyAccessToken(t, result.access_token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(payload.upn, bob.userPrincipalName);
    assert.equal(payload.scp, 'user_impersonation');

    assert.ok(graph?.access_token, JSON.stringify(graph));
    const { payload: graphClaims } = await verifyAccessToken(t, graph.access_token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://graph.microsoft.com',
    });
    assert.equal(graphClaims.oid, bob.objectId);
  });

  it('refuses a wrong password with AADSTS50126', async () => {
    const [result, silent] = await passwordFlow('Wrong-Horse-9');
    assert.equal(result?.error, 'invalid_grant');
    assert.deepEqual(result.error_codes, [50126]);
    assert.equal(silent, undefined, 'nothing cached, nothing redeemed');
  });

  it('completes the device flow while a person enters the code in a browser', async () => {
    browser = await launchBrowser(t);
    const run = startPython(sandbox, DEVICE_FLOW, {
      clientId: AZURE_CLI,
      authority: tenantAuthority(),
      scope: ARM,
    });
    let lines: MsalResult[];
    try {
      const flow = (await run.first) as { verification_uri: string; user_code: string; message: string };
      assert.equal(flow.verification_uri, `${t.origin}/devicelogin`);
      await approveDeviceCode(
        browser,
        { verificationUri: flow.verification_uri, userCode: flow.user_code },
        { username: bob.userPrincipalName, password: PASSWORD, application: 'Microsoft Azure CLI' },
      );
      lines = (await run.done) as MsalResult[];
    } finally {
      run.stop();
    }
    const [, result] = lines;
    assert.ok(result?.access_token, JSON.stringify(result));
    assert.equal(result.id_token_claims?.preferred_username, bob.userPrincipalName);
    const { payload } = await verifyAccessToken(t, result.access_token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assert.equal(payload.oid, bob.objectId);
    assert.equal(payload.appid, AZURE_CLI);
  });
});
