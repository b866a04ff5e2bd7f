// Messaging on the page (issue 22): the "A queue between two services" preset. While
// email-service is down its messages wait in email-queue (the depth and the consumer lag grow)
// and no order fails; the broker and queue actions work from the queues panel.
import { test, expect } from './fixtures.mjs';

const queue = (page) => page.getByRole('article', { name: 'Queue email-queue' });

test('a consumer outage becomes a backlog, not failed orders', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Choose a scenario').selectOption('async');
  await page.getByRole('radio', { name: '100×', exact: true }).check();
  // Both consumers go down at 30 s for 60 s: at 100 orders a second the backlog passes 2,000.
  await expect.poll(async () => Number(await queue(page).getAttribute('data-depth')), { timeout: 40_000 })
    .toBeGreaterThan(2_000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(queue(page).getByRole('meter', { name: 'email-queue depth' })).toBeVisible();
  await expect(queue(page)).toContainText(/consumer lag\s*\d+\.\d s/);
  // No order failed: the requests panel counts no errors and no timeouts.
  const totals = page.locator('.totals-panel');
  await expect(totals.locator('div', { hasText: 'error (5xx)' }).locator('dd')).toHaveText('0');
  await expect(totals.locator('div', { hasText: 'timeout (504)' }).locator('dd')).toHaveText('0');
  // The explain panel says what the backlog is doing, with the engine's numbers.
  await queue(page).getByRole('button', { name: 'Explain' }).click();
  await expect(page.locator('.explain-panel')).toContainText(/email-queue holds \d+ messages; the oldest has waited \d+ s; both email-service consumers are down/);
  // Purge drops what waits; the feed says so.
  await queue(page).getByRole('button', { name: 'Purge' }).click();
  await expect(queue(page)).toHaveAttribute('data-depth', '0');
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('email-queue was purged');
  // A crashed broker refuses publishes: orders fail until it recovers.
  await page.getByRole('button', { name: 'Crash broker-1' }).click();
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('broker broker-1 crashed');
  await page.getByRole('button', { name: 'Recover broker-1' }).click();
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('broker broker-1 is back');
});
