import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigurationClient, featureFlagPrefix, parseFeatureFlag } from '@azure/app-configuration';
import type { Locator, Page } from 'playwright-core';
import { DATA_OWNER, connectionString, createStore } from '../appconfig/support.js';
import type { StoreFixture } from '../appconfig/support.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, hasFocus, overflowOf } from './support.js';

const STORE = 'portal-explorer';
const KEY = 'app:color';

describe('portal: the App Configuration explorer in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let store: StoreFixture;
  /** The SDK as an application uses it (access key), changing things behind the page's back. */
  let sdk: AppConfigurationClient;

  before(async () => {
    await ensurePortalBuilt();
    t = await startTestServer();
    store = await createStore(t, STORE);
    sdk = new AppConfigurationClient(await connectionString(store));
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
  const tab = (page: Page, name: string) => page.getByRole('tab', { name });
  const keyValues = (page: Page) => page.getByRole('table', { name: 'Key-values' });
  const row = (table: Locator, name: RegExp) => table.getByRole('row', { name });
  const fitsPhone = async (page: Page, where: string) => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `${where}: the page is ${overflow}px wider than the screen`);
      await screenshot(page, `portal-appconfig-phone-${where}`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  };

  it('opens from Home, and without a data role shows the store’s 403 and which roles are needed', async () => {
    const { page } = browser;
    await page.goto(`${t.origin}/portal/`);
    await signInOnPage(page, admin().user.userPrincipalName, admin().password);
    await page
      .getByRole('region', { name: 'App Configuration stores' })
      .getByRole('link', { name: new RegExp(`^${STORE}`) })
      .click();
    await page.getByRole('heading', { level: 1, name: STORE }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('store'), store.id);
    assert.equal(await hasFocus(page.getByRole('heading', { level: 1 })), true);
    await page.getByRole('link', { name: `Access control (IAM) of ${STORE}` }).waitFor();
    // Owner of the subscription, but Owner grants no data actions: the store refuses.
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /403/);
    assert.match(await refusal.innerText(), /App Configuration Data Reader/);
    assert.match(await refusal.innerText(), /App Configuration Data Owner/);
    await screenshot(page, 'portal-appconfig-1-forbidden');
    await assertAccessible(page, 'explorer refused');

    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: store.id,
      roleDefinition: DATA_OWNER,
      principalId: admin().user.objectId,
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('No key-values yet').waitFor();
    await assertAccessible(page, 'explorer empty');
  });

  it('creates and edits a key-value, and reports a change made meanwhile as an ETag conflict', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Create key-value' }).click();
    const create = page.getByRole('dialog', { name: 'Create key-value' });
    await create.getByLabel('Key', { exact: true }).fill(KEY);
    await create.getByLabel('Value').fill('blue');
    await create.getByLabel('Tags').fill('team=web');
    await assertAccessible(page, 'create key-value dialog');
    await create.getByRole('button', { name: 'Create' }).click();
    await create.waitFor({ state: 'detached' });
    await row(keyValues(page), /app:color.*blue/).waitFor();
    assert.deepEqual((await sdk.getConfigurationSetting({ key: KEY })).tags, { team: 'web' });

    // Creating it again is refused rather than overwriting it.
    await page.getByRole('button', { name: 'Create key-value' }).click();
    await create.getByLabel('Key', { exact: true }).fill(KEY);
    await create.getByLabel('Value').fill('not this');
    await create.getByRole('button', { name: 'Create' }).click();
    assert.match(await create.getByRole('alert').innerText(), /already exists/);
    await create.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).value, 'blue');

    const editOf = () => page.getByRole('dialog', { name: `Edit '${KEY}' (no label)` });
    await page.getByRole('button', { name: `Edit '${KEY}' (no label)` }).click();
    await editOf().getByLabel('Value').fill('green');
    await editOf().getByRole('button', { name: 'Save' }).click();
    await editOf().waitFor({ state: 'detached' });
    await row(keyValues(page), /app:color.*green/).waitFor();

    // Opened, then changed by an application, then saved here.
    await page.getByRole('button', { name: `Edit '${KEY}' (no label)` }).click();
    await editOf().getByLabel('Value').fill('yellow');
    await sdk.setConfigurationSetting({ key: KEY, value: 'red' });
    await editOf().getByRole('button', { name: 'Save' }).click();
    const conflict = editOf().getByRole('alert');
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /Someone changed 'app:color' \(no label\) since you opened it/);
    assert.match(await conflict.innerText(), /412/);
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).value, 'red');
    await screenshot(page, 'portal-appconfig-2-etag-conflict');
    await assertAccessible(page, 'ETag conflict');

    await editOf().getByRole('button', { name: 'Load the current value' }).click();
    await page.getByRole('status').filter({ hasText: 'Loaded the current value' }).waitFor();
    assert.equal(await editOf().getByLabel('Value').inputValue(), 'red');
    await editOf().getByLabel('Value').fill('purple');
    await editOf().getByRole('button', { name: 'Save' }).click();
    await editOf().waitFor({ state: 'detached' });
    await row(keyValues(page), /app:color.*purple/).waitFor();
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).value, 'purple');
  });

  it('lists a key’s revisions and restores one', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: `Revisions of '${KEY}' (no label)` }).click();
    const dialog = page.getByRole('dialog', { name: `Revisions of '${KEY}' (no label)` });
    const table = dialog.getByRole('table');
    await row(table, /purple.*/).waitFor();
    // The header and four revisions: blue, green, red (the application's) and purple.
    assert.equal(await table.getByRole('row').count(), 5);
    assert.match(await row(table, /purple/).innerText(), /Current/);
    await screenshot(page, 'portal-appconfig-3-revisions');
    await assertAccessible(page, 'revisions');
    await dialog.getByRole('button', { name: /^Restore the revision of .*: green$/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Restored '${KEY}'` })
      .waitFor();
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).value, 'green');
    await row(table, /Current.*green/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await row(keyValues(page), /app:color.*green/).waitFor();
  });

  it('locks a key-value, and shows the store’s refusal of an edit while locked', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: `Lock '${KEY}' (no label)` }).click();
    await row(keyValues(page), /app:color.*Locked/).waitFor();
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).isReadOnly, true);
    await page.getByRole('button', { name: `Edit '${KEY}' (no label)` }).click();
    const edit = page.getByRole('dialog', { name: `Edit '${KEY}' (no label)` });
    await edit.getByLabel('Value').fill('orange');
    await edit.getByRole('button', { name: 'Save' }).click();
    assert.match(
      await edit.getByRole('alert').innerText(),
      /The key is read-only\. To allow modification unlock it first\./,
    );
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: `Unlock '${KEY}' (no label)` }).click();
    await page.getByRole('button', { name: `Lock '${KEY}' (no label)` }).waitFor();
    assert.equal((await sdk.getConfigurationSetting({ key: KEY })).isReadOnly, false);

    // The store's own filters: a key filter that matches nothing says what to do.
    await page.getByLabel('Key filter').fill('other:*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No key-value matches these filters').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await row(keyValues(page), /app:color/).waitFor();
    await fitsPhone(page, 'key-values');
  });

  it('creates a feature flag with a filter and toggles it', async () => {
    const { page } = browser;
    await tab(page, 'Key-values').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByText('No feature flags yet').waitFor();
    await page.getByRole('button', { name: 'Create feature flag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create feature flag' });
    await dialog.getByLabel('Name', { exact: true }).fill('Beta');
    await dialog.getByLabel('Description').fill('The new editor');
    await dialog.getByLabel('Filter to add').selectOption('percentage');
    await dialog.getByRole('button', { name: 'Add filter' }).click();
    await dialog.getByLabel('Percentage of requests').fill('30');
    await dialog.getByLabel('Filter to add').selectOption('targeting');
    await dialog.getByRole('button', { name: 'Add filter' }).click();
    await dialog.getByLabel('Users', { exact: true }).fill('ana@contoso.com, ben@contoso.com');
    await dialog.getByLabel('Groups', { exact: true }).fill('ring0=100');
    await dialog.getByRole('button', { name: 'Remove filter 2' }).click();
    await screenshot(page, 'portal-appconfig-4-flag-dialog');
    await assertAccessible(page, 'feature flag dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });

    const flags = page.getByRole('table', { name: 'Feature flags' });
    const toggle = flags.getByRole('switch', { name: "Enabled: 'Beta' (no label)" });
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    assert.match(await row(flags, /Beta/).innerText(), /Percentage 30%/);
    const stored = async () =>
      parseFeatureFlag(await sdk.getConfigurationSetting({ key: `${featureFlagPrefix}Beta` })).value;
    assert.equal((await stored()).enabled, false);
    assert.deepEqual((await stored()).conditions.clientFilters, [
      { name: 'Microsoft.Percentage', parameters: { Value: 30 } },
    ]);

    await toggle.click();
    await page.getByRole('status').filter({ hasText: "Feature flag 'Beta' (no label) enabled." }).waitFor();
    await flags.getByRole('switch', { name: "Enabled: 'Beta' (no label)", checked: true }).waitFor();
    assert.equal((await stored()).enabled, true);
    assert.equal((await stored()).description, 'The new editor');
    await screenshot(page, 'portal-appconfig-5-flags');
    await assertAccessible(page, 'feature flags');

    // Toggled elsewhere meanwhile: the page says so instead of flipping it back.
    const current = await sdk.getConfigurationSetting({ key: `${featureFlagPrefix}Beta` });
    await sdk.setConfigurationSetting({
      ...current,
      value: current.value?.replace('"enabled":true', '"enabled":false'),
    });
    await flags.getByRole('switch', { name: "Enabled: 'Beta' (no label)" }).click();
    assert.match(
      await page.getByRole('alert').innerText(),
      /Someone changed feature flag 'Beta' \(no label\)/,
    );
    assert.equal((await stored()).enabled, false);
    await flags.getByRole('switch', { name: "Enabled: 'Beta' (no label)", checked: false }).waitFor();
    await fitsPhone(page, 'feature-flags');
  });

  it('creates a snapshot, follows it to ready, shows its key-values and archives it', async () => {
    const { page } = browser;
    await tab(page, 'Feature flags').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByText('No snapshots yet').waitFor();
    await assertAccessible(page, 'snapshots empty');
    await page.getByRole('button', { name: 'Create snapshot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create snapshot' });
    await dialog.getByLabel('Name', { exact: true }).fill('release-1');
    await dialog.getByLabel('Filter 1: key').fill('app:*');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .filter({ hasText: 'Snapshot release-1 is ready, with 1 key-values.' })
      .waitFor();
    const snapshots = page.getByRole('table', { name: 'Snapshots' });
    const created = row(snapshots, /release-1/);
    assert.match(await created.innerText(), /Ready/);
    const snapshot = await sdk.getSnapshot('release-1');
    assert.equal(snapshot.status, 'ready');
    assert.equal(snapshot.itemCount, 1);

    await page.getByRole('button', { name: 'Key-values of snapshot release-1' }).click();
    const items = page.getByRole('dialog', { name: 'Key-values of snapshot release-1' });
    await row(items.getByRole('table'), /app:color.*green/).waitFor();
    await assertAccessible(page, 'snapshot key-values');
    await items.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Archive snapshot release-1' }).click();
    await row(snapshots, /release-1.*Archived/).waitFor();
    assert.equal((await sdk.getSnapshot('release-1')).status, 'archived');
    await screenshot(page, 'portal-appconfig-6-snapshots');
    await assertAccessible(page, 'snapshots');
    await page.getByRole('button', { name: 'Recover snapshot release-1' }).click();
    await row(snapshots, /release-1.*Ready/).waitFor();
    await fitsPhone(page, 'snapshots');
    assert.deepEqual(problems, []);
  });
});
