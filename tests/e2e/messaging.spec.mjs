// Messaging on the page (issue 22): the "A queue between two services" preset. While
// email-service is down its messages wait in email-queue (the depth and the consumer lag grow)
// and no order fails; the queue and its broker are nodes of the topology, and their actions
// work from the inspector; compare mode runs the same orders with a call instead.
import { test, expect, simUs, pickPreset } from './fixtures.mjs';

const queue = (page) => page.getByRole('article', { name: 'Queue email-queue' });
const inspector = (page) => page.locator('.inspector-panel');

test('a consumer outage becomes a backlog, not failed orders', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'async');
  await page.getByRole('radio', { name: '100×', exact: true }).check();
  // Both consumers go down at 30 s for 60 s: at 100 orders a second the backlog passes 2,000
  // by 52 s, and the oldest message has waited over 30 s (the lag alert) from 60 s.
  // 100× to 40 s, then 10× so the pause lands inside the outage. Polled every 50 ms: at 100×
  // the clock moves 100 simulated s a wall second, and expect.poll's default intervals grow
  // to a second (a faster engine overshot 90 s that way).
  await expect.poll(() => simUs(page), { timeout: 40_000, intervals: [50] }).toBeGreaterThan(40_000_000);
  await page.getByRole('radio', { name: '10×', exact: true }).check();
  await expect.poll(() => simUs(page), { timeout: 40_000, intervals: [50] }).toBeGreaterThan(62_000_000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  expect(await simUs(page)).toBeLessThan(90_000_000);
  expect(Number(await queue(page).getAttribute('data-depth'))).toBeGreaterThan(2_000);
  await expect(queue(page)).toContainText(/\d+ of 10000 waiting/);
  await expect(queue(page)).toContainText(/consumer lag\s*\d+\.\d s/);
  // No order failed: the requests panel counts no errors and no timeouts.
  const totals = page.locator('.totals-panel');
  await expect(totals.locator('div', { hasText: 'error (5xx)' }).locator('dd')).toHaveText('0');
  await expect(totals.locator('div', { hasText: 'timeout (504)' }).locator('dd')).toHaveText('0');
  // email-service takes its work from the queue, not as calls: its chart draws no success
  // rate and says where its work is; order-service's chart has both.
  const chart = (name) => page.getByRole('figure', { name: `Service ${name}` });
  await chart('email-service').scrollIntoViewIfNeeded();
  await expect(chart('email-service').locator('.readout')).toHaveText(/^\d:\d\d · no calls: it takes its work from a queue \(see Queues\)$/);
  await expect(chart('email-service').locator('path.success')).toHaveAttribute('d', '');
  await expect(chart('order-service').locator('.readout')).toContainText('% ok of');
  await expect(chart('order-service').locator('path.success')).toHaveAttribute('d', /^M[\d.]+ [\d.]+ L/);
  // The queue is a node of the topology, with its depth beside it; publish and consume edges
  // are named in the legend. The lag alert fires on the queue.
  const node = page.getByRole('button', { name: 'Queue email-queue' });
  await expect(node).toBeVisible();
  await expect(page.locator('.topology-panel')).toContainText(/\d+ waiting · lag \d+ s/);
  await expect(page.getByRole('list', { name: 'Legend' })).toContainText('publishes to a queue');
  await expect(page.getByRole('list', { name: 'Legend' })).toContainText('consumes from a queue');
  await expect(page.locator('.alert-feed')).toContainText('ConsumerLagHigh');
  // Selecting it (from its card, or the node) opens its inspector; the explain panel says
  // what the backlog is doing, with the engine's numbers.
  await queue(page).getByRole('button', { name: 'Inspect and act' }).click();
  await expect(inspector(page)).toContainText('≣ email-queuequeue → email-service');
  await expect(page.locator('.explain-panel')).toContainText(/email-queue holds \d+ messages; the oldest has waited \d+ s; both email-service consumers are down/);
  // Pause, then purge: what waits is dropped; the feed says so.
  await inspector(page).getByRole('button', { name: 'Pause consumers' }).click();
  await expect(queue(page).getByText('consumers paused')).toBeVisible();
  await inspector(page).getByRole('button', { name: 'Purge' }).click();
  await expect(queue(page)).toHaveAttribute('data-depth', '0');
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('email-queue was purged');
  await inspector(page).getByRole('button', { name: 'Resume consumers' }).click();
  await expect(queue(page).getByText('consumers paused')).toBeHidden();
  // The broker is a node too: crash it from its inspector (publishes are refused), recover it.
  await page.locator('.topology-panel').getByRole('button', { name: 'Broker broker-1' }).click();
  await inspector(page).getByRole('button', { name: 'Crash' }).click();
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('broker broker-1 crashed');
  await expect(inspector(page).getByRole('button', { name: 'Crash' })).toBeDisabled();
  await inspector(page).getByRole('button', { name: 'Recover' }).click();
  await expect(page.getByRole('list', { name: 'Events, newest first' })).toContainText('broker broker-1 is back');
  // By keyboard: Enter on the queue node opens it; Escape, with focus still on the node, closes
  // the inspector and leaves focus where it was.
  await node.focus();
  await page.keyboard.press('Enter');
  await expect(inspector(page).getByRole('button', { name: 'Purge' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(inspector(page).getByRole('button', { name: 'Purge' })).toHaveCount(0);
  await expect(node).toBeFocused();
});

test('compare mode: the same orders as a call fail during the outage, through the queue none', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'async');
  const panel = page.locator('.compare-panel');
  await panel.getByLabel('Service').selectOption({ label: 'order-service' });
  await panel.getByLabel('Side B').selectOption('calls');
  await panel.getByRole('button', { name: 'Compare side by side' }).click();
  await expect(panel.getByRole('region', { name: 'Side A' })).toContainText('A: messages through queues');
  await expect(panel.getByRole('region', { name: 'Side B' })).toContainText('B: calls instead of messages');
  await page.getByRole('radio', { name: '100×', exact: true }).check();
  // email-service is down from 30 s to 90 s.
  await expect.poll(() => simUs(page), { timeout: 60_000 }).toBeGreaterThan(95_000_000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(panel.locator('.same-requests')).toHaveAttribute('data-same', 'true');
  const failed = async (side) => Number((await panel.getByRole('region', { name: side }).locator('.side-totals').textContent()).match(/(\d+) failed/)[1]);
  expect(await failed('Side A')).toBe(0);
  expect(await failed('Side B')).toBeGreaterThan(4_000);
});
