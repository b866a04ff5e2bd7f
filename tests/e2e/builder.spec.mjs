// The scenario builder (issue 24): a cluster built from blank runs, its link replays the same run in
// another page and in ha-sim, a bad value keeps its message and the last valid run, undo
// restores the previous scenario exactly, and the builder passes axe on a laptop and a phone.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, artifacts, settledUrl } from './fixtures.mjs';

const field = (page, key) => page.locator(`[data-k="${key}"]`);
/** Types `text` into field `key` and leaves it (the edit is kept on `change`). */
const type = async (page, key, text) => {
  await field(page, key).fill(String(text));
  await field(page, key).press('Tab');
};
const settledDigest = async (page) => {
  const d = page.locator('code.run-digest');
  await expect(d).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  return d.textContent();
};

test('build a cluster from blank, run it, share it and replay it elsewhere', async ({ page, context }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#');
  await page.getByRole('button', { name: 'Build' }).click();
  const builder = page.getByRole('region', { name: 'Build a scenario' });
  await expect(builder).toBeVisible();
  // The running scenario's fields: an address is read whole, not cut by a narrow column.
  const address = field(page, 's0.i0.address');
  await expect(address).toHaveValue('192.168.1.10:8080');
  expect(await address.evaluate((e) => e.scrollWidth <= e.clientWidth), 'the address field shows all of it').toBe(true);
  await builder.getByLabel('Start from').selectOption('blank');
  await builder.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.preset-title')).toHaveText('My cluster');

  // Two services with a dependency.
  await builder.getByRole('button', { name: 'Add a service' }).click();
  await type(page, 's1.name', 'db');
  await expect(builder.getByRole('group', { name: 'Service db' })).toBeVisible();
  await field(page, 's0.calls.1').check();
  await expect(page.locator('path.dependency title')).toHaveText('api calls db');
  // A cycle is refused, named, and changes nothing.
  await field(page, 's1.calls.0').check();
  await expect(page.locator('[id="e-s1.calls.0"]')).toContainText('cycle');

  // Three instances with different latencies.
  await builder.getByRole('button', { name: 'Remove db-2' }).click();
  await type(page, 's0.i0.lat.median_ms', 10);
  await type(page, 's0.i1.lat.median_ms', 40);
  await field(page, 's1.i0.lat').selectOption('exponential');
  await type(page, 's1.i0.lat.mean_ms', 5);
  await expect(builder.getByText('Service time p50 3.5 ms, p99 23.0 ms')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Instance 10\.0\.\d\.\d:8080/ })).toHaveCount(3);

  // A breaker, an alert rule and a crash on the timeline.
  await field(page, 's0.breaker').check();
  await expect(field(page, 's0.breaker.failures')).toHaveValue('5');
  await builder.getByRole('button', { name: 'Add an alert rule' }).click();
  await field(page, 'a0.metric').selectOption('p99_ms');
  await type(page, 'a0.threshold', 100);
  await builder.getByRole('button', { name: 'Add a timeline entry' }).click();
  await field(page, 'f0.target').selectOption('10.0.1.2:8080');
  await expect(builder.getByRole('group', { name: 'crash at 30 s' })).toBeVisible();

  // A bad value: its message beside it, the typed text kept, the last valid run kept.
  const link = await settledUrl(page);
  await field(page, 'rate_rps').fill('1000000000');
  await expect(page.locator('[id="e-rate_rps"]')).toHaveText('type a number from 0 to 100000');
  await field(page, 'rate_rps').press('Tab');
  await expect(field(page, 'rate_rps')).toHaveValue('1000000000');
  await expect(field(page, 'rate_rps')).toHaveAttribute('aria-invalid', 'true');
  expect(await settledUrl(page)).toBe(link);

  // Undo restores the previous scenario exactly (its link), redo comes back.
  await type(page, 'rate_rps', 80);
  const edited = await settledUrl(page);
  expect(edited).not.toBe(link);
  await builder.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => page.url()).toBe(link);
  await builder.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(() => page.url()).toBe(edited);
  await builder.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => page.url()).toBe(link);

  await page.screenshot({ path: path.join(artifacts, 'builder-laptop.png') });
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);

  // The link replays the same run in a new page and in ha-sim.
  const digest = await settledDigest(page);
  const other = await context.newPage();
  await other.goto(link);
  expect(await settledDigest(other)).toBe(digest);
  const cli = JSON.parse(execFileSync('target/release/ha-sim', ['run', '--link', link]).toString());
  expect(cli.digest).toBe(digest);
});

test('the builder on a phone: a sheet with 44 px fields, and Close', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/#');
  await page.getByRole('button', { name: 'More' }).click();
  await page.getByRole('button', { name: 'Build' }).click();
  const builder = page.getByRole('region', { name: 'Build a scenario' });
  await expect(builder).toBeVisible();
  const box = await field(page, 'rate_rps').boundingBox();
  expect(box.height).toBeGreaterThanOrEqual(44);
  expect(box.width).toBeGreaterThan(300);
  await page.screenshot({ path: path.join(artifacts, 'builder-phone.png') });
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
  await builder.getByRole('button', { name: 'Close' }).click();
  await expect(builder).toHaveCount(0);
});

test('from the topology by keyboard: add an instance and a dependency; the open builder follows and undoes them', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/#');
  // Build and Learn take turns.
  await expect(page.getByRole('dialog', { name: 'Learn by predicting' })).toBeVisible();
  await page.getByRole('button', { name: 'Build' }).click();
  await expect(page.getByRole('dialog', { name: 'Learn by predicting' })).toHaveCount(0);
  const builder = page.getByRole('region', { name: 'Build a scenario' });
  await builder.getByLabel('Start from').selectOption('blank');
  await builder.getByRole('button', { name: 'Start', exact: true }).click();
  await builder.getByRole('button', { name: 'Add a service' }).click();
  const instances = page.getByRole('button', { name: /^Instance 10\.0\.\d\.\d:8080/ });
  await expect(instances).toHaveCount(4);

  const api = page.getByRole('button', { name: 'Service api', exact: true });
  await api.focus();
  await page.keyboard.press('Enter');
  const inspector = page.getByLabel('Inspector: service api');
  await inspector.getByRole('button', { name: 'Add an instance' }).press('Enter');
  await expect(instances).toHaveCount(5);
  // The inspector stays on the service; the builder shows the new instance.
  await expect(page.getByLabel('Inspector: service api')).toBeVisible();
  await expect(field(page, 's0.i2.address')).toHaveValue('10.0.1.3:8080');
  await page.getByLabel('Inspector: service api').getByRole('button', { name: 'Add a dependency: calls service-2' }).press('Enter');
  await expect(page.locator('path.dependency title')).toHaveText('api calls service-2');
  await expect(field(page, 's0.calls.1')).toBeChecked();
  // The reverse would be a cycle: service-2's inspector does not offer it (the engine would
  // refuse it by name, tests/builder.rs).
  await page.getByRole('button', { name: 'Service service-2', exact: true }).click();
  const other = page.getByLabel('Inspector: service service-2');
  await expect(other.getByRole('button', { name: 'Add an instance' })).toBeVisible();
  await expect(other.getByRole('button', { name: 'Add a dependency: calls api' })).toHaveCount(0);
  await expect(page.locator('path.dependency')).toHaveCount(1);
  await page.screenshot({ path: path.join(artifacts, 'builder-direct.png') });

  // Undo in the builder takes back the dependency, then the instance.
  await builder.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('path.dependency')).toHaveCount(0);
  await builder.getByRole('button', { name: 'Undo' }).click();
  await expect(instances).toHaveCount(4);
});
