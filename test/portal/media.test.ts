import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { RESULTS_DIR, launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PASSWORD, createUser } from '../support/users.js';
import { ensurePortalBuilt } from './portalBuild.js';
import { assertAccessible, collectProblems, overflowOf } from './support.js';

/**
 * The Media Services assets screen and encoding jobs dashboard in Chromium on a real server: an
 * account created on Home (through ARM), a small MP4 uploaded through the page (blocks PUT to the
 * SAS URL, the progress bar reaching 100%), encoded with Adaptive Streaming and watched to
 * Finished on the dashboard, a file that is no video failing with the encoder's own error,
 * the output published and played by hls.js (loaded only then), and a Reader refused with the
 * service's message. Screenshots under test-results/portal/.
 */

const ACCOUNT = 'portalmedia';
const CLIP = 'tiny-clip.mp4';
const shot = (page: Page, name: string) => screenshot(page, `portal/media-${name}`);
const run = promisify(execFile);

/** A 2 s 160x90 H.264 + AAC clip, at a bitrate that makes it a few upload blocks (64 KiB each). */
const clipArgs = (path: string): string[] => [
  '-hide_banner',
  '-loglevel',
  'error',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=duration=2:size=160x90:rate=25',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:duration=2',
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-pix_fmt',
  'yuv420p',
  '-b:v',
  '600k',
  '-c:a',
  'aac',
  '-shortest',
  '-movflags',
  '+faststart',
  path,
];

