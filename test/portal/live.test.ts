import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { RESULTS_DIR, launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { Push } from '../media/livePipelineSupport.js';
import { pushTestPattern } from '../media/livePipelineSupport.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, overflowOf } from './support.js';

/**
 * The live streams dashboard in Chromium on a real server and Tessera's own live pipeline: a
 * Media Services account created on Home (through ARM), a pass-through RTMP channel created and
 * started in the page, its ingest URL copied, ffmpeg pushing a small test pattern to it, the
 * preview playing in the page's HLS player, a program created (with its asset) and started, and
 * the channel stopped — with the service's own refusals shown on the way.
 */

const ACCOUNT = 'livemedia';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shot = (page: Page, name: string) => screenshot(page, `portal/live-${name}`);

describe('portal: live streams dashboard in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let tools: FfmpegTools;
  let push: Push | undefined;
  let ingestUrl = '';

  before(async () => {
    await ensurePortalBuilt();
    mkdirSync(join(RESULTS_DIR, 'portal'), { recursive: true });
    tools = await locateFfmpeg();
    t = await startTestServer();
    browser = await launchBrowser(t);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.origin });
    problems = collectProblems(browser.page);
  });
  after(async () => {
    // The encoder, by its PID, whatever state the test ended in.
    await push?.stop();
    await browser?.close();
    await t?.stop();
  });

  const channels = (page: Page) => page.getByRole('table', { name: 'Channels' });
  const channelRow = (page: Page, name: string) =>
    channels(page).getByRole('row', { name: new RegExp(`^${name}\\b`) });
  const programRow = (page: Page, channel: string, name: string) =>
    page
      .getByRole('table', { name: `Programs of ${channel}` })
      .getByRole('row', { name: new RegExp(`^${name}\\b`) });
  /** Waits until the row shows the state (the page polls every 2 s while a state moves). */
  const inState = (row: Locator, state: string) =>
    row
      .locator('.live-state')
      .filter({ hasText: new RegExp(`^${state}$`) })
      .waitFor({ timeout: 60_000 });

  it('creates a Media Services account on Home and opens its live streams, empty', async () => {
    const { page } = browser;
    const administrator = t.server.bootstrap?.administrator;
    assert.ok(administrator);
    await page.goto(`${t.origin}/portal/`);
    await signInOnPage(page, administrator.user.userPrincipalName, administrator.password);
    const accounts = page.getByRole('region', { name: 'Media Services accounts' });
    await accounts.getByRole('button', { name: 'Create Media Services account' }).click();
    const form = accounts.getByRole('form', { name: 'Create Media Services account' });
    await form.getByLabel('Name').fill(ACCOUNT);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await accounts.getByRole('link', { name: new RegExp(`^${ACCOUNT}\\b`) }).click();
    await page
      .getByRole('navigation', { name: 'Media Services account' })
      .getByRole('link', { name: 'Live streams' })
      .click();
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'live');
    await page.getByText('No channels yet').waitFor();
    // The default streaming endpoint exists in every account, and runs.
    const endpoint = page
      .getByRole('table', { name: 'Streaming endpoints' })
      .getByRole('row', { name: /^default\b/ });
    await inState(endpoint, 'Running');
    await shot(page, '1-empty');
    await assertAccessible(page, 'live streams, no channels');
  });

  it('refuses a bad allow list with the service’s message, then creates a pass-through channel', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Create channel' }).click();
    const form = page.getByRole('form', { name: 'Create channel' });
    await form.getByLabel('Channel name').fill('studio');
    assert.equal(await form.getByRole('radio', { name: /^Pass-through/ }).isChecked(), true);
    await form.getByLabel('Ingest IP allow list').fill('not-an-address');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    assert.match(
      await form.getByRole('alert').innerText(),
      /'not-an-address' is not an IPv4 or IPv6 address/,
    );
    await form.getByLabel('Ingest IP allow list').fill('127.0.0.1\n::1');
    await shot(page, '2-create-channel');
    await assertAccessible(page, 'the create channel form');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const row = channelRow(page, 'studio');
    await inState(row, 'Stopped');
    assert.match(await row.innerText(), /Pass-through/);
    await page.getByText('Start the channel to get its ingest URL').waitFor();
    await page.getByText('may push from 127.0.0.1, ::1').waitFor();
  });

  it('starts the channel, follows the operation to Running and copies the ingest URL', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Start channel studio' }).click();
    const operations = page.getByRole('list', { name: 'Operations on channels' });
    await operations.getByText('Start channel studio').waitFor();
    await inState(channelRow(page, 'studio'), 'Running');
    await operations
      .getByText(/Succeeded in \d+ s/)
      .first()
      .waitFor();
    const ingest = page.getByRole('textbox', { name: 'Primary ingest URL (RTMP)' });
    ingestUrl = await ingest.inputValue();
    const host = new URL(t.origin).hostname;
    assert.match(ingestUrl, new RegExp(`^rtmp://${host.replace(/\./g, '\\.')}:\\d+/live/[0-9a-f-]{36}$`));
    await page.getByRole('button', { name: 'Copy Primary ingest URL (RTMP)' }).click();
    await page
      .getByRole('button', { name: 'Copy Primary ingest URL (RTMP)' })
      .filter({ hasText: 'Copied' })
      .waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), ingestUrl);
    assert.match(
      await page.getByRole('textbox', { name: 'Preview URL (HLS)' }).inputValue(),
      /\/preview\.ism\/manifest\(format=m3u8-aapl\)$/,
    );
    await page.getByText('Waiting for an encoder').waitFor();
    await shot(page, '3-running');
  });

  it('plays the preview of a test pattern pushed with ffmpeg', async () => {
    const { page } = browser;
    // Bounded: stopped at the end of the test at the latest, and cut off when the channel stops.
    push = pushTestPattern(tools, ingestUrl, { seconds: 90 });
    const video = page.getByLabel('Preview of channel studio');
    await video.waitFor({ timeout: 60_000 });
    // Playing: a frame decoded (readyState HAVE_CURRENT_DATA or more) and the clock moving on.
    // Read through the DevTools protocol: the page's CSP allows no evaluated strings.
    const clock = () =>
      video.evaluate((el) => {
        const v = el as unknown as { readyState: number; currentTime: number };
        return v.readyState >= 2 ? v.currentTime : -1;
      });
    const advancedPast = async (time: number) => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
        const now = await clock();
        if (now > time) return now;
      }
      assert.fail(`the preview did not play past ${time} s within a minute`);
    };
    await advancedPast(await advancedPast(0));
    assert.equal(push.child.exitCode, null, 'the encoder is still pushing');
    await shot(page, '4-preview');
    await assertAccessible(page, 'a running channel with its preview');
  });

  it('creates a program with its asset, starts it, and shows the refusal to stop the channel under it', async () => {
    const { page } = browser;
    await page.getByText('No programs on studio').waitFor();
    await page.getByRole('button', { name: 'Create program' }).click();
    const form = page.getByRole('form', { name: 'Create program' });
    await form.getByLabel('Program name').fill('show');
    await form.getByLabel('Archive window (minutes)').fill('10');
    await form.getByLabel('Manifest name').fill('show');
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const row = programRow(page, 'studio', 'show');
    await inState(row, 'Stopped');
    assert.match(await row.innerText(), /show\.ism/);
    assert.match(await row.innerText(), /nb:cid:UUID:/);
    await page.getByRole('button', { name: 'Start program show' }).click();
    await inState(row, 'Running');

    // A channel with a running program is not stopped: the service says why, in its words.
    await page.getByRole('button', { name: 'Stop channel studio' }).click();
    const refusal = page.getByRole('region', { name: 'Channels' }).getByRole('alert');
    assert.match(await refusal.innerText(), /has programs that are not stopped \(show\): stop them first/);
    await inState(channelRow(page, 'studio'), 'Running');
    await shot(page, '5-program-running');

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await channelRow(page, 'studio').waitFor();
      const overflow = await overflowOf(page);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await shot(page, '6-phone');
      await assertAccessible(page, 'live streams at 390 px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('stops the program, then the channel', async () => {
    const { page } = browser;
    await page.getByRole('region', { name: 'Channels' }).getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Stop program show' }).click();
    await inState(programRow(page, 'studio', 'show'), 'Stopped');
    await page.getByRole('button', { name: 'Stop channel studio' }).click();
    await inState(channelRow(page, 'studio'), 'Stopped');
    await page.getByText('Start the channel and push to its ingest URL').waitFor();
    const exited = await push?.exited;
    assert.ok(exited, 'the encoder was started');
    assert.notEqual(
      push?.child.exitCode ?? push?.child.signalCode,
      null,
      'stopping the channel cut the encoder off',
    );
    await shot(page, '7-stopped');
  });

  it('deletes the channel after its program, asking first and showing the refusal', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Delete channel studio' }).click();
    let confirm = page.getByRole('dialog', { name: 'Delete channel studio?' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    assert.match(
      await confirm.getByRole('alert').innerText(),
      /has 1 program\(s\): delete them before the channel/,
    );
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Delete program show' }).click();
    confirm = page.getByRole('dialog', { name: 'Delete program show?' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No programs on studio').waitFor();
    await page.getByRole('button', { name: 'Delete channel studio' }).click();
    confirm = page.getByRole('dialog', { name: 'Delete channel studio?' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No channels yet').waitFor();
    assert.deepEqual(problems, []);
  });
});
