import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServicePrincipal, User } from '../../src/directory/model.js';
import { expectAadsts, postForm, registerSecretClient, tokenUrl } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl } from '../support/signInClient.js';
import type { ScopedApi } from '../support/users.js';
import { AZURE_CLI, createUser, okBody, refresh, registerScopedApi, ropc } from '../support/users.js';
import type { GraphUser } from '../graph/support.js';
import { graph, graphUser } from '../graph/support.js';

const ARM = 'https://management.azure.com/.default';

/**
 * A service principal disabled in its tenant (Graph's accountEnabled false, the portal's
 * "Enabled for users to sign in" off): Entra issues no token for it, as the client of any flow or
 * as the resource, with AADSTS7000112; enabling it again restores everything.
 */
describe('a disabled service principal gets no tokens (AADSTS7000112)', () => {
  let t: TestServer;
  let admin: GraphUser;
  let alice: User;
  let daemon: SecretClient;
  let api: ScopedApi;

  before(async () => {
    t = await startTestServer();
    admin = await graphUser(t, 'appadmin', ['applicationAdministrator']);
    alice = await createUser(t, 'alice');
    daemon = await registerSecretClient(t, { displayName: 'orders-daemon' });
    api = await registerScopedApi(t, { displayName: 'orders-api' });
  });
  after(async () => t.stop());

  /** Through Graph, as the portal's toggle does it. */
  async function setEnabled(sp: Pick<ServicePrincipal, 'objectId'>, accountEnabled: boolean): Promise<void> {
    const response = await graph(t, admin.token, 'PATCH', `servicePrincipals/${sp.objectId}`, {
      body: { accountEnabled },
    });
    assert.equal(response.status, 204, response.text);
  }

  const appOnly = (scope = ARM) =>
    postForm(tokenUrl(t), {
      grant_type: 'client_credentials',
      client_id: daemon.application.appId,
      client_secret: daemon.secret,
      scope,
    });

  const disabledText = (appId: string, name: string) =>
    `AADSTS7000112: Application '${appId}'(${name}) is disabled.`;

  it('client credentials: refused while disabled, issued again once enabled', async () => {
    assert.equal((await appOnly()).status, 200);
    await setEnabled(daemon.servicePrincipal, false);
    const body = await expectAadsts(await appOnly(), 400, 'unauthorized_client', 7000112);
    assert.ok(body.error_description.startsWith(disabledText(daemon.application.appId, 'orders-daemon')));
    await setEnabled(daemon.servicePrincipal, true);
    assert.equal((await appOnly()).status, 200);
  });

  it('a person signing in to a disabled app: the password grant, its refresh token and /authorize', async () => {
    const cli = await t.server.tessera.directory.servicePrincipals.findByAppId(t.tenant.id, AZURE_CLI);
    assert.ok(cli, 'every tenant has the Azure CLI');
    const signedIn = await okBody(
      await ropc(t, { username: alice.userPrincipalName, scope: `${ARM} openid profile offline_access` }),
    );
    assert.ok(signedIn.refresh_token);
    await setEnabled(cli, false);
    try {
      const body = await expectAadsts(
        await ropc(t, { username: alice.userPrincipalName, scope: `${ARM} openid profile` }),
        400,
        'unauthorized_client',
        7000112,
      );
      assert.ok(body.error_description.startsWith(disabledText(AZURE_CLI, 'Microsoft Azure CLI')));
      await expectAadsts(await refresh(t, signedIn.refresh_token, ARM), 400, 'unauthorized_client', 7000112);
      // The sign-in page is not even shown: the error page names the disabled application.
      const page = await new PageClient(t).get(
        authorizeUrl(t, {
          client_id: AZURE_CLI,
          response_type: 'code',
          redirect_uri: 'http://localhost:5000',
          scope: ARM,
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(page.status, 400, page.text.slice(0, 300));
      assert.equal(page.location, null);
      assert.match(page.text, /AADSTS7000112/);
    } finally {
      await setEnabled(cli, true);
    }
    // Nothing was revoked by the pause: the same refresh token works again.
    await okBody(await refresh(t, signedIn.refresh_token, ARM));
  });

  it('a disabled resource: no token for it, app-only or for a person', async () => {
    const scope = `api://${api.application.appId}/.default`;
    assert.equal((await appOnly(scope)).status, 200);
    await setEnabled(api.servicePrincipal, false);
    const body = await expectAadsts(await appOnly(scope), 400, 'unauthorized_client', 7000112);
    assert.ok(body.error_description.startsWith(disabledText(api.application.appId, 'orders-api')));
    await expectAadsts(
      await ropc(t, {
        username: alice.userPrincipalName,
        scope: `api://${api.application.appId}/Orders.Read`,
      }),
      400,
      'unauthorized_client',
      7000112,
    );
    // Other resources are unaffected.
    assert.equal((await appOnly()).status, 200);
    await setEnabled(api.servicePrincipal, true);
    assert.equal((await appOnly(scope)).status, 200);
  });
});
