// Time travel under load: the longest main-thread task (Chromium's `longtask` entries, 50 ms
// and up) while the release build handles a Crash click and a seek, in the `stress` preset
// (30 instances, 5,000 req/s) at about 2:50 simulated.
//
//   node scripts/long-tasks.mjs [URL]
//
// Default URL http://127.0.0.1:8080/ (serve dist/ there first). Plays `stress` at 100× until the
// clock passes 2:50, pauses, waits for the background run (the run digest) to finish so only
// the action is measured, then for each action records every long task from the click until
// the page shows the result (and 500 ms more). Prints JSON: per action, the longest task and the
// wall-clock time until the result showed. A checkpoint spacing of replay is what each action
// costs at most; a task over 100 ms would show here.
import { chromium } from 'playwright-core';
import { launchOptions } from './chromium.mjs';

const [url = 'http://127.0.0.1:8080/'] = process.argv.slice(2);
const browser = await chromium.launch(launchOptions);
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(url);
await page.getByLabel('Choose a scenario').selectOption('stress');
const simUs = async () => Number(await page.locator('output[aria-label="Simulated time"]').getAttribute('data-us'));
await page.getByRole('radio', { name: '100×', exact: true }).check();
await page.waitForFunction(() => Number(document.querySelector('output.clock').dataset.us) >= 170_000_000, null, { timeout: 120_000 });
await page.getByRole('button', { name: 'Pause', exact: true }).click();
await page.locator('code.run-digest').filter({ hasText: /^[0-9a-f]{16}$/ }).waitFor({ timeout: 120_000 });
const at = await simUs();

const measure = async (name, act, done, arg) => {
  await page.waitForTimeout(500);
  const t0 = await page.evaluate(() => performance.now());
  await act();
  await page.waitForFunction(done, arg, { timeout: 60_000 });
  const shown = await page.evaluate(() => performance.now());
  await page.waitForTimeout(500);
  const tasks = await page.evaluate((t) => window.__long.filter((e) => e.at >= t), t0);
  return {
    action: name,
    longest_task_ms: tasks.length ? Math.max(...tasks.map((e) => e.ms)) : 0,
    long_tasks: tasks.length,
    until_shown_ms: Math.round(shown - t0),
  };
};

const entries = () => page.evaluate(() => Number([...document.querySelectorAll('section')]
  .find((s) => s.querySelector('h2')?.textContent === 'About this run')
  ?.textContent.match(/Timeline(\d+) entr/)?.[1] ?? 0));
const before = await entries();
const crash = await measure(
  'Crash (first instance card)',
  () => page.getByRole('button', { name: /^Crash 10\.0\.1\.\d+:8080$/ }).first().click(),
  (n) => Number([...document.querySelectorAll('section')]
    .find((s) => s.querySelector('h2')?.textContent === 'About this run')
    ?.textContent.match(/Timeline(\d+) entr/)?.[1] ?? 0) > n && !document.querySelector('.replaying'),
  before,
);
const seek = await measure(
  'seek to 1:00',
  () => page.getByLabel('Timeline').fill('60000'),
  () => Number(document.querySelector('output.clock').dataset.us) === 60_000_000,
  null,
);
console.log(JSON.stringify({ url, preset: 'stress', paused_at_us: at, results: [crash, seek], errors }, null, 2));
await browser.close();
