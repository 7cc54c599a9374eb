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
import { arm, principalWithRole } from '../management/support.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, hasFocus, overflowOf } from './support.js';

const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const GROUP_READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';
const GROUP_WRITE = 'Microsoft.Resources/subscriptions/resourceGroups/write';

describe('portal: Check access in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let daemon: SecretClient;
  let groupScope: string;
  let assignmentId: string;

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap, 'a new data folder bootstraps an administrator');
    const subscriptionScope = `/subscriptions/${bootstrap.subscription.subscriptionId}`;
    groupScope = `${subscriptionScope}/resourceGroups/${bootstrap.resourceGroup.name}`;
    daemon = await registerSecretClient(t, { displayName: 'check-daemon' });
    await createUser(t, 'outsider');
    // Reader on the group for the daemon, granted through ARM as any client would.
    const owner = await principalWithRole(t, {
      displayName: 'granter',
      role: 'Owner',
      scope: subscriptionScope,
    });
    const granted = await arm<{ id: string }>(
      t,
      'PUT',
      `${groupScope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`,
      {
        token: owner.token,
        body: {
          properties: {
            roleDefinitionId: `${subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
            principalId: daemon.servicePrincipal.objectId,
            principalType: 'ServicePrincipal',
          },
        },
      },
    );
    assert.equal(granted.status, 201, granted.text);
    assignmentId = granted.json.id;
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

  const openCheckAccess = async (page: Page) => {
    await page.goto(`${t.origin}/portal/iam?scope=${encodeURIComponent(groupScope)}`);
    await page.getByRole('heading', { level: 1, name: 'Access control (IAM)' }).waitFor();
    await page.getByRole('tab', { name: 'Check access' }).click();
    await page.getByRole('heading', { level: 2, name: 'Check access' }).waitFor();
  };

  /** Chooses the daemon, types the action and checks, all from the keyboard. */
  const check = async (page: Page, action: string) => {
    const panel = page.getByRole('tabpanel');
    await panel.getByLabel('Search users, groups and service principals').fill('check-daemon');
    const radio = panel.getByRole('radio', { name: /^check-daemon\b/ });
    await radio.focus();
    await page.keyboard.press('Space');
    assert.equal(await radio.isChecked(), true);
    const box = panel.getByRole('combobox', { name: 'Action' });
    await box.fill(action);
    await box.press('Enter');
  };

  it('says a Reader of the group may read it, through which assignment, role and scope', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/`);
    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await openCheckAccess(page);
    // The action box offers the actions the roles name.
    const box = page.getByRole('combobox', { name: 'Action' });
    await box.fill('resourceGroups/read');
    const offered = await page
      .locator(`datalist#${await box.getAttribute('list')} option`)
      .evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    assert.ok(offered.includes(GROUP_READ), JSON.stringify(offered));

    await check(page, GROUP_READ);
    const result = page.getByRole('region', { name: 'Allowed' });
    await result.waitFor();
    const text = await result.innerText();
    assert.match(
      text,
      /check-daemon may perform the action Microsoft\.Resources\/subscriptions\/resourceGroups\/read/,
    );
    assert.match(text, /Role\s+Reader/);
    assert.match(text, /Assigned to\s+check-daemon itself/);
    assert.ok(text.includes(assignmentId), text);
    const scopeLink = result.getByRole('link', { name: 'this resource group' });
    assert.equal(
      new URL((await scopeLink.getAttribute('href')) ?? '', t.origin).searchParams.get('scope'),
      groupScope,
    );
    await page.getByRole('status').filter({ hasText: 'Allowed: check-daemon' }).waitFor();
    await screenshot(page, 'portal/check-access-1-allowed');
    await assertAccessible(page, 'Check access, allowed');
  });

  it('says a write is not allowed, and why', async () => {
    const { page } = browser;
    await check(page, GROUP_WRITE);
    const result = page.getByRole('region', { name: 'Not allowed' });
    await result.waitFor();
    assert.match(await result.innerText(), /check-daemon may not perform the action .*resourceGroups\/write/);
    assert.match(await result.innerText(), /No role assigned to it, or to a group it belongs to/);
    await screenshot(page, 'portal/check-access-2-not-allowed');
    await assertAccessible(page, 'Check access, not allowed');

    // A data action is a different question: the checkbox says which.
    await page.getByRole('checkbox', { name: /Data action/ }).check();
    await page.getByRole('combobox', { name: 'Data action' }).waitFor();
    await page.getByRole('checkbox', { name: /Data action/ }).uncheck();

    // At a phone's width the form and the answer fit.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await check(page, GROUP_READ);
      await page.getByRole('region', { name: 'Allowed' }).waitFor();
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(page, 'portal/check-access-3-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows ARM’s refusal to someone who may not read the group’s role assignments', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInOnPage(page, `outsider@${t.tenant.domain}`, PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await openCheckAccess(page);
    const submit = page.getByRole('button', { name: 'Check access' });
    // Asking with nothing chosen says what is missing, before anything is sent.
    await submit.click();
    await page.getByRole('tabpanel').getByRole('alert').filter({ hasText: 'Choose whose access' }).waitFor();
    await check(page, GROUP_READ);
    // (The roles list above the box has its own refusal: reading role definitions.)
    const alert = page.getByRole('tabpanel').getByRole('alert').filter({ hasText: 'roleAssignments/read' });
    await alert.waitFor();
    assert.match(
      await alert.innerText(),
      /does not have authorization to perform action 'Microsoft\.Authorization\/roleAssignments\/read' over scope '[^']*resourceGroups\/tessera-rg'/,
    );
    assert.equal(await page.getByRole('region', { name: /Allowed|Not allowed|Denied/ }).count(), 0);
    assert.equal(await hasFocus(page.getByRole('combobox', { name: 'Action' })), true);
    await screenshot(page, 'portal/check-access-4-refused');
    await assertAccessible(page, 'Check access, refused');

    // About themselves anyone may ask: the first choice is the person signed in.
    const me = page.getByRole('tabpanel').getByRole('radio', { name: /^Outsider Example You\b/ });
    await me.check();
    await submit.click();
    const own = page.getByRole('region', { name: 'Not allowed' });
    await own.waitFor();
    assert.match(await own.innerText(), /Outsider Example may not perform the action/);
    assert.deepEqual(problems, []);
  });
});
