// The foundation scenario as a user drives it: "Service discovery and heartbeats".
import path from 'node:path';
import { test, expect, artifacts, simUs, card, served, setSpeed, feed, pause } from './fixtures.mjs';

const A = '192.168.1.10:8080';
const B = '192.168.1.11:8080';
const ORDER = '192.168.1.20:8081';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'HA Lab' })).toBeVisible();
});

test('opens on the discovery preset with its three instances and registrations', async ({ page }) => {
  await expect(page.locator('.preset-title')).toHaveText('Service discovery and heartbeats');
  for (const addr of [A, B, ORDER]) {
    await expect(card(page, addr)).toBeVisible();
    await expect(feed(page).getByText(`${addr} registered as`)).toBeVisible();
  }
  await expect(card(page, ORDER)).toContainText('order-service');
  await expect(page.locator('output[aria-label="Seed"]')).toHaveText(/^\d+$/);
  await expect(page.getByRole('group', { name: /^Topology/ })).toBeVisible();
});

test('simulated time advances and both user-service instances serve', async ({ page }) => {
  const t0 = await simUs(page);
  await setSpeed(page, '10×');
  await expect.poll(() => simUs(page)).toBeGreaterThan(t0 + 5_000_000);
  await expect.poll(() => served(page, A)).toBeGreaterThan(20);
  await expect.poll(() => served(page, B)).toBeGreaterThan(20);
  // Round robin over two instances: their counts stay close.
  const [a, b] = [await served(page, A), await served(page, B)];
  expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(5, 0.2 * (a + b)));
  // Each has a live load chart with data.
  await expect(card(page, A).getByRole('img', { name: /req\/s/ })).toBeVisible();
});

test('a crashed instance is expired after the heartbeat timeout and stops getting traffic', async ({ page }) => {
  await setSpeed(page, '10×');
  await expect.poll(() => served(page, B)).toBeGreaterThan(10);
  await page.getByRole('button', { name: `Crash ${B}` }).click();
  await expect(feed(page).getByText(new RegExp(`^${B} crashed`))).toBeVisible();
  await expect(card(page, B)).toHaveAttribute('data-status', /DownListed|Down/);
  // Until the 30 s TTL runs out the balancer still sends it requests, which are refused.
  await expect(feed(page).getByText(`requests to ${B} fail with 502`)).toBeVisible();
  await setSpeed(page, '100×');
  await expect(feed(page).getByText(new RegExp(`registry expired ${B.replace(/\./g, '\\.')}: no heartbeat for 30 s`))).toBeVisible();
  await expect(feed(page).getByText(`stopped sending to ${B}`)).toBeVisible();
  await expect(card(page, B)).toHaveAttribute('data-status', 'Down');
  // On screen, so its numbers are live (a card scrolled away pauses its text and chart).
  await card(page, B).scrollIntoViewIfNeeded();
  await expect(card(page, B).getByText('down, expired')).toBeVisible();

  const bServed = await served(page, B);
  const bErrors = await card(page, B).locator('dd').nth(1).textContent();
  const aServed = await served(page, A);
  const t = await simUs(page);
  await expect.poll(() => simUs(page)).toBeGreaterThan(t + 20_000_000);
  expect(await served(page, B), 'no more requests reach the expired instance').toBe(bServed);
  expect(await card(page, B).locator('dd').nth(1).textContent()).toBe(bErrors);
  expect(await served(page, A), 'the survivor keeps serving').toBeGreaterThan(aServed + 100);
  await page.screenshot({ path: path.join(artifacts, 'running.png'), fullPage: true });
});

test('pause stops the clock, play resumes it, step advances one second', async ({ page }) => {
  await pause(page);
  const t = await simUs(page);
  await page.waitForTimeout(800);
  expect(await simUs(page)).toBe(t);
  await page.getByRole('button', { name: 'Step 1 s' }).click();
  await expect.poll(() => simUs(page)).toBe(t + 1_000_000);
  await page.getByRole('button', { name: 'Play' }).click();
  await expect.poll(() => simUs(page)).toBeGreaterThan(t + 1_000_000);
});

test('speed sets how fast simulated time runs', async ({ page }) => {
  // Simulated ms per wall-clock ms over 2 s, both clocks read in the page in one evaluate each
  // (no round trip inside the measurement). The wall clock is Date.now, not the
  // performance.now the app paces itself by.
  const at = () => page.evaluate(() => [Date.now(), Number(document.querySelector('output.clock').dataset.us)]);
  const rate = async () => {
    const [w0, s0] = await at();
    await page.waitForTimeout(2_000);
    const [w1, s1] = await at();
    return (s1 - s0) / 1_000 / (w1 - w0);
  };
  await setSpeed(page, '1×');
  await page.waitForTimeout(300);
  const one = await rate();
  expect(one).toBeGreaterThan(0.9);
  expect(one).toBeLessThan(1.1);
  await setSpeed(page, '100×');
  await page.waitForTimeout(1_500);
  const hundred = await rate();
  // The engine keeps up with the discovery preset at 100× (it is called behind below 90 %);
  // if this machine cannot, the page says so and the figure it gives is the real one.
  const behind = page.locator('.behind');
  if (await behind.count() === 0) {
    expect(hundred).toBeGreaterThan(88);
    expect(hundred).toBeLessThan(110);
  } else {
    const said = Number((await behind.textContent()).match(/running at ([\d.]+)×/)[1]);
    expect(Math.abs(hundred - said) / said, `measured ${hundred}× while the page says ${said}×`).toBeLessThan(0.15);
  }
});

test('reset replays the same seed; new seed draws another', async ({ page }) => {
  const seedOut = page.locator('output[aria-label="Seed"]');
  const seed = await seedOut.textContent();
  await setSpeed(page, '10×');
  await expect.poll(() => simUs(page)).toBeGreaterThan(3_000_000);
  await page.getByRole('button', { name: 'Reset' }).click();
  // The worker runs it again from 0; the page shows its first frame when it comes.
  await expect.poll(() => simUs(page)).toBeLessThan(2_000_000);
  await expect(seedOut).toHaveText(seed);
  await page.getByRole('button', { name: 'New seed' }).click();
  await expect(seedOut).not.toHaveText(seed);
});

test('everything works from the keyboard', async ({ page }) => {
  // Speed: a radio group, arrow keys move the choice.
  await page.getByRole('radio', { name: '1×' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: '10×' })).toBeChecked();
  // Crash by keyboard: focus the button, press Enter.
  await page.getByRole('button', { name: `Crash ${ORDER}` }).focus();
  await page.keyboard.press('Enter');
  await expect(card(page, ORDER)).toHaveAttribute('data-status', /DownListed|Down/);
  await expect(page.getByRole('button', { name: `Crash ${ORDER}` })).toBeDisabled();
  // Focus moved to Restart, which is now enabled: Space restarts.
  await expect(page.getByRole('button', { name: `Restart ${ORDER}` })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: `Crash ${ORDER}` })).toBeFocused();
  await expect(card(page, ORDER)).toHaveAttribute('data-status', 'Serving');
  // Pause with the keyboard.
  await page.getByRole('button', { name: 'Pause' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});
