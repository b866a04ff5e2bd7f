// The page never goes blank: a Rust panic in the app leaves a screen that says what happened
// and offers a way out. `?panic-test` makes the release build panic on purpose (src/crash.rs).
// This spec uses Playwright's own `test`: here the console error is the point, and it checks
// that the panic is the only one.
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { artifacts, settledUrl, pickPreset } from './fixtures.mjs';

test('a panic shows the crash screen, and both ways out work', async ({ page }) => {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto('/?panic-test#');
  await pickPreset(page, 'failover');
  const dialog = page.getByRole('alertdialog', { name: 'HA Lab stopped: the page hit a bug' });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.crash-message')).toContainText('panic test requested by ?panic-test');
  await expect(dialog.getByRole('button', { name: 'Reload this scenario' })).toBeFocused();
  await page.screenshot({ path: path.join(artifacts, 'crash-screen.png') });
  // Only the panic itself reached the console (its message, then the abort it causes).
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) expect(e).toMatch(/panic test requested|unreachable/);
  expect(errors.some((e) => e.includes('panic test requested'))).toBe(true);

  // Reload really reloads: a navigation of the same address (the scenario in the link), a
  // fresh document (the mark set on this one is gone, the crash screen with it) and the app
  // mounted anew on failover, whose clock starts again near 0. ?panic-test stays in the address,
  // so it panics again 1.5 s later: this is the test hook.
  const before = await settledUrl(page);
  expect(new URL(before).hash).toMatch(/^#s=/);
  await page.evaluate(() => { window.beforeReload = true; });
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await dialog.getByRole('button', { name: 'Reload this scenario' }).click();
  expect((await navigated).url()).toBe(before);
  await page.waitForLoadState('load');
  expect(await page.evaluate(() => window.beforeReload)).toBeUndefined();
  await expect(page.getByLabel('Choose a scenario')).toHaveValue('failover');
  const clock = Number(await page.locator('output[aria-label="Simulated time"]').getAttribute('data-us'));
  expect(clock, 'the run starts again from the beginning').toBeLessThan(5_000_000);
  await expect(dialog).toBeVisible();

  // "Start over" leaves the query and the scenario behind: the default page runs.
  await page.getByRole('alertdialog').getByRole('link', { name: 'Start over with the default scenario' }).click();
  await expect(page).toHaveURL(/\/(#.*)?$/);
  await expect(page.getByRole('heading', { name: 'HA Lab' })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await page.waitForTimeout(2000);
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
});
