import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl, formOf, inputValue, pkcePair } from '../support/signInClient.js';
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI, PASSWORD, createUser } from '../support/users.js';

/** Smart lockout as the sign-in page shows it: the same rules as the password grant. */
describe('sign-in page: wrong passwords and smart lockout', () => {
  let t: TestServer;
  let alice: User;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
  });
  after(async () => t.stop());

  /** The alert's text, without markup or layout whitespace. */
  const alertOf = (page: PageResponse): string =>
    (/<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/.exec(page.text)?.[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

  it('says 50126 without telling which part was wrong, then 50053 once the account is locked', async () => {
    const browser = new PageClient(t);
    let page = await browser.get(
      authorizeUrl(t, {
        client_id: AZURE_CLI,
        response_type: 'code',
        redirect_uri: 'http://localhost:8400',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
    // An unknown user and a wrong password read the same.
    const unknown = await browser.signIn(page, `nobody@${t.tenant.domain}`, 'Wrong-Password-0');
    assert.equal(unknown.location, null);
    assert.match(alertOf(unknown), /Your account or password is incorrect\./);
    assert.match(alertOf(unknown), /AADSTS50126/);
    page = unknown;
    for (let i = 1; i <= 10; i++) {
      page = await browser.signIn(page, alice.userPrincipalName, `Wrong-Password-${i}`);
      assert.equal(page.location, null);
      assert.equal(alertOf(page), alertOf(unknown).replace(/nobody/, 'alice'));
    }
    // The typed username stays, the password does not.
    assert.equal(inputValue(page, 'username'), alice.userPrincipalName);
    assert.doesNotMatch(page.text, /Wrong-Password/);
    assert.match(page.text, /id="password"[^>]*aria-invalid="true"/);

    const locked = await browser.signIn(page, alice.userPrincipalName, PASSWORD);
    assert.equal(locked.location, null, 'even the right password is refused during the lockout');
    assert.match(alertOf(locked), /Your account is locked/);
    assert.match(alertOf(locked), /AADSTS50053/);
    // The form is still there to try again later.
    assert.ok(formOf(locked).fields.flow);

    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.equal(log.length, 11);
    assert.ok(log.every((entry) => entry.flow === 'authorization_code' && entry.interactive));
    assert.equal(log[0]?.errorCode, 50053);
  });
});
