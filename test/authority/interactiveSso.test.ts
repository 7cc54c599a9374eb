import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PublicClientApplication } from '@azure/msal-node';
import type { AccountInfo, AuthenticationResult } from '@azure/msal-node';
import type { User } from '../../src/directory/model.js';
import { launchBrowser, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, createUser, registerPublicClient } from '../support/users.js';
import type { PublicClient } from '../support/users.js';

const ARM = 'https://management.azure.com/.default';

/**
 * The browser session: a second sign-in in the same Chromium skips the password, prompt=login
 * asks for it again, prompt=none answers silently or login_required, logout ends it all.
 */
describe('SSO session cookie in Chromium, through msal-node', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let alice: User;
  let native: PublicClient;
  let pca: PublicClientApplication;
  /** Whether the last interactive sign-in showed the password field. */
  let passwordAsked = false;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    native = await registerPublicClient(t, 'Contoso Console');
    browser = await launchBrowser(t);
    pca = new PublicClientApplication({
      auth: {
        clientId: native.application.appId,
        authority: `${t.origin}/${t.tenant.id}`,
        knownAuthorities: [new URL(t.origin).host],
      },
    });
  });
  after(async () => {
    await browser.close();
    await t.stop();
  });

  /** One acquireTokenInteractive; the person types the password only if the page asks. */
  async function interactive(prompt?: 'login' | 'none'): Promise<AuthenticationResult> {
    passwordAsked = false;
    return pca.acquireTokenInteractive({
      scopes: [ARM],
      ...(prompt && { prompt }),
      successTemplate: '<h1>Signed in</h1>',
      errorTemplate: '<h1>Sign-in failed</h1>',
      openBrowser: async (url) => {
        const { page } = browser;
        // A page that answers at once (prompt=none's form_post) submits itself to the app while
        // goto still waits for it: that navigation replacing this one is the flow working.
        await page.goto(url).catch((error: unknown) => {
          if (!(error instanceof Error && /interrupted by another navigation/.test(error.message)))
            throw error;
        });
        const outcome = await Promise.race([
          page
            .getByLabel('Password')
            .waitFor()
            .then(() => 'password' as const),
          page
            .locator('h1', { hasText: /Signed in|Sign-in failed/ })
            .waitFor()
            .then(() => 'done' as const),
        ]);
        passwordAsked = outcome === 'password';
        if (passwordAsked) await signInOnPage(page, alice.userPrincipalName, PASSWORD);
      },
    });
  }

  let account: AccountInfo;

  it('asks for the password the first time only', async () => {
    const first = await interactive();
    assert.equal(passwordAsked, true);
    assert.ok(first.account);
    account = first.account;
    const second = await interactive();
    assert.equal(passwordAsked, false, 'the session cookie signed alice in');
    assert.equal(second.account?.homeAccountId, account.homeAccountId);
  });

  it('prompt=login asks again; prompt=none answers without a page', async () => {
    await interactive('login');
    assert.equal(passwordAsked, true);
    const silent = await interactive('none');
    assert.equal(passwordAsked, false);
    assert.equal(silent.account?.username, alice.userPrincipalName);
    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.equal(log.filter((e) => e.flow === 'authorization_code').length, 4, 'SSO sign-ins are logged too');
  });

  it('logout ends the session and revokes its refresh tokens; prompt=none is then login_required', async () => {
    const { page, context } = browser;
    // The app's landing page after logout: a loopback listener, as a native app would run.
    const app = createServer((_req, res) => res.end('<h1>Back in the app</h1>'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as AddressInfo).port;
    const logout = new URL(`${t.origin}/${t.tenant.id}/oauth2/v2.0/logout`);
    logout.searchParams.set('client_id', native.application.appId);
    logout.searchParams.set('post_logout_redirect_uri', `http://localhost:${port}`);
    logout.searchParams.set('state', 'bye');
    try {
      await page.goto(logout.href);
      assert.equal(page.url(), `http://localhost:${port}/?state=bye`);
    } finally {
      app.close();
    }
    const cookies = await context.cookies(t.origin);
    assert.ok(!cookies.some((c) => c.name.startsWith('__Host-tessera-sso-')), 'the SSO cookie is gone');

    await assert.rejects(
      pca.acquireTokenSilent({ account, scopes: [ARM], forceRefresh: true }),
      (error: Error & { errorCode?: string }) => error.errorCode === 'invalid_grant',
    );
    await assert.rejects(interactive('none'), (error: Error & { errorCode?: string }) => {
      assert.equal(error.errorCode, 'login_required');
      return true;
    });
  });

  it('refuses a post_logout_redirect_uri the app did not register', async () => {
    const { page } = browser;
    const logout = new URL(`${t.origin}/${t.tenant.id}/oauth2/v2.0/logout`);
    logout.searchParams.set('client_id', native.application.appId);
    logout.searchParams.set('post_logout_redirect_uri', 'https://evil.example/');
    const response = await page.goto(logout.href);
    assert.equal(response?.status(), 400);
    assert.equal(new URL(page.url()).origin, t.origin);
    await page.getByText(/AADSTS50011/).waitFor();
  });
});
