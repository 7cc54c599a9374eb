import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicClientApplication } from '@azure/msal-node';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { User } from '../../src/directory/model.js';
import { discover, recordingNetworkClient, verifyAccessToken } from '../support/authority.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  PASSWORD,
  assertOrdersReadToken,
  assignUserRole,
  createUser,
  registerPublicClient,
  registerScopedApi,
} from '../support/users.js';
import type { PublicClient, ScopedApi } from '../support/users.js';

/**
 * The authorization code flow with PKCE as a native app runs it: unmodified msal-node starts its
 * loopback listener, hands the authorize URL to "the browser" (Chromium, driven by Playwright),
 * the person signs in on Tessera's page, the code comes back by form_post and is redeemed.
 */
describe('msal-node acquireTokenInteractive through the sign-in page in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let alice: User;
  let api: ScopedApi;
  let native: PublicClient;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    api = await registerScopedApi(t);
    native = await registerPublicClient(t, 'Contoso Monitoring Dashboard');
    await assignUserRole(t, alice, api);
    browser = await launchBrowser(t);
  });
  after(async () => {
    await browser.close();
    await t.stop();
  });

  it('signs in with PKCE, returns tokens and an account, and renews through the refresh token', async () => {
    const network = recordingNetworkClient();
    const pca = new PublicClientApplication({
      auth: {
        clientId: native.application.appId,
        authority: `${t.origin}/${t.tenant.id}`,
        knownAuthorities: [new URL(t.origin).host],
      },
      system: { networkClient: network.client },
    });
    const scope = `api://${api.application.appId}/Orders.Read`;
    let authorizeUrl = '';
    const result = await pca.acquireTokenInteractive({
      scopes: [scope],
      successTemplate: '<h1>Signed in</h1>',
      errorTemplate: '<h1>Sign-in failed</h1>',
      openBrowser: async (url) => {
        authorizeUrl = url;
        const { page } = browser;
        await page.goto(url);
        await page.getByLabel('Username').waitFor();
        assert.equal(await page.title(), 'Sign in · Tessera');
        await screenshot(page, 'sign-in-page');
        await signInOnPage(page, alice.userPrincipalName, PASSWORD);
        await page.getByRole('heading', { name: 'Signed in' }).waitFor();
      },
    });

    const asked = new URL(authorizeUrl).searchParams;
    assert.equal(asked.get('code_challenge_method'), 'S256');
    assert.equal(asked.get('response_mode'), 'form_post');
    assert.match(asked.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+$/);
    const redemption = network.posts.find((p) => p.get('grant_type') === 'authorization_code');
    assert.ok(redemption?.get('code_verifier'), 'the code was redeemed with the verifier');

    assert.equal(result.account?.homeAccountId, `${alice.objectId}.${t.tenant.id}`);
    assert.equal(result.account?.username, alice.userPrincipalName);
    await assertOrdersReadToken(t, result.accessToken, { user: alice, api, client: native });

    // The ID token carries the nonce msal-node sent, so msal could bind it to its request.
    const discovery = await discover(t, t.tenant.id, 2);
    const { payload: id } = await jwtVerify(result.idToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: `${t.origin}/${t.tenant.id}/v2.0`,
      audience: native.application.appId,
      algorithms: ['RS256'],
    });
    assert.equal(id.nonce, asked.get('nonce') ?? undefined);
    assert.equal(id.preferred_username, alice.userPrincipalName);

    // The refresh token from the code works: a forced silent renewal and another resource.
    const account = result.account;
    assert.ok(account);
    const renewed = await pca.acquireTokenSilent({ account, scopes: [scope], forceRefresh: true });
    assert.equal(network.posts.at(-1)?.get('grant_type'), 'refresh_token');
    assert.notEqual(renewed.accessToken, result.accessToken);
    const arm = await pca.acquireTokenSilent({ account, scopes: ['https://management.azure.com/.default'] });
    await verifyAccessToken(t, arm.accessToken, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
  });
});
