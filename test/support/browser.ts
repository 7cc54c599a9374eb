import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestServer } from './server.js';

/** Debian's chromium package, installed by .ci/run. */
const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go (git-ignored). */
export const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Base64 SHA-256 of the test server's public key (SPKI). Chromium is told to trust exactly this
 * key (`--ignore-certificate-errors-spki-list`), which pins the one test server instead of
 * switching certificate checks off: `ignoreHTTPSErrors` stays false, and any other certificate
 * is still refused.
 */
function serverKeyPin(t: Pick<TestServer, 'dataDir'>): string {
  const pem = readFileSync(join(t.dataDir, 'tls', 'server.pem'), 'utf8');
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Headless Chromium with a fresh profile, trusting the test server (any server whose data folder
 * is given). `args` adds switches, such as host resolver rules for a name of the server's own.
 */
export async function launchBrowser(
  t: Pick<TestServer, 'dataDir'>,
  args: string[] = [],
): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: false,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${serverKeyPin(t)}`,
      ...args,
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Fills the sign-in page and submits it, as a person would (labels, not selectors). */
export async function signInOnPage(page: Page, username: string, password: string): Promise<void> {
  await page
    .getByLabel('Username')
    .fill(username)
    .catch(async (error: unknown) => {
      throw new Error(`no sign-in form: ${await describePage(page, 'no-sign-in-form')}`, { cause: error });
    });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Types the user code on the device-code page and continues. */
export async function enterDeviceCode(page: Page, verificationUri: string, userCode: string): Promise<void> {
  await page.goto(verificationUri);
  await page.getByLabel('Code').fill(userCode);
  await page.getByRole('button', { name: 'Next' }).click();
}

/** A full-page screenshot in test-results/, for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(RESULTS_DIR, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Where a page is and what it shows (its address, title and the start of its text), with a
 * screenshot, for the message of a test that did not find what it waited for.
 */
export async function describePage(page: Page, name: string): Promise<string> {
  const text = await page
    .locator('body')
    .innerText({ timeout: 2000 })
    .catch((error: unknown) => `(no text: ${String(error)})`);
  const title = await page.title().catch(() => '');
  const shot = await screenshot(page, `failed/${name}-${Date.now()}`).catch((error: unknown) =>
    String(error),
  );
  return `at ${page.url()} (title ${JSON.stringify(title)}), showing ${JSON.stringify(text.slice(0, 600))}; screenshot ${shot}`;
}

/** The page shows no element the test did not expect (an injected tag would be one). */
export async function assertNoElement(page: Page, selector: string): Promise<void> {
  assert.equal(await page.locator(selector).count(), 0, `unexpected ${selector} on the page`);
}
