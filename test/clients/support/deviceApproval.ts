import assert from 'node:assert/strict';
import { enterDeviceCode, signInOnPage } from '../../support/browser.js';
import type { TestBrowser } from '../../support/browser.js';

/**
 * The person at the browser: opens the verification page a client printed, types the code,
 * signs in and confirms the application it names.
 */
export async function approveDeviceCode(
  browser: TestBrowser,
  prompt: { verificationUri: string; userCode: string },
  person: { username: string; password: string; application: string },
): Promise<void> {
  const { page } = browser;
  assert.match(prompt.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  await enterDeviceCode(page, prompt.verificationUri, prompt.userCode);
  await signInOnPage(page, person.username, person.password);
  await page.getByRole('heading', { name: `Are you trying to sign in to ${person.application}?` }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: `You have signed in to ${person.application}` }).waitFor();
}
