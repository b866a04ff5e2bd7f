// Scenarios and share links as a teacher and a student use them.
import { test, expect, settledUrl, pickPreset } from './fixtures.mjs';
import { execFileSync } from 'node:child_process';

const runDigest = (page) => page.locator('code.run-digest');
/** The run digest, once the engine's worker has computed it (the About panel says "computing…" until then). */
const settledDigest = async (page) => {
  await expect(runDigest(page)).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  return runDigest(page).textContent();
};

test('choose a preset, share it, and the link replays the same run elsewhere', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await pickPreset(page, 'breaker');
  await expect(page.locator('.preset-title')).toHaveText('Circuit breaker');
  await expect(page.getByRole('region', { name: 'This scenario' })).toContainText('70 %');
  await expect(page.getByRole('article', { name: 'Instance 192.168.1.40:8080' })).toBeVisible();
  const digest = await settledDigest(page);
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('#s=');
  expect(link.length).toBeLessThan(2000);
  // The address bar carries the same scenario.
  expect(await settledUrl(page)).toBe(link);

  const student = await context.newPage();
  await student.goto(link);
  await expect(student.locator('.preset-title')).toHaveText('Circuit breaker');
  await expect(runDigest(student)).toHaveText(digest);
  await expect(student.getByRole('alert')).toHaveCount(0);
  // Same seed, same run: after the same simulated time both live digests agree too.
  for (const p of [page, student]) {
    await p.getByRole('button', { name: 'Pause' }).click();
  }
  await page.getByRole('button', { name: 'Reset' }).click();
  await student.getByRole('button', { name: 'Reset' }).click();
  for (const p of [page, student]) {
    for (let i = 0; i < 5; i++) await p.getByRole('button', { name: 'Step 1 s' }).click();
  }
  const live = await page.locator('code.live-digest').textContent();
  await expect(student.locator('code.live-digest')).toHaveText(live);
});

test('a new seed changes the link and the run digest', async ({ page }) => {
  await page.goto('/');
  const before = await settledDigest(page);
  const url = await settledUrl(page);
  await page.getByRole('button', { name: 'New seed' }).click();
  await expect(runDigest(page)).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  await expect(runDigest(page)).not.toHaveText(before);
  expect(await settledUrl(page)).not.toBe(url);
  expect(page.url()).toContain('#s=');
});

test('the run digest comes from the engine\'s Web Worker, and the newest scenario wins', async ({ page }) => {
  await page.goto('/');
  await settledDigest(page);
  // One dedicated worker: this same module, instantiated off the main thread.
  await expect.poll(() => page.workers().length).toBe(1);
  // Two new seeds in a row: the second job replaces the first, and the digest shown is the
  // one ha-sim computes for the link in the address bar.
  await page.getByRole('button', { name: 'New seed' }).click();
  await page.getByRole('button', { name: 'New seed' }).click();
  const link = await settledUrl(page);
  const digest = await settledDigest(page);
  const cli = JSON.parse(execFileSync('target/release/ha-sim', ['run', '--link', link]).toString());
  expect(cli.digest).toBe(digest);
});

test('when the clipboard refuses, the link is shown to copy by hand', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
  });
  await page.goto('/');
  await page.getByRole('button', { name: 'Share' }).click();
  const field = page.getByRole('textbox', { name: /Copy this link/ });
  await expect(field).toBeVisible();
  await expect(field).toHaveValue(/#s=/);
});

for (const [name, mangle] of [
  ['truncated', (l) => l.slice(0, l.length - 25)],
  ['not base64', (l) => l.replace('#s=', '#s=<img src=x onerror=alert(1)>')],
  ['empty', (l) => l.split('#')[0] + '#s='],
  ['garbage', (l) => l.split('#')[0] + '#s=' + 'A'.repeat(20000)],
]) {
  test(`a ${name} link shows a message and the default scenario`, async ({ page }) => {
    await page.goto('/');
    // Reset puts the running scenario in the address bar.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect(page).toHaveURL(/#s=/);
    const bad = mangle(await settledUrl(page));
    await page.goto('about:blank');
    await page.goto(bad);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('This link could not be opened');
    await expect(alert).toContainText('Showing the default scenario');
    // Shown as text, never as HTML.
    await expect(page.locator('.link-error img')).toHaveCount(0);
    await expect(page.locator('.preset-title')).toHaveText('Service discovery and heartbeats');
    await expect(page.getByRole('article', { name: 'Instance 192.168.1.10:8080' })).toBeVisible();
    if (name === 'truncated') await expect(alert).toContainText('cut short');
    // Dismiss puts the running scenario in the address bar: a reload shows no error.
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await settledUrl(page);
    await page.reload();
    await expect(page.locator('.preset-title')).toHaveText('Service discovery and heartbeats');
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
}

test('export then import a scenario file runs it again', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'failover');
  const digest = await settledDigest(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  const file = await download.path();
  await pickPreset(page, 'discovery');
  await expect(runDigest(page)).not.toHaveText(digest);
  await page.locator('input[type=file]').setInputFiles(file);
  await expect(page.locator('.preset-title')).toHaveText('Health checks and failover');
  await expect(runDigest(page)).toHaveText(digest);
  // A bad file is named, and the run goes on.
  await page.locator('input[type=file]').setInputFiles({
    name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 7}'),
  });
  await expect(page.getByRole('status').filter({ hasText: 'broken.json' })).toContainText('version 7');
});

test('a Crash click becomes part of the link, and the link replays it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  const before = await settledDigest(page);
  await page.getByRole('button', { name: 'Step 1 s' }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Crash 192.168.1.11:8080' }).click();
  await expect(page.getByRole('region', { name: 'About this run' })).toContainText('1 entry');
  await expect(page.getByRole('region', { name: 'About this run' })).toContainText('discovery (edited)');
  await expect(runDigest(page)).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  await expect(runDigest(page)).not.toHaveText(before);
  const digest = await runDigest(page).textContent();
  await page.getByRole('button', { name: 'Share' }).click();
  // The link is made (compressed by the browser) and copied a moment after the click.
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());

  const student = await context.newPage();
  await student.goto(link);
  await expect(runDigest(student)).toHaveText(digest);
  // The student's run plays from 0 and crashes the same instance at the same simulated ms.
  const b = student.getByRole('article', { name: 'Instance 192.168.1.11:8080' });
  await expect(b).toContainText('down');
  await expect(student.getByRole('list', { name: 'Events, newest first' })).toContainText('192.168.1.11:8080 crashed');
});

test('an instance node\'s bars: the rail is 4 px tall and the busy bar a share of it, drawn from the engine', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'stress');
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Step 1 s' }).click();
  const bars = await page.locator('svg.topology .inflight').evaluateAll((gs) => gs.map((g) => ({
    rail: (({ width, height }) => ({ width, height }))(g.querySelector('.rail').getBBox()),
    busy: g.querySelector('.busy').getBBox().width,
    style: g.getAttribute('style'),
  })));
  expect(bars).toHaveLength(30);
  for (const b of bars) {
    // The trace waterfall's `.track` rule once made this rail 1.3rem tall.
    expect(b.rail.height).toBe(4);
    expect(b.busy).toBeGreaterThanOrEqual(0);
    expect(b.busy).toBeLessThanOrEqual(b.rail.width);
    // The length the page wrote is the one drawn.
    expect(b.style).toMatch(new RegExp(`^--b:${b.busy}px;--q:[0-9]+px$`));
  }
  // 5,000 req/s over 30 instances keeps every instance partly busy.
  expect(bars.filter((b) => b.busy > 0).length).toBeGreaterThan(20);
});
