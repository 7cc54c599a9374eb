import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl, codeOf, formOf, pkcePair } from '../support/signInClient.js';
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI, PASSWORD, createUser } from '../support/users.js';
import { tamper } from '../support/tamper.js';

/** A refused form: an error page, no redirect, no session cookie. */
function expectRefused(page: PageResponse): void {
  assert.equal(page.status, 400, page.text.slice(0, 200));
  assert.equal(page.location, null);
  assert.match(page.text, /AADSTS90023|AADSTS50089/);
  assert.ok(
    !page.headers.getSetCookie().some((c) => c.startsWith('__Host-tessera-sso-')),
    'nobody was signed in',
  );
}

/** Login CSRF: a sign-in form only counts when this browser got it from this server. */
describe('CSRF protection of the sign-in forms', () => {
  let t: TestServer;
  let alice: User;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
  });
  after(async () => t.stop());

  const open = async (browser: PageClient) =>
    browser.get(
      authorizeUrl(t, {
        client_id: AZURE_CLI,
        response_type: 'code',
        redirect_uri: 'http://localhost:8400',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
  const credentials = () => ({ username: alice.userPrincipalName, password: PASSWORD });

  it('refuses a POST without, or with a wrong, token — and checks no password', async () => {
    const browser = new PageClient(t);
    const page = await open(browser);
    const { action, fields } = formOf(page);
    const { csrf, ...withoutToken } = fields;
    assert.ok(csrf);
    expectRefused(await browser.post(action, { ...withoutToken, ...credentials() }));
    expectRefused(await browser.post(action, { ...fields, csrf: tamper(csrf), ...credentials() }));
    expectRefused(await browser.post(action, { ...fields, csrf: '', ...credentials() }));
    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.equal(log.length, 0, 'the password was never looked at');
    // The genuine form still works afterwards.
    codeOf(await browser.signIn(page, alice.userPrincipalName));
  });

  it('refuses a form replayed from another browser, or by one without the browser cookie', async () => {
    const victim = new PageClient(t);
    const attacker = new PageClient(t);
    const attackerPage = await open(attacker);
    const victimPage = await open(victim);
    // The attacker's own, valid form, posted by the victim's browser (the classic login CSRF).
    const attackerForm = formOf(attackerPage);
    expectRefused(await victim.post(attackerForm.action, { ...attackerForm.fields, ...credentials() }));
    // The victim's flow with the attacker's token, and the victim's form without any cookie.
    const victimForm = formOf(victimPage);
    expectRefused(
      await attacker.post(victimForm.action, { ...victimForm.fields, csrf: attackerForm.fields.csrf ?? '' }),
    );
    expectRefused(
      await new PageClient(t).post(victimForm.action, { ...victimForm.fields, ...credentials() }),
    );
  });

  it('refuses a form whose pending sign-in is unknown or already completed', async () => {
    const browser = new PageClient(t);
    const page = await open(browser);
    const { action, fields } = formOf(page);
    expectRefused(await browser.post(action, { ...fields, flow: 'A'.repeat(43), ...credentials() }));
    codeOf(await browser.post(action, { ...fields, ...credentials() }));
    // Posting the same form again does not mint a second code.
    expectRefused(await browser.post(action, { ...fields, ...credentials() }));
  });

  it('protects the device-code entry form too', async () => {
    const browser = new PageClient(t);
    const page = await browser.get(`${t.origin}/devicelogin`);
    const { fields } = formOf(page);
    expectRefused(await browser.post('/devicelogin', { otc: 'BCDFGHJK' }));
    expectRefused(await new PageClient(t).post('/devicelogin', { ...fields, otc: 'BCDFGHJK' }));
    const wrongCode = await browser.post('/devicelogin', { ...fields, otc: 'BCDFGHJK' });
    assert.equal(wrongCode.status, 200);
    assert.match(wrongCode.text, /That code didn’t work/);
  });
});
