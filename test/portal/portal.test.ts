import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { FIRST_PARTY_APP_IDS } from '../../src/directory/firstParty.js';
import { portalPlugin } from '../../src/portal/http/plugin.js';
import { postForm } from '../support/authority.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import type { Request } from 'playwright-core';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl, pkcePair } from '../support/signInClient.js';
import { PASSWORD, createUser } from '../support/users.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, hasFocus } from './support.js';

const PORTAL_APP_ID = '3f8f840c-fbce-408a-a651-f1a9cf95b4ff';

/** `npm run build:portal`, into a folder of the test's. */
const buildPortalInto = (folder: string) =>
  promisify(execFile)(process.execPath, [
    resolve(import.meta.dirname, '../../scripts/buildPortal.mjs'),
    folder,
  ]);

/** The JS and CSS files index.html names. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/portal\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('portal: the bundle served at /portal', () => {
  let t: TestServer;
  let index: string;

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  it('answers index.html with a strict policy, revalidated on every load', async () => {
    const response = await fetch(`${t.origin}/portal/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )default-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    index = await response.text();
    // No inline script: every script is a file of this origin.
    assert.doesNotMatch(index, /<script(?![^>]*\ssrc="\/portal\/assets\/)[^>]*>/);
    assert.ok(assetsOf(index).length >= 2, index);

    const etag = response.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${t.origin}/portal/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  it('answers index.html for the app’s own routes, and sends /portal to /portal/', async () => {
    for (const path of ['/portal/iam/subscriptions/x', '/portal/home?x=1', '/portal/index.html']) {
      const response = await fetch(`${t.origin}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), index, path);
    }
    const bare = await fetch(`${t.origin}/portal`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/portal/');
  });

  it('caches hashed assets for a year, typed by extension', async () => {
    for (const asset of assetsOf(index)) {
      const response = await fetch(`${t.origin}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(
        response.headers.get('content-type'),
        asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      assert.ok((await response.arrayBuffer()).byteLength > 0);
    }
    const icon = await fetch(`${t.origin}/portal/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
  });

  it('answers 404, never index.html, for a file it does not have', async () => {
    for (const path of [
      '/portal/assets/index-00000000.js',
      '/portal/assets/nested/x',
      '/portal/missing.css',
      '/portal/assets/..%2f..%2f..%2fpackage.json',
      '/portal/..%2f..%2fpackage.json',
    ]) {
      const response = await fetch(`${t.origin}${path}`);
      const text = await response.text();
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.match(text, /Not found/, path);
      assert.doesNotMatch(text, /"name": "tessera-azure"/, path);
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
  });

  it('keeps serving every file while `npm run build:portal` replaces the bundle', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tessera-portal-'));
    const bundleRoot = join(folder, 'portal');
    const app = Fastify();
    try {
      await buildPortalInto(bundleRoot);
      await app.register(portalPlugin, { bundleRoot });
      const first = await app.inject({ method: 'GET', url: '/portal/' });
      const paths = ['/portal/', '/portal/favicon.svg', ...assetsOf(first.body)];
      const rebuilt = buildPortalInto(bundleRoot);
      let finished = false;
      void rebuilt.finally(() => (finished = true));
      const answers = new Map<number, number>();
      while (!finished) {
        for (const url of paths) {
          const { statusCode } = await app.inject({ method: 'GET', url });
          answers.set(statusCode, (answers.get(statusCode) ?? 0) + 1);
        }
      }
      await rebuilt;
      assert.deepEqual([...answers.keys()], [200], JSON.stringify([...answers]));
      assert.ok((answers.get(200) ?? 0) > 50, 'the requests overlapped the build');
      assert.deepEqual(readdirSync(folder), ['portal'], 'nothing left beside the bundle');
    } finally {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('says how to build the portal when the bundle is missing (503)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tessera-portal-'));
    const app = Fastify();
    try {
      await app.register(portalPlugin, { bundleRoot: join(empty, 'portal') });
      for (const url of ['/portal/', '/portal/iam', '/portal/assets/index-1234.js']) {
        const response = await app.inject({ method: 'GET', url });
        assert.equal(response.statusCode, 503, url);
        assert.match(response.body, /The portal is not built/);
        assert.match(response.body, /npm run build/);
        assert.equal(response.headers['cache-control'], 'no-store');
        const csp = String(response.headers['content-security-policy']);
        // The page's one stylesheet is allowed by its hash, nothing else.
        assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
      }
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('exists in every tenant as a public client whose redirect is /portal/ on this origin only', async () => {
    const directory = t.server.tessera.directory;
    const app = await directory.applications.findByAppId(PORTAL_APP_ID);
    assert.equal(app?.displayName, 'Tessera Portal');
    assert.equal(app?.isFallbackPublicClient, true);
    const other = await directory.createTenant({ domain: 'portal-second.onmicrosoft.com' });
    for (const tenant of [t.tenant, other]) {
      assert.ok(await directory.servicePrincipals.findByAppId(tenant.id, PORTAL_APP_ID), tenant.domain);
    }

    const authorize = (redirectUri: string) =>
      new PageClient(t).get(
        authorizeUrl(t, {
          client_id: PORTAL_APP_ID,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: 'https://management.azure.com/.default openid profile offline_access',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }),
      );
    const accepted = await authorize(`${t.origin}/portal/`);
    assert.equal(accepted.status, 200);
    assert.match(accepted.text, /Sign in/);
    // The same path on another host or port, another path, or the bare path: the error page, no redirect.
    const port = new URL(t.origin).port;
    for (const refused of [
      'https://evil.example/portal/',
      `https://localhost:${Number(port) + 1}/portal/`,
      `http://localhost:${port}/portal/`,
      `${t.origin}/portal/x`,
      `${t.origin}/portal/?next=1`,
      `${t.origin}/portal/x/../`,
      '/portal/',
    ]) {
      const page = await authorize(refused);
      assert.equal(page.status, 400, refused);
      assert.equal(page.location, null, refused);
      assert.match(page.text, /AADSTS50011/, refused);
    }
  });

  it('a tenant’s own app cannot claim Tessera’s origin with a path redirect', async () => {
    const { application } = await t.server.tessera.directory.registerApplication(t.tenant, {
      displayName: 'claims the portal path',
      isFallbackPublicClient: true,
      publicClientRedirectUris: ['/portal/'],
    });
    const page = await new PageClient(t).get(
      authorizeUrl(t, {
        client_id: application.appId,
        response_type: 'code',
        redirect_uri: `${t.origin}/portal/`,
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
    assert.equal(page.status, 400);
    assert.match(page.text, /AADSTS50011/);
  });
});

describe('portal: the first-start administrator in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  const problems: string[] = [];

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    browser = await launchBrowser(t);
    // Script errors and policy violations; an API's refusal the test asks for is no problem.
    browser.page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Failed to load resource: the server responded'))
        problems.push(text);
    });
    browser.page.on('pageerror', (error) => problems.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const admin = () => {
    const administrator = t.server.bootstrap?.administrator;
    assert.ok(administrator, 'a new data folder bootstraps an administrator');
    return administrator;
  };

  it('signs in through the authority and lands on Home', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/`);
    // The portal sends the browser to the authority's sign-in page (authorization code + PKCE).
    await page.getByLabel('Username').waitFor();
    assert.match(page.url(), /\/organizations\/oauth2\/v2\.0\/authorize\?/);
    const authorize = new URL(page.url()).searchParams;
    assert.equal(authorize.get('client_id'), PORTAL_APP_ID);
    assert.equal(authorize.get('redirect_uri'), `${t.origin}/portal/`);
    assert.equal(authorize.get('code_challenge_method'), 'S256');
    assert.match(authorize.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(authorize.get('state') && authorize.get('nonce'));
    await screenshot(page, 'portal-1-sign-in');

    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    // The code is gone from the address bar, so a reload cannot replay it.
    assert.equal(page.url(), `${t.origin}/portal/`);
    const subscriptions = page.getByRole('region', { name: 'Subscriptions' });
    await subscriptions.getByRole('rowheader', { name: 'Tessera Subscription' }).waitFor();
    const groups = page.getByRole('region', { name: 'Resource groups' });
    await groups.getByRole('rowheader', { name: 'tessera-rg' }).waitFor();
    // Graph's answer for the person (a second token, from the refresh token).
    await page.getByText('Tessera Administrator').waitFor();
    await page
      .getByRole('region', { name: 'App Configuration stores' })
      .getByText('No App Configuration stores')
      .waitFor();
    await page
      .getByRole('region', { name: 'Media Services accounts' })
      .getByText('No Media Services accounts')
      .waitFor();
    await screenshot(page, 'portal-2-home');
    await assertAccessible(page, 'Home');
  });

  it('shows the API’s own message when a create is refused', async () => {
    const { page } = browser;
    const groups = page.getByRole('region', { name: 'Resource groups' });
    await groups.getByRole('button', { name: 'Create resource group' }).click();
    await groups.getByLabel('Name').fill('no spaces allowed!');
    await groups.getByRole('button', { name: 'Create', exact: true }).click();
    const alert = groups.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Resource group name 'no spaces allowed!' is invalid\./);
    await screenshot(page, 'portal-3-create-refused');
    await groups.getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates a resource group from the keyboard and lists it', async () => {
    const { page } = browser;
    const groups = page.getByRole('region', { name: 'Resource groups' });
    const create = groups.getByRole('button', { name: 'Create resource group' });
    await create.focus();
    await page.keyboard.press('Enter');
    // The form takes the focus: typing goes to its first field.
    assert.equal(await hasFocus(groups.getByLabel('Name')), true);
    await page.keyboard.type('portal-rg');
    await groups.getByLabel('Region').selectOption('westeurope');
    await screenshot(page, 'portal-4-create-form');
    await groups.getByLabel('Name').press('Enter');
    await groups.getByRole('rowheader', { name: 'portal-rg' }).waitFor();
    const row = groups.getByRole('row', { name: /portal-rg/ });
    assert.match(await row.innerText(), /westeurope/);
    await page.getByRole('status').filter({ hasText: 'Resource group portal-rg created.' }).waitFor();
    // Through ARM, as any client sees it.
    assert.ok(
      await t.server.tessera.resourceGroups.find(
        t.server.bootstrap?.subscription.subscriptionId ?? '',
        'portal-rg',
      ),
    );
    await screenshot(page, 'portal-5-group-created');
  });

  it('deletes it after asking, from the keyboard', async () => {
    const { page } = browser;
    const groups = page.getByRole('region', { name: 'Resource groups' });
    await groups.getByRole('button', { name: 'Delete resource group portal-rg' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete resource group portal-rg?' });
    await dialog.waitFor();
    // Cancel has the focus: Enter alone never deletes.
    assert.equal(await hasFocus(dialog.getByRole('button', { name: 'Cancel' })), true);
    await screenshot(page, 'portal-6-delete-dialog');
    await assertAccessible(page, 'the delete dialog');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await groups.getByRole('rowheader', { name: 'portal-rg' }).waitFor({ state: 'detached' });
    await groups.getByRole('rowheader', { name: 'tessera-rg' }).waitFor();
    assert.equal(
      await t.server.tessera.resourceGroups.find(
        t.server.bootstrap?.subscription.subscriptionId ?? '',
        'portal-rg',
      ),
      undefined,
    );
    await screenshot(page, 'portal-7-group-deleted');
  });

  it('creates and deletes an App Configuration store and a Media Services account', async () => {
    const { page } = browser;
    const cases = [
      { region: 'App Configuration stores', kind: 'App Configuration store', name: 'portal-settings' },
      { region: 'Media Services accounts', kind: 'Media Services account', name: 'portalmedia' },
    ];
    for (const { region, kind, name } of cases) {
      const section = page.getByRole('region', { name: region });
      await section.getByRole('button', { name: `Create ${kind}` }).click();
      await section.getByLabel('Name').fill(name);
      assert.equal(await section.getByLabel('Resource group').inputValue(), 'tessera-rg');
      await section.getByRole('button', { name: 'Create', exact: true }).click();
      await section.getByRole('rowheader', { name }).waitFor();
    }
    await screenshot(page, 'portal-8-resources-created');
    for (const { region, kind, name } of cases) {
      const section = page.getByRole('region', { name: region });
      await section.getByRole('button', { name: `Delete ${kind} ${name}` }).click();
      await page
        .getByRole('dialog', { name: `Delete ${kind} ${name}?` })
        .getByRole('button', { name: 'Delete' })
        .click();
      await section.getByRole('rowheader', { name }).waitFor({ state: 'detached' });
    }
    const subscriptionId = t.server.bootstrap?.subscription.subscriptionId ?? '';
    assert.equal(
      await t.server.tessera.configurationStores.find(subscriptionId, 'tessera-rg', 'portal-settings'),
      undefined,
    );
    assert.equal(
      await t.server.tessera.mediaServices.find(subscriptionId, 'tessera-rg', 'portalmedia'),
      undefined,
    );
  });

  it('creates a resource in the first group when the groups load after its form opened', async () => {
    const { page } = browser;
    const groupsList = /\/resourcegroups\?api-version=/;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(groupsList, async (route) => {
      await released;
      await route.continue();
    });
    try {
      await page.reload();
      const section = page.getByRole('region', { name: 'Media Services accounts' });
      await section.getByRole('button', { name: 'Create Media Services account' }).click();
      await section.getByLabel('Name').fill('latemedia');
      release();
      await section.getByRole('option', { name: 'tessera-rg' }).waitFor({ state: 'attached' });
      await section.getByRole('button', { name: 'Create', exact: true }).click();
      await section.getByRole('rowheader', { name: 'latemedia' }).waitFor();
    } finally {
      release();
      await page.unroute(groupsList);
    }
    const subscriptionId = t.server.bootstrap?.subscription.subscriptionId ?? '';
    const created = await t.server.tessera.mediaServices.find(subscriptionId, 'tessera-rg', 'latemedia');
    assert.equal(created?.location, 'westus');
  });

  it('fits a phone’s width', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await screenshot(page, 'portal-9-phone');
      await assertAccessible(page, 'Home at 390px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('lists the directory in the tenant switcher', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: /Directory:/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch directory' });
    await dialog.getByRole('button', { name: /Tessera.*tessera\.onmicrosoft\.com · current/ }).waitFor();
    await dialog.getByLabel('Another directory').waitFor();
    await screenshot(page, 'portal-10-switch-directory');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('a refresh token refused on reload signs in again through the SSO session, back to the same page', async () => {
    const { page } = browser;
    const storedToken = async () =>
      (
        JSON.parse(
          (await page.evaluate<string | null>("sessionStorage.getItem('tessera.portal.accounts')")) ?? '{}',
        ) as { accounts?: { refreshToken: string }[] }
      ).accounts?.[0]?.refreshToken;
    const before = await storedToken();
    assert.ok(before);
    const subscriptionId = t.server.bootstrap?.subscription.subscriptionId ?? '';
    const scope = `/subscriptions/${subscriptionId}/resourceGroups/tessera-rg`;
    const address = `${t.origin}/portal/iam?scope=${encodeURIComponent(scope)}`;
    // The load refreshes (access tokens live in memory only), which rotates the stored token.
    await page.goto(address);
    await page.getByRole('tab', { name: 'Check access' }).waitFor();
    assert.notEqual(await storedToken(), before);
    // A reload that lost the refresh's answer (a navigation while it was in flight) presents the
    // token it replaced: the authority revokes the family, and the SSO session signs the tab in again.
    await page.evaluate(
      `(() => { const s = JSON.parse(sessionStorage.getItem('tessera.portal.accounts'));
        s.accounts[0].refreshToken = ${JSON.stringify(before)};
        sessionStorage.setItem('tessera.portal.accounts', JSON.stringify(s)); })()`,
    );
    const authorizeRequests: string[] = [];
    const countAuthorize = (request: Request) => {
      if (request.url().includes('/oauth2/v2.0/authorize?')) authorizeRequests.push(request.url());
    };
    page.on('request', countAuthorize);
    const signedIn = page.waitForURL((url) => url.searchParams.has('code'));
    await page.reload();
    await signedIn;
    await page.waitForURL(address);
    await page.getByRole('tab', { name: 'Check access' }).waitFor();
    const after = await storedToken();
    assert.ok(after && after !== before);
    page.off('request', countAuthorize);
    // Each of the page's requests found the token refused; one sign-in answered them all.
    assert.equal(authorizeRequests.length, 1, authorizeRequests.join('\n'));
    assert.match(authorizeRequests[0] ?? '', /login_hint=/);
  });

  it('signs out: the SSO session ends and the refresh token dies with it', async () => {
    const { page } = browser;
    const stored = await page.evaluate<string | null>("sessionStorage.getItem('tessera.portal.accounts')");
    const refreshToken = (JSON.parse(stored ?? '{}') as { accounts?: { refreshToken: string }[] })
      .accounts?.[0]?.refreshToken;
    assert.ok(refreshToken);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You signed out' }).waitFor();
    assert.equal(page.url(), `${t.origin}/portal/`);
    assert.equal(
      await page.evaluate<string | null>("sessionStorage.getItem('tessera.portal.accounts')"),
      null,
    );
    await screenshot(page, 'portal-11-signed-out');

    const refreshed = await postForm(`${t.origin}/${t.tenant.id}/oauth2/v2.0/token`, {
      client_id: PORTAL_APP_ID,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      scope: `${FIRST_PARTY_APP_IDS.management}/.default`,
    });
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');

    // Signing in again asks for the password: no session answered for the person.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
  });

  it('shows someone without a role what to do next', async () => {
    const { page } = browser;
    const newcomer = await createUser(t, 'newcomer');
    await signInOnPage(page, newcomer.userPrincipalName, PASSWORD);
    const subscriptions = page.getByRole('region', { name: 'Subscriptions' });
    await subscriptions.getByText('You have no access to a subscription in this directory').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Resource groups' }).count(), 0);
    await screenshot(page, 'portal-12-no-access');
    await assertAccessible(page, 'Home without access');
    assert.deepEqual(problems, []);
  });
});
