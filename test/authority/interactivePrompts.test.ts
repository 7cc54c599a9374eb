import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  PageClient,
  authorizeUrl,
  codeOf,
  inputValue,
  pkcePair,
  responseFields,
} from '../support/signInClient.js';
import { AZURE_CLI, createUser } from '../support/users.js';

/** prompt=select_account and prompt=consent, and a login_hint naming someone else. */
describe('authorization prompts with a signed-in browser', () => {
  let t: TestServer;
  let alice: User;
  let bob: User;
  let browser: PageClient;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    browser = new PageClient(t);
    const page = await browser.get(url());
    codeOf(await browser.signIn(page, alice.userPrincipalName));
  });
  after(async () => t.stop());

  function url(params: Record<string, string> = {}): string {
    return authorizeUrl(t, {
      client_id: AZURE_CLI,
      response_type: 'code',
      redirect_uri: 'http://localhost:8400',
      scope: 'https://management.azure.com/user_impersonation openid profile offline_access',
      state: 'st',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      ...params,
    });
  }

  it('select_account offers the signed-in account or another one', async () => {
    const picker = await browser.get(url({ prompt: 'select_account' }));
    assert.match(picker.text, /<h1>Pick an account<\/h1>/);
    assert.ok(picker.text.includes(alice.userPrincipalName));
    codeOf(await browser.submit(picker, { action: 'continue' }));

    const again = await browser.get(url({ prompt: 'select_account' }));
    const form = await browser.submit(again, { action: 'other' });
    assert.match(form.text, /id="password"/);
    codeOf(await browser.signIn(form, alice.userPrincipalName));
  });

  it('consent lists what the app gets; Accept issues the code, Cancel answers access_denied', async () => {
    const consent = await browser.get(url({ prompt: 'consent' }));
    assert.match(consent.text, /Permissions requested/);
    for (const permission of ['Sign you in', 'View your basic profile', 'Access Azure Resource Manager']) {
      assert.ok(consent.text.includes(permission), permission);
    }
    codeOf(await browser.submit(consent, { action: 'continue' }));

    const declined = responseFields(
      await browser.submit(await browser.get(url({ prompt: 'consent' })), { action: 'cancel' }),
    );
    assert.equal(declined.error, 'access_denied');
    assert.match(declined.error_description ?? '', /^AADSTS65004: /);
    assert.equal(declined.state, 'st');
  });

  it('a login_hint naming someone else asks for their password', async () => {
    const page = await browser.get(url({ login_hint: bob.userPrincipalName }));
    assert.equal(inputValue(page, 'username'), bob.userPrincipalName);
    const silent = responseFields(
      await browser.get(url({ login_hint: bob.userPrincipalName, prompt: 'none' })),
    );
    assert.equal(silent.error, 'login_required');
    // Alice's own hint rides on her session.
    codeOf(await browser.get(url({ login_hint: alice.userPrincipalName.toUpperCase() })));
  });
});
