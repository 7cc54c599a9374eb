import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Application, User } from '../../src/directory/model.js';
import { launchBrowser, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, createUser } from '../support/users.js';

// The MSAL.js that @azure/identity ships with, as a page loads it (its UMD build, global `msal`).
const identityRequire = createRequire(createRequire(import.meta.url).resolve('@azure/identity'));
const MSAL_BROWSER = join(dirname(identityRequire.resolve('@azure/msal-browser')), 'msal-browser.min.js');

const SCOPES = ['User.Read'];

/**
 * The page of a single-page application on its own origin: MSAL.js signs in by redirect, redeems
 * the code from the page (cross-origin, PKCE) and later refreshes from the page.
 */
function spaPage(config: { clientId: string; authority: string; knownAuthority: string }): string {
  return `<!doctype html><html><head><title>Orders SPA</title>
<script src="/msal-browser.min.js"></script></head><body><h1>Orders</h1><script>
const app = new msal.PublicClientApplication({
  auth: {
    clientId: ${JSON.stringify(config.clientId)},
    authority: ${JSON.stringify(config.authority)},
    knownAuthorities: [${JSON.stringify(config.knownAuthority)}],
    redirectUri: location.origin + '/app/',
  },
  cache: { cacheLocation: 'sessionStorage' },
});
window.spa = (async () => {
  await app.initialize();
  const result = await app.handleRedirectPromise();
  if (result) return { accessToken: result.accessToken, username: result.account.username };
  await app.loginRedirect({ scopes: ${JSON.stringify(SCOPES)} });
})();
window.refresh = async () => {
  const account = app.getAllAccounts()[0];
  const result = await app.acquireTokenSilent({
    scopes: ${JSON.stringify(SCOPES)},
    account,
    cacheLookupPolicy: msal.CacheLookupPolicy.RefreshToken,
  });
  return { accessToken: result.accessToken };
};
</script></body></html>`;
}

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('MSAL.js (msal-browser) in Chromium: a single-page application on its own origin', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let spa: Server;
  let spaOrigin: string;
  let alice: User;
  let app: Application;
  const tokenRequests: Promise<{ method: string; origin: string | undefined; grant: string | null }>[] = [];

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    const msalSource = readFileSync(MSAL_BROWSER);
    let page = '';
    spa = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path === '/msal-browser.min.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(msalSource);
      } else if (path === '/app/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => spa.listen(0, '127.0.0.1', resolve));
    const address = spa.address();
    assert.ok(address && typeof address === 'object');
    // http://localhost is a secure context, and a SPA redirect URI Entra accepts.
    spaOrigin = `http://localhost:${address.port}`;
    ({ application: app } = await t.server.tessera.directory.registerApplication(t.tenant, {
      displayName: 'Orders SPA',
      spaRedirectUris: [`${spaOrigin}/app/`],
    }));
    const authorityHost = new URL(t.origin).host;
    page = spaPage({
      clientId: app.appId,
      authority: `${t.origin}/${t.tenant.id}`,
      knownAuthority: authorityHost,
    });
    browser = await launchBrowser(t);
    browser.page.on('request', (request) => {
      if (request.url().startsWith(`${t.origin}/${t.tenant.id}/oauth2/v2.0/token`)) {
        // allHeaders: the headers the network stack sent, Origin among them.
        tokenRequests.push(
          request.allHeaders().then((headers) => ({
            method: request.method(),
            origin: headers.origin,
            grant: new URLSearchParams(request.postData() ?? '').get('grant_type'),
          })),
        );
      }
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => spa?.close(resolve));
    await t?.stop();
  });

  it('signs in by redirect and redeems the code from the page, with PKCE, across origins', async () => {
    const { page } = browser;
    await page.goto(`${spaOrigin}/app/`);
    await page.getByLabel('Username').waitFor();
    const authorize = new URL(page.url()).searchParams;
    assert.equal(authorize.get('client_id'), app.appId);
    assert.equal(authorize.get('code_challenge_method'), 'S256');
    await signInOnPage(page, alice.userPrincipalName, PASSWORD);
    await page.waitForURL((url) => url.origin === spaOrigin);
    const result = await page.evaluate<{ accessToken: string; username: string }>('window.spa');
    assert.equal(result.username, alice.userPrincipalName);
    const claims = claimsOf(result.accessToken);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.oid, alice.objectId);
    assert.match(String(claims.scp), /\bUser\.Read\b/);
    // The browser sent the form from the page: no preflight, the page's origin, the code grant.
    assert.deepEqual(await Promise.all(tokenRequests), [
      { method: 'POST', origin: spaOrigin, grant: 'authorization_code' },
    ]);
  });

  it('refreshes from the page with the refresh token bound to its origin', async () => {
    const { page } = browser;
    const before = tokenRequests.length;
    const result = await page.evaluate<{ accessToken: string }>('window.refresh()');
    assert.equal(claimsOf(result.accessToken).oid, alice.objectId);
    assert.deepEqual(await Promise.all(tokenRequests.slice(before)), [
      { method: 'POST', origin: spaOrigin, grant: 'refresh_token' },
    ]);
  });
});
