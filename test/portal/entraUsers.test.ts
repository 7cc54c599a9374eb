import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { RESULTS_DIR, launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { ropc } from '../support/users.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, overflowOf } from './support.js';

const ARM_SCOPE = 'https://management.azure.com/.default';

/** The AADSTS code of a refused password grant. */
async function refusal(response: Response): Promise<number | undefined> {
  const body = (await response.json()) as { error_codes?: number[] };
  return body.error_codes?.[0];
}

describe('portal: Microsoft Entra ID users, groups and the sign-in log in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let initialPassword = '';
  let newPassword = '';

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    mkdirSync(join(RESULTS_DIR, 'portal'), { recursive: true });
    browser = await launchBrowser(t);
    problems = collectProblems(browser.page);
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
  const shot = (page: Page, name: string) => screenshot(page, `portal/entra-${name}`);
  const avery = async () => {
    const user = await t.server.tessera.directory.users.find(t.tenant.id, `avery@${t.tenant.domain}`);
    assert.ok(user, 'the portal created Avery');
    return user;
  };
  const averyPassword = (password: string) =>
    ropc(t, { username: `avery@${t.tenant.domain}`, password, scope: ARM_SCOPE });

  it('lists users, and fits a phone', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/entra/users`);
    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    const users = page.getByRole('table', { name: 'Users' });
    const row = users.getByRole('row', { name: new RegExp(admin().user.userPrincipalName) });
    await row.waitFor();
    assert.match(await row.innerText(), /Yes/);
    await shot(page, '1-users');
    await assertAccessible(page, 'Entra users');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await row.waitFor();
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `the users list is ${overflow}px wider than the screen`);
      await shot(page, '2-users-phone');
      await assertAccessible(page, 'Entra users at 390px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('creates a user in the organization’s domain with a generated password, shown once', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Display name').fill('Avery Howard');
    await dialog.getByLabel('User name').fill('avery');
    const domain = dialog.getByLabel('Domain');
    await domain.locator('option').first().waitFor({ state: 'attached' });
    assert.equal(await domain.inputValue(), t.tenant.domain);
    assert.equal(await dialog.getByRole('radio', { name: /Generate a password/ }).isChecked(), true);
    assert.equal(await dialog.getByRole('checkbox', { name: /Require a new password/ }).isChecked(), true);
    await shot(page, '3-new-user');
    await assertAccessible(page, 'the new user dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const created = page.getByRole('dialog', { name: 'Avery Howard was created' });
    await created.waitFor();
    initialPassword = await created.getByLabel('Initial password').inputValue();
    assert.match(initialPassword, /^\S{16}$/);
    await shot(page, '4-user-created');
    await assertAccessible(page, 'the created user dialog');
    // The password works, and must be changed first: Graph was told so.
    assert.equal(await refusal(await averyPassword(initialPassword)), 50055);
    assert.equal((await avery()).accountEnabled, true);

    // A name Graph refuses: its message is shown as it said it.
    await created.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'New user' }).click();
    const again = page.getByRole('dialog', { name: 'New user' });
    await again.getByLabel('Display name').fill('Avery Again');
    await again.getByLabel('User name').fill('avery');
    await again.getByRole('button', { name: 'Create' }).click();
    assert.match(
      await again.getByRole('alert').innerText(),
      /Another object with the same value for property userPrincipalName already exists/,
    );
    await again.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'Avery Howard' }).click();
    await page.getByRole('heading', { level: 2, name: 'Avery Howard' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('id'), (await avery()).objectId);
  });

  it('resets the password (shown once) and disables the user', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset the password of Avery Howard?' });
    await dialog.getByRole('checkbox', { name: /Require a new password/ }).uncheck();
    await assertAccessible(page, 'the reset password dialog');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    const done = page.getByRole('dialog', { name: 'The password of Avery Howard was reset' });
    newPassword = await done.getByLabel('New password').inputValue();
    assert.notEqual(newPassword, initialPassword);
    await shot(page, '5-password-reset');
    await done.getByRole('button', { name: 'Done' }).click();
    assert.equal(await refusal(await averyPassword(initialPassword)), 50126);
    assert.equal((await averyPassword(newPassword)).status, 200);

    await page.getByRole('button', { name: 'Disable sign-in' }).click();
    await page.getByRole('button', { name: 'Enable sign-in' }).waitFor();
    await page.getByText('Avery Howard was disabled').first().waitFor();
    assert.equal((await avery()).accountEnabled, false);
    assert.equal(await refusal(await averyPassword(newPassword)), 50057);
    await shot(page, '6-user-disabled');
    await assertAccessible(page, 'the user page');
  });

  it('creates a group and adds the user through the member search', async () => {
    const { page } = browser;
    await page
      .getByRole('navigation', { name: 'Microsoft Entra ID' })
      .getByRole('link', { name: 'Groups' })
      .click();
    await page.getByRole('button', { name: 'New group' }).click();
    const dialog = page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Media editors');
    await dialog.getByLabel('Description').fill('People who edit the media library');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 2, name: 'Media editors' }).waitFor();
    await page.getByText('No members yet').waitFor();
    await page.getByRole('button', { name: 'Add member' }).click();
    const add = page.getByRole('dialog', { name: 'Add a member to Media editors' });
    await add.getByLabel('Search users, groups and service principals').fill('Avery');
    await add.getByRole('radio', { name: /^Avery Howard\b/ }).check();
    await shot(page, '7-add-member');
    await assertAccessible(page, 'the add member dialog');
    await add.getByRole('button', { name: 'Add' }).click();
    await add.waitFor({ state: 'detached' });
    const member = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /Avery Howard/ });
    await member.waitFor();
    assert.match(await member.innerText(), /User/);
    const [group] = (await t.server.tessera.directory.groups.list(t.tenant.id)).filter(
      (g) => g.displayName === 'Media editors',
    );
    assert.ok(group);
    const members = await t.server.tessera.directory.groups.members(group);
    assert.deepEqual(
      members.map((m) => m.objectId),
      [(await avery()).objectId],
    );
    await shot(page, '8-group-members');
    await assertAccessible(page, 'the group page');
    // The user's page lists the group.
    await member.getByRole('link', { name: 'Avery Howard' }).click();
    await page
      .getByRole('table', { name: 'Group memberships' })
      .getByRole('link', { name: 'Media editors' })
      .waitFor();
  });

  it('shows the sign-in log with the administrator’s own sign-in, and filters it to failures', async () => {
    const { page } = browser;
    const upn = admin().user.userPrincipalName;
    const wrong = await ropc(t, { username: upn, password: 'Not-The-Password-1', scope: ARM_SCOPE });
    assert.equal(await refusal(wrong), 50126);
    await page
      .getByRole('navigation', { name: 'Microsoft Entra ID' })
      .getByRole('link', { name: 'Sign-in logs' })
      .click();
    const log = page.getByRole('table', { name: 'Sign-ins' });
    const portalSignIn = log.getByRole('row', { name: /Tessera Portal/ }).first();
    await portalSignIn.waitFor();
    assert.match(await portalSignIn.innerText(), new RegExp(upn));
    assert.match(await portalSignIn.innerText(), /Success/);
    await shot(page, '9-sign-ins');
    await assertAccessible(page, 'the sign-in log');

    await page.getByLabel('Status', { exact: true }).selectOption('failure');
    await page.getByLabel('User', { exact: true }).fill(upn.slice(0, 5));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const failures = log.getByRole('row', { name: /Failure \(50126\)/ });
    await failures.first().waitFor();
    assert.equal(await log.getByRole('row', { name: /Tessera Portal/ }).count(), 0);
    assert.equal(await failures.count(), 1);
    assert.match(await failures.innerText(), new RegExp(upn));
    assert.match(await failures.innerText(), /Microsoft Azure CLI/);
    // Avery's refused attempts are not the administrator's: the user filter went to Graph.
    assert.doesNotMatch(await log.innerText(), /avery@/);
    await shot(page, '10-sign-in-failures');
    await assertAccessible(page, 'the filtered sign-in log');
    assert.deepEqual(problems, []);
  });
});
