// The suite's `test`: Playwright's, with every page of a test watched for console errors and
// uncaught exceptions; a test fails if its pages logged any.
import { test as base, expect } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const test = base.extend({
  context: async ({ context }, use) => {
    const problems = [];
    const watch = (page) => {
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    };
    context.pages().forEach(watch);
    context.on('page', watch);
    await use(context);
    expect(problems, 'the browser console stays free of errors').toEqual([]);
  },
});
export { expect };

/** Where screenshots for people to look at are saved. */
export const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
/** The simulated clock, µs. */
export const simUs = async (page) =>
  Number(await page.locator('output[aria-label="Simulated time"]').getAttribute('data-us'));
/** An instance's card. */
export const card = (page, addr) => page.getByRole('article', { name: `Instance ${addr}` });
/** Requests an instance has served. */
export const served = async (page, addr) => Number(await card(page, addr).getAttribute('data-served'));
/** Chooses a playback speed by its label, e.g. `10×`. */
/** Pauses (if playing), and waits for the engine's worker to send the paused instant whole
 *  (the clock's `data-settled`): while playing, the cards are redrawn a third at a time. */
export const pause = async (page) => {
  const b = page.getByRole('button', { name: 'Pause', exact: true });
  if (await b.count()) await b.click();
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await expect(page.locator('output.clock')).toHaveAttribute('data-settled', 'true');
};
export const setSpeed = (page, label) => page.getByRole('radio', { name: label, exact: true }).check();
/** Picks a preset in the scenario menu and waits until it runs and its panels are mounted: the
 *  page fetches a preset's scenario file when it is picked (`<html data-loading>` meanwhile). */
export const pickPreset = async (page, name) => {
  const title = await page.locator(`#preset-select option[value="${name}"]`).textContent();
  await page.getByRole('combobox', { name: 'Choose a scenario' }).selectOption(name);
  await expect(page.locator('html[data-loading]')).toHaveCount(0);
  // Its panels are laid out anew, a stage per frame (`aria-busy` until then).
  await expect(page.locator('.preset-title')).toHaveText(title);
  await expect(page.locator('section[aria-busy="true"]')).toHaveCount(0);
};
/** The event feed. */
export const feed = (page) => page.getByRole('list', { name: 'Events, newest first' });
/** The page's address once it carries the scenario on screen: a picked preset is fetched
 *  (`data-loading`) and the page compresses each link with the browser's DEFLATE a moment after
 *  the change (`data-link-pending`); both waits are marked on `<html>`. */
export const settledUrl = async (page) => {
  await expect(page.locator('html[data-loading], html[data-link-pending]')).toHaveCount(0);
  return page.url();
};