describe('portal: Media Services assets and encoding jobs in Chromium', () => {
  let t: TestServer;
  let browser: TestBrowser;
  let problems: string[];
  let dir: string;
  let clip: string;
  let garbage: string;
  let accountId = '';
  /** Every script the page loaded, in order. */
  const scripts: string[] = [];

  before(async () => {
    await ensurePortalBuilt();
    mkdirSync(join(RESULTS_DIR, 'portal'), { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'tessera-portal-media-'));
    clip = join(dir, CLIP);
    garbage = join(dir, 'not-a-video.mp4');
    // Made before the server starts, with async ffmpeg all the same.
    await run('ffmpeg', clipArgs(clip));
    await writeFile(garbage, Buffer.alloc(70_000, 'not a video '));
    t = await startTestServer();
    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap);
    const reader = await createUser(t, 'reader');
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: `/subscriptions/${bootstrap.subscription.subscriptionId}/resourceGroups/${bootstrap.resourceGroup.name}`,
      roleDefinition: 'Reader',
      principalId: reader.objectId,
    });
    browser = await launchBrowser(t);
    browser.page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    problems = collectProblems(browser.page);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const assets = (page: Page) => page.getByRole('table', { name: 'Assets' });
  const jobs = (page: Page) => page.getByRole('table', { name: 'Encoding jobs' });
  /** The row whose first cell is the name (and not a longer name starting with it: "x (preset)"). */
  const row = (table: Locator, name: string) =>
    table.getByRole('row', { name: new RegExp(`^${name.replace(/[.()]/g, '\\$&')}(?=\\s[^(]|$)`) });
  const section = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Media Services account' }).getByRole('link', { name }).click();
  /** Waits for a job's row to show the state (the dashboard polls every 2 s while a job runs). */
  const jobInState = (page: Page, job: string, state: string) =>
    row(jobs(page), job)
      .locator('.state-badge')
      .filter({ hasText: new RegExp(`^${state}$`) })
      .waitFor({ timeout: 120_000 });

  /** Records every value the upload's progress bar takes, from the page's own DOM. */
  const watchProgress = (page: Page) =>
    page.evaluate(`(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('.upload-progress progress');
        if (bar) window.__progress.push([Number(bar.getAttribute('data-loaded')), Number(bar.getAttribute('data-total')), bar.value]);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
  const progressSeen = (page: Page) => page.evaluate<[number, number, number][]>('window.__progress');

  it('answers the portal with a policy that lets the player use blob: media and workers, nothing broader', async () => {
    const response = await fetch(`${t.origin}/portal/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d): [string, string] => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    assert.equal(directives.get('default-src'), "'self'");
    assert.equal(directives.get('media-src'), "'self' blob:");
    assert.equal(directives.get('worker-src'), "'self' blob:");
    // Scripts, styles and connections stay this origin's only (default-src).
    for (const name of ['script-src', 'style-src', 'connect-src', 'img-src'])
      assert.equal(directives.has(name), false);
    assert.doesNotMatch(csp, /unsafe-|data:|https?:|\*/);
    await response.body?.cancel();
  });

  it('creates an account on Home and shows empty assets and jobs that say what to do', async () => {
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
    await page.getByText('No assets yet').waitFor();
    accountId = new URL(page.url()).searchParams.get('account') ?? '';
    assert.match(accountId, new RegExp(`/providers/Microsoft\\.Media/mediaservices/${ACCOUNT}$`, 'i'));
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'assets');
    // The first screens never load the video player.
    assert.deepEqual(
      scripts.filter((s) => /hls/i.test(s)),
      [],
    );
    await shot(page, '1-assets-empty');
    await assertAccessible(page, 'assets, empty');
    await section(page, 'Encoding jobs');
    await page.getByText('No encoding jobs yet').waitFor();
    await shot(page, '2-jobs-empty');
    await assertAccessible(page, 'jobs, empty');
    await section(page, 'Assets');
  });

  it('uploads a small MP4 through the SAS URL with a progress bar that reaches 100%', async () => {
    const { page } = browser;
    await watchProgress(page);
    await page.getByLabel('Video or audio file').setInputFiles(clip);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(`${CLIP} was uploaded`).waitFor({ timeout: 60_000 });
    const size = (await stat(clip)).size;
    const seen = await progressSeen(page);
    assert.ok(seen.length > 0, 'the progress bar was shown');
    assert.ok(seen.every(([, total]) => total === size));
    // Per block: it moved more than once, and ended at the whole file.
    const loaded = [...new Set(seen.map(([l]) => l))];
    assert.ok(size > 64 * 1024 && loaded.length >= 2, `${size} bytes, seen ${loaded.join(',')}`);
    assert.deepEqual(seen.at(-1)?.slice(0, 3), [size, size, 100]);
    const uploaded = row(assets(page), CLIP);
    await uploaded.waitFor();
    // Columns after the name: Created, State, Files, Size.
    assert.equal(await uploaded.getByRole('cell').nth(2).innerText(), '1');
    // The new asset opens with its file.
    const details = page.getByRole('region', { name: `Asset ${CLIP}` });
    await details
      .getByRole('table', { name: `Files of ${CLIP}` })
      .getByRole('row', { name: new RegExp(CLIP) })
      .waitFor();
    await details.getByText('Nothing to stream yet').waitFor();
    // The write locator and its policy went with the upload; the asset's file is recorded.
    await shot(page, '3-uploaded');
    await assertAccessible(page, 'assets after an upload');
  });

  it('encodes it with Adaptive Streaming and watches the job reach Finished on the dashboard', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: `Encode ${CLIP}` }).click();
    const dialog = page.getByRole('dialog', { name: `Encode ${CLIP}` });
    assert.equal(await dialog.getByLabel('Preset').inputValue(), 'Adaptive Streaming');
    await dialog.getByLabel('Job name').fill('Encode the clip');
    await assertAccessible(page, 'the encode dialog');
    await dialog.getByRole('button', { name: 'Submit job' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Watch it on the encoding jobs dashboard' }).click();
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'jobs');
    const job = row(jobs(page), 'Encode the clip');
    await job.waitFor();
    await jobInState(page, 'Encode the clip', 'Finished');
    assert.match(await job.innerText(), /100%/);
    assert.match(await job.innerText(), new RegExp(`${CLIP.replace('.', '\\.')} \\(Adaptive Streaming\\)`));
    // Nothing moves any more: the dashboard stopped polling.
    await page.getByText('No job is running').waitFor();
    await page.getByRole('button', { name: 'Details of job Encode the clip' }).click();
    const details = page.getByRole('region', { name: 'Job Encode the clip' });
    const task = details.getByRole('listitem').first();
    assert.match(await task.innerText(), /Finished/);
    assert.equal(await details.getByRole('progressbar').first().getAttribute('value'), '100');
    await shot(page, '4-job-finished');
    await assertAccessible(page, 'jobs dashboard, a job finished');
  });

  it('shows the encoder’s error of a failed task and filters jobs by state', async () => {
    const { page } = browser;
    await section(page, 'Assets');
    await page.getByLabel('Video or audio file').setInputFiles(garbage);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText('not-a-video.mp4 was uploaded').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Encode not-a-video.mp4' }).click();
    const dialog = page.getByRole('dialog', { name: 'Encode not-a-video.mp4' });
    await dialog.getByLabel('Job name').fill('Encode garbage');
    await dialog.getByRole('button', { name: 'Submit job' }).click();
    await page.getByRole('link', { name: 'Watch it on the encoding jobs dashboard' }).click();
    await jobInState(page, 'Encode garbage', 'Error');
    const errors = row(jobs(page), 'Encode garbage').getByRole('alert');
    assert.ok((await errors.innerText()).trim().length > 10, 'the task’s ErrorDetails are shown');
    await page.getByLabel('State', { exact: true }).selectOption('Error');
    await row(jobs(page), 'Encode the clip').waitFor({ state: 'detached' });
    await row(jobs(page), 'Encode garbage').waitFor();
    await page.getByLabel('State', { exact: true }).selectOption('Finished');
    await row(jobs(page), 'Encode garbage').waitFor({ state: 'detached' });
    await row(jobs(page), 'Encode the clip').waitFor();
    await page.getByLabel('State', { exact: true }).selectOption('active');
    await page.getByText('No job is queued or running').waitFor();
    await page.getByLabel('State', { exact: true }).selectOption('all');
    await shot(page, '5-job-error');
    await assertAccessible(page, 'jobs dashboard, a job failed');

    // The job has ended, so its input may go: deleted after asking.
    await section(page, 'Assets');
    await page.getByRole('button', { name: 'Delete asset not-a-video.mp4', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete asset not-a-video.mp4?' });
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await row(assets(page), 'not-a-video.mp4').waitFor({ state: 'detached' });
    await row(assets(page), 'not-a-video.mp4 (Adaptive Streaming)').waitFor();
  });

  it('publishes the output and plays it with hls.js, loaded only when the player opens', async () => {
    const { page } = browser;
    await section(page, 'Assets');
    const output = `${CLIP} (Adaptive Streaming)`;
    await page.getByRole('button', { name: `Open ${output}` }).click();
    const details = page.getByRole('region', { name: `Asset ${output}` });
    await details.getByRole('button', { name: 'Publish' }).click();
    const manifest = await details.getByLabel('HLS manifest URL').inputValue();
    assert.match(
      manifest,
      new RegExp(
        `^${t.origin}/media/${ACCOUNT}/streaming/[0-9a-f-]{36}/.+\\.ism/manifest\\(format=m3u8-aapl\\)$`,
      ),
    );
    assert.deepEqual(
      scripts.filter((s) => /hls/i.test(s)),
      [],
    );
    await details.getByRole('button', { name: 'Play' }).click();
    await details.getByLabel(`${output} (HLS)`).waitFor();
    // Plays: frames decoded and time moving (bounded; evaluated through DevTools, which the
    // page's policy does not govern, as a string since the server's typings have no DOM).
    let playing = false;
    for (let tries = 0; !playing && tries < 240; tries++) {
      playing = await page.evaluate<boolean>(
        "(() => { const v = document.querySelector('.player video'); return v !== null && v.readyState >= 2 && v.currentTime > 0; })()",
      );
      if (!playing) await sleep(250);
    }
    assert.ok(playing, 'the video plays');
    assert.equal(scripts.filter((s) => /hls/i.test(s)).length, 1, scripts.join('\n'));
    await shot(page, '6-playing');
    await assertAccessible(page, 'an asset playing');
    await details.getByRole('button', { name: 'Close player' }).click();
    await details.getByLabel(`${output} (HLS)`).waitFor({ state: 'detached' });
    // Publishing is kept: the asset opens again with the same streaming URL, no second locator.
    await details.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: `Open ${output}` }).click();
    assert.equal(
      await page
        .getByRole('region', { name: `Asset ${output}` })
        .getByLabel('HLS manifest URL')
        .inputValue(),
      manifest,
    );
  });

  it('fits a phone’s width on assets and jobs', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await assets(page).waitFor();
      assert.ok((await overflowOf(page)) <= 0, 'assets overflow at 390px');
      await shot(page, '7-assets-phone');
      await assertAccessible(page, 'assets at 390px');
      await section(page, 'Encoding jobs');
      await jobs(page).waitFor();
      assert.ok((await overflowOf(page)) <= 0, 'jobs overflow at 390px');
      await shot(page, '8-jobs-phone');
      await assertAccessible(page, 'jobs at 390px');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows a Reader the service’s own refusal, on the list and on upload', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signInOnPage(page, `reader@${t.tenant.domain}`, PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.goto(`${t.origin}/portal/media?account=${encodeURIComponent(accountId)}&tab=assets`);
    const list = page.getByRole('region', { name: 'Assets', exact: true }).getByRole('alert');
    assert.match(await list.innerText(), /\(401\) Unauthorized/);
    await page.getByLabel('Video or audio file').setInputFiles(clip);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const refusal = page.getByRole('region', { name: 'Upload a file' }).getByRole('alert');
    assert.match(await refusal.innerText(), /The remote server returned an error: \(401\) Unauthorized\./);
    await shot(page, '9-reader-refused');
    await assertAccessible(page, 'assets refused to a Reader');
    await section(page, 'Encoding jobs');
    assert.match(
      await page.getByRole('region', { name: 'Encoding jobs', exact: true }).getByRole('alert').innerText(),
      /\(401\)/,
    );
    assert.deepEqual(problems, []);
  });
});
