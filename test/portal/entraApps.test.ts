import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import { createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import { postForm, tokenUrl } from '../support/authority.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { createUser } from '../support/users.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, hasFocus, overflowOf } from './support.js';

const APP = 'orders-web';
const REDIRECT = 'https://localhost:5001/signin-oidc';
const SPA_REDIRECT = 'https://localhost:3000/';
const IDENTITY = 'orders-identity';

describe('portal: app registrations, enterprise applications and managed identities in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let appObjectId: string;
  let secretText: string;

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    await createUser(t, 'alice');
    browser = await launchBrowser(t);
    problems = collectProblems(browser.page);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const openSection = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Microsoft Entra ID' }).getByRole('link', { name }).click();
  };
  const tab = (page: Page, name: string) => page.getByRole('tab', { name }).click();

  it('registers an application with a web redirect URI and its service principal', async () => {
    const { page } = browser;
    const administrator = t.server.bootstrap?.administrator;
    assert.ok(administrator, 'a new data folder bootstraps an administrator');
    await page.goto(`${t.origin}/portal/entra/applications`);
    await signInOnPage(page, administrator.user.userPrincipalName, administrator.password);
    await page.getByRole('heading', { level: 2, name: 'App registrations' }).waitFor();
    await page.getByRole('button', { name: 'New registration' }).click();
    const form = page.getByRole('form', { name: 'Register an application' });
    assert.equal(await hasFocus(form.getByLabel('Display name')), true, 'the form opens on its first field');
    await form.getByLabel('Display name').fill(APP);
    await form.getByLabel('Redirect URI platform').selectOption('web');
    await form.getByLabel('Redirect URI', { exact: true }).fill(REDIRECT);
    await screenshot(page, 'portal-entra-apps-1-register');
    await assertAccessible(page, 'the registration form');
    await form.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { level: 2, name: APP }).waitFor();

    appObjectId = new URL(page.url()).searchParams.get('id') ?? '';
    const registered = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, appObjectId);
    assert.ok(registered, 'the page names the new application by its object id');
    assert.deepEqual(registered.webRedirectUris, [REDIRECT]);
    assert.ok(
      await t.server.tessera.directory.servicePrincipals.findByAppId(t.tenant.id, registered.appId),
      'its service principal was created with it',
    );
    // Overview: the ids and the endpoints, and the way to its enterprise application.
    await page.getByText(registered.appId).first().waitFor();
    await page.getByText(`${t.origin}/${t.tenant.id}/oauth2/v2.0/token`).waitFor();
    await page.getByRole('link', { name: `Open the enterprise application of ${APP}` }).waitFor();
    await screenshot(page, 'portal-entra-apps-2-overview');
    await assertAccessible(page, 'an application’s overview');

    await tab(page, 'Authentication');
    await page
      .getByRole('table', { name: 'Web redirect URIs' })
      .getByRole('row', { name: REDIRECT })
      .waitFor();
    // A single-page application's redirect URI: Graph's rules refuse plain http elsewhere than
    // localhost (its message shown), then a valid one is listed and stored.
    await page.getByRole('button', { name: 'Add URI for Single-page application' }).click();
    const spa = page.getByRole('form', { name: 'Add a Single-page application redirect URI' });
    await spa.getByLabel('Redirect URI').fill('http://orders.example.test/');
    await spa.getByRole('button', { name: 'Add' }).click();
    assert.match(await spa.getByRole('alert').innerText(), /must use https; only http:\/\/localhost/);
    await spa.getByLabel('Redirect URI').fill(SPA_REDIRECT);
    await spa.getByRole('button', { name: 'Add' }).click();
    await page
      .getByRole('table', { name: 'Single-page application redirect URIs' })
      .getByRole('row', { name: SPA_REDIRECT })
      .waitFor();
    const withSpa = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, appObjectId);
    assert.deepEqual(withSpa?.spaRedirectUris, [SPA_REDIRECT]);
    assert.deepEqual(withSpa?.webRedirectUris, [REDIRECT], 'the web platform is untouched');
    await screenshot(page, 'portal-entra-apps-3-redirect-uris');
    await assertAccessible(page, 'redirect URIs');
  });

  it('uploads a certificate (the PEM’s private key stays in the browser) and removes it', async () => {
    const { page } = browser;
    await tab(page, 'Certificates & secrets');
    const cert = await createSelfSignedCertificate('orders-web-cert');
    await page.getByRole('button', { name: 'Upload certificate' }).click();
    const form = page.getByRole('form', { name: 'Upload certificate' });
    await form.getByLabel('Certificate file').setInputFiles({
      name: 'orders.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(`${cert.privateKeyPem}${cert.certPem}`),
    });
    await form.getByRole('button', { name: 'Upload' }).click();
    const certificates = page.getByRole('table', { name: 'Certificates' });
    const row = certificates.getByRole('row', { name: /CN=orders-web-cert/ });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(cert.thumbprintSha1Hex));
    const registered = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, appObjectId);
    assert.ok(registered);
    const [stored] = await t.server.tessera.directory.credentials.certificates(registered.objectId);
    assert.equal(stored?.thumbprintSha1, cert.thumbprintSha1Hex);
    assert.equal(stored?.certificatePem.includes('PRIVATE KEY'), false);
    await assertAccessible(page, 'certificates');

    await page.getByRole('button', { name: /^Remove certificate CN=orders-web-cert/ }).click();
    const confirm = page.getByRole('dialog', { name: /^Delete certificate/ });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No certificates').waitFor();
    assert.deepEqual(await t.server.tessera.directory.credentials.certificates(registered.objectId), []);
  });

  it('adds a client secret, shows it once, and it signs the app in', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'New client secret' }).click();
    const form = page.getByRole('form', { name: 'Add a client secret' });
    await form.getByLabel('Description').fill('ci');
    await form.getByLabel('Expires').selectOption('90');
    await form.getByRole('button', { name: 'Add' }).click();
    const value = page.getByLabel('Value of ci');
    await value.waitFor();
    assert.equal(await hasFocus(value), true, 'the value takes the focus, to copy');
    secretText = await value.inputValue();
    assert.match(secretText, /^.{3}8Q~.{34}$/);
    await page.getByText('This is the only time it is shown.').waitFor();
    const row = page.getByRole('table', { name: 'Client secrets' }).getByRole('row', { name: /ci/ });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${secretText.slice(0, 3).replace(/[.~]/g, '\\$&')}\\*+`));
    await screenshot(page, 'portal-entra-apps-4-secret-once');
    await assertAccessible(page, 'the secret shown once');

    const registered = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, appObjectId);
    assert.ok(registered);
    const response = await postForm(tokenUrl(t), {
      grant_type: 'client_credentials',
      client_id: registered.appId,
      client_secret: secretText,
      scope: 'https://management.azure.com/.default',
    });
    const body = (await response.json()) as { access_token?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.ok(body.access_token, 'the shown secret is the one Graph registered');

    // A reload shows the secret's hint, never its value again.
    await page.reload();
    await page.getByRole('heading', { level: 2, name: APP }).waitFor();
    await tab(page, 'Certificates & secrets');
    await page.getByRole('table', { name: 'Client secrets' }).getByRole('row', { name: /ci/ }).waitFor();
    assert.equal(await page.getByLabel('Value of ci').count(), 0);
    assert.equal((await page.content()).includes(secretText), false, 'the value is gone from the page');
    await screenshot(page, 'portal-entra-apps-5-secret-hidden');
  });

  it('defines an app role and assigns a user to it on the enterprise application', async () => {
    const { page } = browser;
    await tab(page, 'App roles');
    await page.getByRole('button', { name: 'Create app role' }).click();
    const form = page.getByRole('form', { name: 'Create app role' });
    await form.getByLabel('Display name').fill('Approver');
    await form.getByLabel('Value').fill('Orders.Approve');
    await form.getByLabel('Description').fill('Approve orders');
    await form.getByRole('button', { name: 'Create' }).click();
    const roles = page.getByRole('table', { name: 'App roles' });
    await roles.getByRole('row', { name: /Approver.*Orders\.Approve/ }).waitFor();
    // An enabled role cannot be removed: Entra's rule, said on the button.
    assert.equal(await page.getByRole('button', { name: 'Remove app role Approver' }).isDisabled(), true);
    await screenshot(page, 'portal-entra-apps-6-app-role');
    await assertAccessible(page, 'app roles');

    await tab(page, 'Overview');
    await page.getByRole('link', { name: `Open the enterprise application of ${APP}` }).click();
    await page.getByRole('heading', { level: 2, name: APP }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal/entra/enterpriseApplications');
    await page.getByRole('button', { name: 'Add user/group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add assignment' });
    await dialog.getByLabel('Search users and groups').fill('Alice');
    await dialog.getByRole('radio', { name: /^Alice\b/ }).check();
    await dialog.getByRole('radio', { name: /^Approver\b/ }).check();
    await screenshot(page, 'portal-entra-apps-7-assign');
    await assertAccessible(page, 'the assignment dialog');
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('table', { name: 'Users and groups assigned' })
      .getByRole('row', { name: /Alice.*Approver/ })
      .waitFor();

    const registered = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, appObjectId);
    const sp =
      registered &&
      (await t.server.tessera.directory.servicePrincipals.findByAppId(t.tenant.id, registered.appId));
    assert.ok(registered && sp);
    const alice = await t.server.tessera.directory.users.find(t.tenant.id, `alice@${t.tenant.domain}`);
    const assigned = await t.server.tessera.directory.servicePrincipals.appRoleAssignmentsTo(sp.objectId);
    assert.deepEqual(
      assigned.map((a) => [a.principalId, a.appRoleId]),
      [[alice?.objectId, registered.appRoles.find((r) => r.value === 'Orders.Approve')?.id]],
    );
    await screenshot(page, 'portal-entra-apps-8-assigned');
    await assertAccessible(page, 'an enterprise application');

    // "Enabled for users to sign in": off, the app gets no token (Graph's PATCH, then the authority).
    const enabled = page.getByRole('switch', { name: 'Enabled for users to sign in' });
    assert.equal(await enabled.isChecked(), true);
    await enabled.click();
    await page.getByRole('definition').filter({ hasText: /^No$/ }).waitFor();
    assert.equal(await enabled.isChecked(), false);
    assert.equal(
      (await t.server.tessera.directory.servicePrincipals.findByAppId(t.tenant.id, registered.appId))
        ?.accountEnabled,
      false,
    );
    const appOnly = () =>
      postForm(tokenUrl(t), {
        grant_type: 'client_credentials',
        client_id: registered.appId,
        client_secret: secretText,
        scope: 'https://management.azure.com/.default',
      });
    const refused = (await (await appOnly()).json()) as { error_description?: string };
    assert.match(
      refused.error_description ?? '',
      /^AADSTS7000112: Application '.*'\(orders-web\) is disabled\./,
    );
    await screenshot(page, 'portal-entra-apps-8b-disabled');
    await assertAccessible(page, 'a disabled enterprise application');
    await enabled.press('Space');
    await page.getByRole('definition').filter({ hasText: /^Yes$/ }).waitFor();
    assert.equal((await appOnly()).status, 200, 'enabled again, the app gets its token');
  });

  it('creates a managed identity and opens its enterprise application', async () => {
    const { page } = browser;
    await openSection(page, 'Managed identities');
    await page.getByRole('heading', { level: 2, name: 'Managed identities' }).waitFor();
    await page.getByText('No managed identities yet').waitFor();
    await page.getByRole('button', { name: 'Create managed identity' }).click();
    const form = page.getByRole('form', { name: 'Create managed identity' });
    await form.getByLabel('Name').fill(IDENTITY);
    await form.getByRole('button', { name: 'Create' }).click();
    const table = page.getByRole('table', { name: 'Managed identities' });
    await table.getByRole('row', { name: new RegExp(IDENTITY) }).waitFor();
    await table.getByRole('link', { name: `Access control (IAM) of ${IDENTITY}` }).waitFor();
    await screenshot(page, 'portal-entra-apps-9-identities');
    await assertAccessible(page, 'managed identities');

    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap);
    const identity = await managedIdentitiesOf(t.server.tessera.db).userAssigned.get(
      bootstrap.subscription.subscriptionId,
      bootstrap.resourceGroup.name,
      IDENTITY,
    );
    await table.getByRole('link', { name: IDENTITY, exact: true }).click();
    await page.getByRole('heading', { level: 2, name: IDENTITY }).waitFor();
    await page.getByText(identity.clientId).waitFor();
    await page.getByText(identity.principalId).waitFor();
    await assertAccessible(page, 'a managed identity');
    await page.getByRole('link', { name: `Enterprise application of ${IDENTITY}` }).click();
    await page.getByRole('heading', { level: 2, name: IDENTITY }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('id'), identity.principalId);
    await page.getByText('None: a managed identity has no app registration.').waitFor();
    await screenshot(page, 'portal-entra-apps-10-identity-principal');
    await assertAccessible(page, 'a managed identity’s enterprise application');

    // The enterprise applications list filters by type through Graph.
    await openSection(page, 'Enterprise applications');
    await page.getByLabel('Application type').selectOption('ManagedIdentity');
    const list = page.getByRole('table', { name: 'Enterprise applications' });
    await list.getByRole('row', { name: new RegExp(IDENTITY) }).waitFor();
    await list.getByRole('row', { name: new RegExp(APP) }).waitFor({ state: 'detached' });
    await assertAccessible(page, 'enterprise applications');
  });

  it('fits a phone’s width on the app list', async () => {
    const { page } = browser;
    await openSection(page, 'App registrations');
    const list = page.getByRole('table', { name: 'App registrations' });
    await list.getByRole('row', { name: new RegExp(APP) }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(page, 'portal-entra-apps-11-phone');
      await assertAccessible(page, 'app registrations at 390px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    assert.deepEqual(problems, []);
  });
});
