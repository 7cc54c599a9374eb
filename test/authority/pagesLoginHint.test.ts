import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { assertNoElement, launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl, pkcePair } from '../support/signInClient.js';
import { createUser, registerPublicClient } from '../support/users.js';
import type { PublicClient } from '../support/users.js';

const HOSTILE_HINT = `alice"><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'&<b>`;

/** Everything a client or an admin controls is text on the page, never markup. */
describe('sign-in page: login_hint and names are escaped', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let alice: User;
  let hostileApp: PublicClient;
  let orders: PublicClient;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    hostileApp = await registerPublicClient(t, '<img src=x onerror="window.pwned=3">Evil & Co');
    orders = await registerPublicClient(t, 'Contoso Orders');
    browser = await launchBrowser(t);
  });
  after(async () => {
    await browser.close();
    await t.stop();
  });

  const url = (loginHint: string, client = hostileApp) =>
    authorizeUrl(t, {
      client_id: client.application.appId,
      response_type: 'code',
      redirect_uri: 'http://localhost:8400',
      scope: 'openid',
      login_hint: loginHint,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });

  it('pre-fills the login_hint HTML-escaped in the raw page', async () => {
    const page = await new PageClient(t).get(url(HOSTILE_HINT));
    assert.equal(page.status, 200);
    assert.ok(
      page.text.includes(
        'value="alice&quot;&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;&#39;&amp;&lt;b&gt;"',
      ),
    );
    assert.ok(page.text.includes('&lt;img src=x onerror=&quot;window.pwned=3&quot;&gt;Evil &amp; Co'));
    assert.doesNotMatch(page.text, /<script>window|<img src=x|<b>/);
  });

  it('in Chromium: the hint is the field’s value, nothing was injected, nothing ran', async () => {
    const { page } = browser;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url(HOSTILE_HINT));
    assert.equal(await page.getByLabel('Username').inputValue(), HOSTILE_HINT);
    await assertNoElement(page, 'script');
    await assertNoElement(page, 'img');
    await assertNoElement(page, 'main b');
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
    await page.getByText('<img src=x onerror="window.pwned=3">Evil & Co').first().waitFor();
    assert.deepEqual(dialogs, []);
  });

  it('shows a wrong password inline, keeps the username, and looks right on a phone', async () => {
    const { page } = browser;
    await page.goto(url(alice.userPrincipalName, orders));
    assert.equal(await page.getByLabel('Username').inputValue(), alice.userPrincipalName);
    await signInOnPage(page, alice.userPrincipalName, 'Not-The-Password-1');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Your account or password is incorrect\./);
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), 'page-error');
    await screenshot(page, 'sign-in-page-error');
    await page.setViewportSize({ width: 390, height: 780 });
    await screenshot(page, 'sign-in-page-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
