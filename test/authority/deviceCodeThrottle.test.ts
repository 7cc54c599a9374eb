import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CODE_TRIES_PER_BROWSER,
  CODE_TRIES_PER_IP,
} from '../../src/authority/deviceCode/codeEntryThrottle.js';
import { postForm } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, formOf } from '../support/signInClient.js';
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI } from '../support/users.js';

const ARM = 'https://management.azure.com/.default';
/** Well-formed codes no device was given: valid letters, never issued by this fresh server. */
const wrongCode = (i: number) =>
  `BCDF${'GHJKLMNPQRSTVWXZ'.charAt(i % 16)}${'GHJKLMNPQRSTVWXZ'.charAt(Math.floor(i / 16) % 16)}BB`;

describe('device-code entry throttling', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const userCode = async () => {
    const response = await postForm(`${t.origin}/${t.tenant.id}/oauth2/v2.0/devicecode`, {
      client_id: AZURE_CLI,
      scope: ARM,
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { user_code: string }).user_code;
  };
  /** A browser that has opened the entry page, and a way to type codes into its form. */
  const openBrowser = async () => {
    const browser = new PageClient(t);
    const { fields } = formOf(await browser.get(`${t.origin}/devicelogin`));
    return { browser, enter: (otc: string) => browser.post('/devicelogin', { ...fields, otc }) };
  };
  const expectWrong = (page: PageResponse) => {
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.text, /That code didn’t work/);
  };
  const expectThrottled = (page: PageResponse) => {
    assert.equal(page.status, 429, page.text.slice(0, 300));
    assert.match(page.text, /Too many codes that didn’t work were entered\. Wait a minute/);
    assert.doesNotMatch(page.text, /That code didn’t work/);
    // Still the entry form, with a fresh CSRF token, for when the wait is over.
    assert.ok(formOf(page).fields.csrf);
  };
  let wrongSoFar = 0;
  const nextWrong = () => wrongCode(wrongSoFar++);

  it(`stops one browser after ${CODE_TRIES_PER_BROWSER} wrong codes, without looking the next one up`, async () => {
    const { enter } = await openBrowser();
    for (let i = 0; i < CODE_TRIES_PER_BROWSER; i++) expectWrong(await enter(nextWrong()));
    expectThrottled(await enter(nextWrong()));
    // Even a live code is not looked up from this browser now.
    const live = await userCode();
    expectThrottled(await enter(live));
    // Another browser at the same address is not held back by this one, and a right code uses
    // none of the address's tries.
    const other = await openBrowser();
    const page = await other.enter(live);
    assert.equal(page.status, 200);
    assert.match(page.text, /id="password"/, 'the right code leads on to sign-in');
  });

  it(`stops an address after ${CODE_TRIES_PER_IP} wrong codes across browsers, parallel guesses included`, async () => {
    // The first test spent CODE_TRIES_PER_BROWSER of this address's tries.
    const left = CODE_TRIES_PER_IP - CODE_TRIES_PER_BROWSER;
    const browsers = await Promise.all(
      Array.from({ length: Math.ceil(left / CODE_TRIES_PER_BROWSER) + 1 }, () => openBrowser()),
    );
    // Every browser guesses at once, more than the address has left: exactly `left` are looked up.
    const guesses = browsers.flatMap(({ enter }) =>
      Array.from({ length: CODE_TRIES_PER_BROWSER }, () => enter(nextWrong())),
    );
    const pages = await Promise.all(guesses);
    const statuses = pages.map((page) => page.status);
    assert.equal(statuses.filter((s) => s === 200).length, left);
    assert.equal(statuses.filter((s) => s === 429).length, guesses.length - left);
    for (const page of pages) (page.status === 200 ? expectWrong : expectThrottled)(page);
    // A browser that has not guessed at all is held back too: the limit is the address's.
    const fresh = await openBrowser();
    expectThrottled(await fresh.enter(await userCode()));
  });

  it('checks the CSRF token before the throttle: a forged form is refused as before', async () => {
    const browser = new PageClient(t);
    await browser.get(`${t.origin}/devicelogin`);
    const page = await browser.post('/devicelogin', { otc: nextWrong() });
    assert.equal(page.status, 400);
    assert.match(page.text, /AADSTS90023|AADSTS50089/);
  });
});
