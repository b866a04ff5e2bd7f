// Distributed traces (issue 25): the cascade preset's requests with errors, one's waterfall
// read in words, its path on the topology, a span selecting its instance, and the trace's link
// opened in a new page and in ha-sim, which print the same trace.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, artifacts, simUs, setSpeed, settledUrl, pickPreset } from './fixtures.mjs';

const panel = (page) => page.getByRole('region', { name: 'Traces' });
const waterfall = (page) => page.locator('.waterfall');

test('a failed call in the cascade: its waterfall, its path, its instance, its link here and in ha-sim', async ({ page, context }) => {
  await page.goto('/');
  await pickPreset(page, 'cascade');
  // Trace every request (the preset samples 5 %): the builder's Tracing field. Sampling by
  // trace id changes nothing else in the run.
  const digest = page.locator('code.run-digest');
  await expect(digest).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  const before = await digest.textContent();
  await page.getByRole('button', { name: 'Build' }).click();
  const builder = page.getByRole('region', { name: 'Build a scenario' });
  await builder.getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('[data-k="tracing.sample_rate"]').fill('1');
  await page.locator('[data-k="tracing.sample_rate"]').press('Tab');
  await expect(panel(page)).toContainText('100 % of requests are traced');
  await builder.getByRole('button', { name: 'Close' }).click();
  await expect(digest).toHaveText(before, { timeout: 30_000 });
  await setSpeed(page, '100×');
  // user-service-1 hangs from 30 s: calls to it time out until the breakers open.
  await expect.poll(() => simUs(page), { timeout: 40_000 }).toBeGreaterThan(45e6);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();

  await panel(page).getByLabel('Show').selectOption('failed');
  const first = panel(page).locator('.trace-list button').first();
  await expect(first).toContainText(/failed call/);
  await first.click();
  await expect(first).toHaveAttribute('aria-pressed', 'true');

  // The waterfall: spans nested across three services, a timeout and a retry, in words.
  const spans = waterfall(page).locator('.spans > li');
  expect(await spans.count()).toBeGreaterThanOrEqual(3);
  const labels = await spans.locator('> button').allTextContents();
  for (const s of ['frontend', 'order-service', 'user-service']) {
    expect(labels.some((l) => l.startsWith(s))).toBe(true);
  }
  const depths = await spans.evaluateAll((li) => li.map((l) => Number(l.style.getPropertyValue('--depth'))));
  expect(Math.max(...depths)).toBeGreaterThanOrEqual(2);
  // A failed call, said as what failed it: a timeout, a full queue or an open breaker.
  await expect(waterfall(page)).toContainText(/timed out \(504\): no answer within 500\.0 ms|failed \(503\): the instance's queue was full|short-circuited/);
  await expect(waterfall(page)).toContainText(/retried after a [0-9.]+ ms back-off/);
  await expect(waterfall(page)).toContainText(/round robin picked .* the next in turn/);

  // Its path on the topology: the three services it went through.
  for (const s of ['frontend', 'order-service', 'user-service']) {
    await expect(page.getByRole('button', { name: `Service ${s}`, exact: true })).toHaveClass(/on-path/);
  }
  await expect(page.locator('.topology-panel')).toContainText("on the picked trace's path");
  await page.locator('.topology-panel').screenshot({ path: path.join(artifacts, 'traces-path.png') });
  await waterfall(page).screenshot({ path: path.join(artifacts, 'traces-waterfall.png') });

  // The trace is in the link; ha-sim prints the same trace for it.
  const link = await settledUrl(page);
  const request = link.match(/&trace=(\d+)@\d+/)[1];
  const heading = await waterfall(page).getByRole('heading').textContent();
  const marks = await spans.evaluateAll((li) => li.map((l) => [...l.querySelectorAll('.span-marks li')].map((m) => m.textContent)));
  const cli = JSON.parse(execFileSync('target/release/ha-sim', ['run', '--link', link, '--traces', '100', '--trace-filter', 'failed']).toString());
  const same = cli.find((t) => String(t.request) === request);
  expect(same, `ha-sim keeps request ${request}`).toBeTruthy();
  expect(same.line).toBe(heading);
  expect(same.spans.map((s) => s.marks)).toEqual(marks);

  // A span's button selects its instance in the inspector.
  const failedSpan = spans.filter({ has: page.locator('.track b', { hasText: /[✕◔⚡]/ }) }).first();
  const addr = (await failedSpan.locator('> button').textContent()).split(' → ')[1].split(',')[0];
  await failedSpan.locator('> button').click();
  await expect(page.locator(`[aria-label="Inspector: instance ${addr}"]`)).toBeVisible();

  const axe = await new AxeBuilder({ page }).include('.traces-panel').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);

  // The link opens the same trace in a new page, paused at its end.
  const other = await context.newPage();
  await other.goto(link);
  await expect(waterfall(other).getByRole('heading')).toHaveText(heading);
  await expect(other.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // Replay from its start: the run goes back to the ms the request arrived in (ha-sim's
  // start_us), paused, and the trace stays shown.
  await waterfall(other).getByRole('button', { name: 'Replay from its start' }).click();
  await expect.poll(() => simUs(other)).toBe(Math.floor(same.start_us / 1000) * 1000);
  await expect(waterfall(other).getByRole('heading')).toHaveText(heading);
  await other.setViewportSize({ width: 390, height: 844 });
  await waterfall(other).scrollIntoViewIfNeeded();
  await other.screenshot({ path: path.join(artifacts, 'traces-phone.png') });
});

test("an alert's Traces then runs back to its moment and shows the requests from then", async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'cascade');
  await setSpeed(page, '100×');
  const alerts = page.getByRole('list', { name: 'Alerts, newest first' });
  await expect(alerts.locator('li.st-firing').first()).toBeVisible({ timeout: 40_000 });
  await expect.poll(() => simUs(page), { timeout: 40_000 }).toBeGreaterThan(100e6);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const entry = alerts.locator('li.st-firing').last();
  const at = await entry.locator('time').textContent();
  await entry.getByRole('button', { name: 'Traces then' }).click();
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // The clock shows the alert's moment (mm:ss.mmm).
  await expect(page.locator('.clock')).toHaveText(at, { timeout: 20_000 });
  await expect(panel(page).locator('.trace-list button').first()).toBeVisible();
  await expect(panel(page)).toBeInViewport();
});

