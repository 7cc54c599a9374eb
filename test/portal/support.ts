import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not govern). */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(axeSource);
  const result = await page.evaluate<AxeResult>(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => ({ violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })) }))',
  );
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${where}: ${JSON.stringify(serious, null, 2)}`);
}

/** Whether the element has the keyboard focus. */
export const hasFocus = (locator: Locator): Promise<boolean> =>
  locator.evaluate((el) => el === el.ownerDocument.activeElement);

/** How many pixels the page is wider than the window (0 or less: it fits). */
export const overflowOf = (page: Page): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** Console errors and uncaught exceptions; an API refusal the test asks for is no problem. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && !text.startsWith('Failed to load resource: the server responded'))
      problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}
