// axe-core (WCAG 2.1 A and AA) on the states a learner meets: the default page in both themes,
// a preset with the hash ring, an instance selected in the inspector, and a phone screen.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, pickPreset } from './fixtures.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The violations on the page now, one line each (rule, impact, first target). */
async function violations(page) {
  // The run is paused so the page holds still while axe reads it.
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  if (await pause.count()) await pause.click();
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0].target.join(' ')}`);
}

test('the default page, light and dark', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('article', { name: 'Instance 192.168.1.10:8080' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Dark theme' }).click();
  expect(await violations(page)).toEqual([]);
});

test('the ring preset and a selected instance', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'replication');
  await expect(page.locator('svg.ring')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await pickPreset(page, 'failover');
  await page.getByRole('button', { name: /^Inspect / }).first().click();
  await expect(page.locator('.inspector-panel [aria-label^="Inspector: instance"]')).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test('a phone screen: the flow, the open menu and the inspector sheet', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('article', { name: 'Instance 192.168.1.10:8080' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Topology, from clients to instances' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'More' }).click();
  await page.getByRole('button', { name: /^Instance 192\.168\.1\.10:8080/ }).click();
  await expect(page.locator('.inspector-panel [aria-label^="Inspector: instance"]')).toBeInViewport();
  expect(await violations(page)).toEqual([]);
});

test('the messaging preset with its queues panel', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'async');
  await expect(page.getByRole('article', { name: 'Queue email-queue' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
});
