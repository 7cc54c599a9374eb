import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeviceCodeCredential } from '@azure/identity';
import type { DeviceCodeInfo } from '@azure/identity';
import type { User } from '../../src/directory/model.js';
import { verifyAccessToken } from '../support/authority.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { AZURE_CLI, PASSWORD, assertUserClaims, createUser, registerScopedApi } from '../support/users.js';
import type { ScopedApi } from '../support/users.js';

/**
 * The device code flow as `az login --use-device-code` runs it: unmodified @azure/identity
 * polls while a person, in Chromium, opens the verification page, types the code, signs in and
 * confirms.
 */
describe('@azure/identity DeviceCodeCredential with the verification page in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let alice: User;
  let api: ScopedApi;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    api = await registerScopedApi(t);
    browser = await launchBrowser(t);
  });
  after(async () => {
    await browser.close();
    await t.stop();
  });

  /** The person at the browser: enter the code, sign in, confirm. */
  async function approveInBrowser(info: DeviceCodeInfo): Promise<void> {
    const { page } = browser;
    assert.equal(info.verificationUri, `${t.origin}/devicelogin`);
    assert.match(info.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    assert.equal(
      info.message,
      `To sign in, use a web browser to open the page ${info.verificationUri} and enter the code ${info.userCode} to authenticate.`,
    );
    await page.goto(info.verificationUri);
    // Typed the way people do: lower case, with a dash in the middle.
    await page
      .getByLabel('Code')
      .fill(`${info.userCode.slice(0, 4).toLowerCase()}-${info.userCode.slice(4)}`);
    await screenshot(page, 'device-code-page');
    await page.getByRole('button', { name: 'Next' }).click();
    await signInOnPage(page, alice.userPrincipalName, PASSWORD);
    await page.getByRole('heading', { name: 'Are you trying to sign in to Microsoft Azure CLI?' }).waitFor();
    await screenshot(page, 'device-code-confirm-page');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'You have signed in to Microsoft Azure CLI' }).waitFor();
    await screenshot(page, 'device-code-done-page');
  }

  it('completes the device flow, then gets a token for another resource without a second prompt', async () => {
    const prompts: DeviceCodeInfo[] = [];
    let person: Promise<void> = Promise.resolve();
    const credential = new DeviceCodeCredential({
      tenantId: t.tenant.id,
      clientId: AZURE_CLI,
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
      userPromptCallback: (info) => {
        prompts.push(info);
        person = approveInBrowser(info);
      },
    });

    const arm = await credential.getToken('https://management.azure.com/.default');
    await person;
    const { payload } = await verifyAccessToken(t, arm.token, {
      version: 1,
      tenantId: t.tenant.id,
      audience: 'https://management.azure.com',
    });
    assertUserClaims(payload, {
      version: 1,
      user: alice,
      tenantId: t.tenant.id,
      clientId: AZURE_CLI,
      scp: 'user_impersonation',
    });

    // Another resource: MSAL redeems the refresh token the device flow issued.
    const orders = await credential.getToken(`api://${api.application.appId}/.default`);
    assert.equal(prompts.length, 1, 'no second device flow');
    const { payload: v2 } = await verifyAccessToken(t, orders.token, {
      version: 2,
      tenantId: t.tenant.id,
      audience: api.application.appId,
    });
    assertUserClaims(v2, {
      version: 2,
      user: alice,
      tenantId: t.tenant.id,
      clientId: AZURE_CLI,
      scp: 'Orders.Read Orders.Write',
    });

    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.ok(
      log.some((entry) => entry.flow === 'device_code' && entry.errorCode === 0 && entry.interactive),
    );
  });
});