test('a trace row pressed while the run plays is picked on release, and the list keeps one height', async ({ page }) => {
  await page.goto('/');
  await setSpeed(page, '10×');
  // The list is markup rewritten with each update: measured in one go, never held.
  const list = panel(page).locator('.trace-list');
  const listHeight = () => page.evaluate(() => document.querySelector('.trace-list').getBoundingClientRect().height);
  // The panel may be built anew as the run's first frames come: scrolled to when it holds.
  await expect(async () => panel(page).getByLabel('Show').scrollIntoViewIfNeeded({ timeout: 1_000 })).toPass();
  const height = await listHeight();
  await expect(list.locator('button')).not.toHaveCount(0);
  await expect(list.locator('button').nth(1)).toBeVisible();
  // Just before the list's next rewrite (twice a second while playing), when the next list
  // is asked for or on its way: one that lands under the press is dropped, so the row under
  // the pointer is the row released on. The second row's place is read in one task.
  const box = await page.evaluate(() => new Promise((done) => {
    const panel = document.querySelector('.traces-panel');
    const seen = new MutationObserver(() => {
      seen.disconnect();
      setTimeout(() => {
        const r = document.querySelectorAll('.trace-list button')[1].getBoundingClientRect();
        done({ x: r.x, y: r.y, width: r.width, height: r.height });
      }, 470);
    });
    seen.observe(panel, { childList: true, subtree: true });
  }));
  // A slow press over more than two of the list's updates: a row replaced under it got no
  // click.
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  const request = await page.evaluate(([x, y]) => document.elementFromPoint(x, y).closest('button').dataset.trace, [x, y]);
  await page.waitForTimeout(1_200);
  await page.mouse.up();
  await expect(waterfall(page)).toBeVisible();
  await expect(list.locator('button[aria-pressed="true"]')).toHaveAttribute('data-trace', request);
  expect(await listHeight(), 'the list does not grow as traces come').toBe(height);
});
