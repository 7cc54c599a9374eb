import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { User } from '../../src/directory/model.js';
import { expectAadsts, postForm, tokenUrl } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient } from '../support/signInClient.js';
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI, createUser, okBody } from '../support/users.js';

const ARM = 'https://management.core.windows.net//.default offline_access openid profile';
const URN = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

/** RFC 8628 on the wire: the device authorization response and every answer to a poll. */
describe('device code flow: requests, polling answers and the verification page', () => {
  let t: TestServer;
  let alice: User;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
  });
  after(async () => t.stop());

  const devicecode = (fields: Record<string, string>, tenant = t.tenant.id, version: 1 | 2 = 2) =>
    postForm(`${t.origin}/${tenant}/oauth2/${version === 2 ? 'v2.0/' : ''}devicecode`, fields);
  async function start(tenant = t.tenant.id): Promise<DeviceAuthorization> {
    const response = await devicecode({ client_id: AZURE_CLI, scope: ARM }, tenant);
    assert.equal(response.status, 200);
    return (await response.json()) as DeviceAuthorization;
  }
  const poll = (deviceCode: string, fields: Record<string, string> = {}, tenant = t.tenant.id) =>
    postForm(tokenUrl(t, tenant), {
      grant_type: 'device_code',
      client_id: AZURE_CLI,
      device_code: deviceCode,
      ...fields,
    });

  /** The person: enters the code, signs in (unless the browser has a session), then answers. */
  async function approve(
    browser: PageClient,
    userCode: string,
    answer: 'continue' | 'cancel',
  ): Promise<PageResponse> {
    const entry = await browser.get(`${t.origin}/devicelogin`);
    let page = await browser.submit(entry, { otc: userCode });
    if (page.text.includes('id="password"')) page = await browser.signIn(page, alice.userPrincipalName);
    assert.match(page.text, /Are you trying to sign in to Microsoft Azure CLI\?/);
    return browser.submit(page, { action: answer });
  }

  it('answers the device authorization request in Entra’s v2 and v1 shapes', async () => {
    const v2 = await start();
    assert.deepEqual(Object.keys(v2).sort(), [
      'device_code',
      'expires_in',
      'interval',
      'message',
      'user_code',
      'verification_uri',
    ]);
    assert.match(v2.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    assert.match(v2.device_code, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(v2.verification_uri, `${t.origin}/devicelogin`);
    assert.equal(v2.expires_in, 900);
    assert.equal(v2.interval, 5);
    assert.equal(
      v2.message,
      `To sign in, use a web browser to open the page ${t.origin}/devicelogin and enter the code ${v2.user_code} to authenticate.`,
    );
    const v1 = (await (
      await devicecode(
        { client_id: AZURE_CLI, resource: 'https://management.core.windows.net/' },
        t.tenant.id,
        1,
      )
    ).json()) as Record<string, unknown>;
    assert.equal(v1.verification_url, `${t.origin}/devicelogin`);
    assert.equal(v1.expires_in, '900');
    assert.equal(v1.interval, '5');
  });

  it('refuses bad device authorization requests', async () => {
    await expectAadsts(await devicecode({ scope: ARM }), 400, 'invalid_request', 900144);
    await expectAadsts(
      await devicecode({ client_id: '7e0d7a4f-0000-4000-8000-000000000001', scope: ARM }),
      400,
      'unauthorized_client',
      700016,
    );
    await expectAadsts(
      await devicecode({ client_id: AZURE_CLI, scope: 'api://nothing/.default' }),
      400,
      'invalid_resource',
      500011,
    );
    const get = await fetch(`${t.origin}/${t.tenant.id}/oauth2/v2.0/devicecode`);
    await expectAadsts(get, 405, 'invalid_request', 900561);
  });

  it('polls answer authorization_pending (70016) under both grant type names', async () => {
    const { device_code } = await start();
    await expectAadsts(await poll(device_code), 400, 'authorization_pending', 70016);
    await expectAadsts(await poll(device_code, { grant_type: URN }), 400, 'authorization_pending', 70016);
    await expectAadsts(await poll('A'.repeat(43)), 400, 'invalid_grant', 70000);
    await expectAadsts(
      await poll(device_code, { client_id: '1950a258-227b-4e31-a9cf-717495945fc2' }),
      400,
      'invalid_grant',
      70000,
    );
  });

  it('an approved code redeems once, with the scope of the request when the poll names none (az)', async () => {
    const { device_code, user_code } = await start();
    const done = await approve(new PageClient(t), user_code, 'continue');
    assert.match(done.text, /You have signed in to Microsoft Azure CLI/);
    const body = await okBody(
      await postForm(tokenUrl(t), { grant_type: URN, client_id: AZURE_CLI, device_code, client_info: '1' }),
    );
    assert.equal(decodeJwt(body.access_token).aud, 'https://management.core.windows.net/');
    assert.equal(decodeJwt(body.access_token).upn, alice.userPrincipalName);
    assert.ok(body.refresh_token && body.id_token && body.client_info);
    await expectAadsts(await poll(device_code), 400, 'invalid_grant', 70000);
  });

  it('a cancelled sign-in answers authorization_declined', async () => {
    const { device_code, user_code } = await start();
    const page = await approve(new PageClient(t), user_code, 'cancel');
    assert.match(page.text, /You declined to sign in to Microsoft Azure CLI/);
    const body = await expectAadsts(await poll(device_code), 400, 'authorization_declined', 65004);
    assert.ok(body);
  });

  it('an expired code answers expired_token (70020) and is refused on the page', async () => {
    const { device_code, user_code } = await start();
    const hash = createHash('sha256').update(device_code).digest('hex');
    await t.server.tessera.db
      .updateTable('device_codes')
      .set({ expires_at: 1 })
      .where('device_code_hash', '=', hash)
      .execute();
    await expectAadsts(await poll(device_code), 400, 'expired_token', 70020);
    await expectAadsts(await poll(device_code, { grant_type: URN }), 400, 'expired_token', 70020);
    const browser = new PageClient(t);
    const page = await browser.submit(await browser.get(`${t.origin}/devicelogin`), { otc: user_code });
    assert.match(page.text, /That code didn’t work/);
  });

  it('on /organizations the person’s tenant comes from the username; a live session skips the password', async () => {
    const browser = new PageClient(t);
    const first = await start('organizations');
    await expectAadsts(
      await poll(first.device_code, {}, 'organizations'),
      400,
      'authorization_pending',
      70016,
    );
    await approve(browser, first.user_code, 'continue');
    const body = await okBody(await poll(first.device_code, { scope: ARM }, 'organizations'));
    assert.equal(decodeJwt(body.access_token).tid, t.tenant.id);

    const second = await start('organizations');
    const entry = await browser.get(`${t.origin}/devicelogin`);
    const confirm = await browser.submit(entry, { otc: second.user_code.toLowerCase() });
    assert.doesNotMatch(confirm.text, /id="password"/);
    await browser.submit(confirm, { action: 'continue' });
    await okBody(await poll(second.device_code, { scope: ARM }, 'organizations'));
    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.ok(log.filter((e) => e.flow === 'device_code').length >= 2);
  });
});
