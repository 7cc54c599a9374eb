import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, createUser } from '../support/users.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, hasFocus, overflowOf } from './support.js';

const ACCOUNT = 'iammedia';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

describe('portal: Access control (IAM) in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let daemon: SecretClient;
  let accountScope: string;
  let groupScope: string;

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap, 'a new data folder bootstraps an administrator');
    const { account } = await t.server.tessera.mediaServices.createOrUpdate({
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
      name: ACCOUNT,
      location: 'westus',
    });
    accountScope = account.id;
    groupScope = `/subscriptions/${bootstrap.subscription.subscriptionId}/resourceGroups/${bootstrap.resourceGroup.name}`;
    daemon = await registerSecretClient(t, { displayName: 'iam-daemon' });
    const reader = await createUser(t, 'reader');
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: groupScope,
      roleDefinition: 'Reader',
      principalId: reader.objectId,
    });
    await t.server.tessera.denyAssignments.create({
      tenantId: t.tenant.id,
      scope: groupScope,
      denyAssignmentName: 'Keep media accounts',
      description: 'Nobody but the administrator deletes a media account.',
      permissions: [
        {
          actions: ['Microsoft.Media/mediaservices/delete'],
          notActions: [],
          dataActions: [],
          notDataActions: [],
        },
      ],
      principals: [{ id: daemon.servicePrincipal.objectId, type: 'ServicePrincipal' }],
    });
    browser = await launchBrowser(t);
    problems = collectProblems(browser.page);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const admin = () => {
    const administrator = t.server.bootstrap?.administrator;
    assert.ok(administrator);
    return administrator;
  };

  /** The assignments made on the account, as the store has them. */
  const assignmentsOnAccount = async () =>
    (await t.server.tessera.roleAssignments.list()).filter(
      (a) => a.scope.toLowerCase() === accountScope.toLowerCase(),
    );

  const openAccountIam = async (page: Page) => {
    const accounts = page.getByRole('region', { name: 'Media Services accounts' });
    await accounts.getByRole('link', { name: `Access control (IAM) of ${ACCOUNT}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Access control (IAM)' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal/iam');
    assert.equal(new URL(page.url()).searchParams.get('scope'), accountScope);
  };

  const assignments = (page: Page) => page.getByRole('table', { name: 'Role assignments' });

  /** Picks a role and a member in the open add dialog. */
  const pick = async (page: Page, role: string, member: string) => {
    const dialog = page.getByRole('dialog', { name: 'Add role assignment' });
    await dialog.getByLabel('Search roles').fill(role);
    await dialog.getByRole('radio', { name: new RegExp(`^${role}\\b`) }).check();
    await dialog.getByLabel('Search users, groups and service principals').fill(member);
    await dialog.getByRole('radio', { name: new RegExp(`^${member}\\b`) }).check();
    return dialog;
  };

  it('opens from Home on a Media Services account and shows the inherited Owner', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/`);
    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    // Every scope Home lists has its link: the subscription, the group, the account.
    await page
      .getByRole('region', { name: 'Subscriptions' })
      .getByRole('link', { name: 'Access control (IAM) of Tessera Subscription' })
      .waitFor();
    await page
      .getByRole('region', { name: 'Resource groups' })
      .getByRole('link', { name: 'Access control (IAM) of tessera-rg' })
      .waitFor();
    await openAccountIam(page);
    // The heading has the focus: a screen reader starts at the new page.
    assert.equal(await hasFocus(page.getByRole('heading', { level: 1 })), true);
    const owner = assignments(page).getByRole('row', { name: /Owner.*Tessera Administrator/ });
    await owner.waitFor();
    assert.match(await owner.innerText(), /User/);
    assert.match(await owner.innerText(), /Subscription \(inherited\)/);
    await screenshot(page, 'portal-iam-1-assignments');
    await assertAccessible(page, 'IAM');
  });

  it('grants Contributor to a service principal and lists it at this resource', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Add role assignment' }).click();
    const dialog = await pick(page, 'Contributor', 'iam-daemon');
    // Each role shows what it is for.
    assert.match(
      await dialog
        .getByRole('radio', { name: /^Contributor\b/ })
        .evaluate((el) => el.closest('label')?.textContent ?? ''),
      /full access to manage all resources/i,
    );
    await screenshot(page, 'portal-iam-2-add-dialog');
    await assertAccessible(page, 'the add role assignment dialog');
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = assignments(page).getByRole('row', { name: /Contributor.*iam-daemon/ });
    await row.waitFor();
    assert.match(await row.innerText(), /Service principal/);
    assert.match(await row.innerText(), /This resource/);
    await page.getByRole('status').filter({ hasText: 'iam-daemon was given Contributor' }).waitFor();
    const made = await assignmentsOnAccount();
    assert.deepEqual(
      made.map((a) => [a.principalId, a.roleDefinitionId]),
      [[daemon.servicePrincipal.objectId, CONTRIBUTOR]],
    );
    await screenshot(page, 'portal-iam-3-granted');
  });

  it('filters, lists deny assignments and roles with their actions, and fits a phone', async () => {
    const { page } = browser;
    await page.getByLabel('Filter role assignments').fill('daemon');
    await assignments(page).getByRole('row', { name: /Owner/ }).waitFor({ state: 'detached' });
    await assignments(page)
      .getByRole('row', { name: /iam-daemon/ })
      .waitFor();
    await page.getByLabel('Filter role assignments').fill('');

    // The tabs from the keyboard: arrows move between them.
    await page.getByRole('tab', { name: 'Role assignments' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(
      await page.getByRole('tab', { name: 'Deny assignments' }).getAttribute('aria-selected'),
      'true',
    );
    const deny = page.getByRole('table', { name: 'Deny assignments' });
    const denyRow = deny.getByRole('row', { name: /Keep media accounts/ });
    await denyRow.waitFor();
    assert.match(await denyRow.innerText(), /Resource group \(inherited\)/);
    await denyRow.getByText('Denied actions').click();
    await denyRow.getByText('Microsoft.Media/mediaservices/delete').waitFor();
    await assertAccessible(page, 'IAM deny assignments');

    await page.getByRole('tab', { name: 'Deny assignments' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'Roles', level: 2 }).waitFor();
    await page.getByLabel('Filter roles').fill('Reader');
    const reader = page
      .getByRole('listitem')
      .filter({ hasText: 'View all resources, but does not allow you to make any changes.' })
      .first();
    await reader.locator('summary').click();
    await reader.getByText('*/read', { exact: true }).waitFor();
    await screenshot(page, 'portal-iam-4-roles');
    await assertAccessible(page, 'IAM roles');

    await page.getByRole('tab', { name: 'Roles' }).focus();
    await page.keyboard.press('Home');
    assert.equal(await hasFocus(page.getByRole('tab', { name: 'Role assignments' })), true);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await assignments(page)
        .getByRole('row', { name: /iam-daemon/ })
        .waitFor();
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(page, 'portal-iam-5-phone');
      await assertAccessible(page, 'IAM at 390px');
      await page.getByRole('button', { name: 'Add role assignment' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add role assignment' });
      await dialog.getByRole('radio').first().waitFor();
      assert.ok((await overflowOf(page)) <= 0);
      await screenshot(page, 'portal-iam-6-phone-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('refuses a Reader of the group with ARM’s own message', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInOnPage(page, `reader@${t.tenant.domain}`, PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await openAccountIam(page);
    // The Reader sees who has access, their own role marked as coming from the group.
    await assignments(page)
      .getByRole('row', { name: /Contributor.*iam-daemon/ })
      .waitFor();
    const own = assignments(page).getByRole('row', { name: /Reader.*Reader Example/ });
    assert.match(await own.innerText(), /Resource group \(inherited\)/);

    await page.getByRole('button', { name: 'Add role assignment' }).click();
    const dialog = await pick(page, 'Owner', 'Reader');
    await dialog.getByRole('button', { name: 'Assign' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(
      await alert.innerText(),
      /does not have authorization or an ABAC condition not fulfilled to perform action 'Microsoft\.Authorization\/roleAssignments\/write' over scope '[^']*iammedia\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}'/,
    );
    await screenshot(page, 'portal-iam-7-reader-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Nor may they remove one: the dialog keeps ARM's refusal.
    await page.getByRole('button', { name: 'Remove Contributor for iam-daemon' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove role assignment?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    assert.match(
      await confirm.getByRole('alert').innerText(),
      /does not have authorization or an ABAC condition not fulfilled to perform action 'Microsoft\.Authorization\/roleAssignments\/delete'/,
    );
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await assignmentsOnAccount()).length, 1);
  });

  it('removes the assignment as the administrator, after asking, from the keyboard', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await openAccountIam(page);
    await page.getByRole('button', { name: 'Remove Contributor for iam-daemon' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Remove role assignment?' });
    await confirm.waitFor();
    assert.equal(await hasFocus(confirm.getByRole('button', { name: 'Cancel' })), true);
    await screenshot(page, 'portal-iam-8-remove');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await assignments(page)
      .getByRole('row', { name: /iam-daemon/ })
      .waitFor({ state: 'detached' });
    await assignments(page).getByRole('row', { name: /Owner/ }).waitFor();
    assert.deepEqual(await assignmentsOnAccount(), []);
    await screenshot(page, 'portal-iam-9-removed');
  });

  it('says what is wrong with a scope it cannot open', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/iam?scope=${encodeURIComponent('/subscriptions/../tenants')}`);
    await page.getByRole('heading', { level: 1, name: 'Access control (IAM)' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /is not a scope the portal can open/);
    assert.deepEqual(problems, []);
  });
});
