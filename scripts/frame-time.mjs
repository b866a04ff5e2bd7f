// Main-thread time per frame of the release build under load, in headless Chromium.
//
//   node scripts/frame-time.mjs [URL] [PRESET] [SPEEDS...]
//
// PRESET `-` keeps the scenario in URL's link (e.g. one that opens a trace's waterfall).
// Defaults: http://127.0.0.1:8080/ (serve dist/ there first), the `stress` preset (30 instances,
// 5,000 req/s) at 10× and 100×, 300 frames each (FRAMES=n for more). For each frame it measures
// from the start of the frame's first requestAnimationFrame callback (this script's, registered
// before the app loads, so it runs before the app's engine step) to a message posted from it,
// which runs after the frame's callbacks, microtasks (Leptos effects), style, layout and paint.
// Prints p50/p95/max of that time, the frame interval, and the simulated speed achieved, as JSON.
// COMPARE=STRATEGY turns compare mode on first, side B running STRATEGY (e.g. least_connections).
import { chromium } from 'playwright-core';
import { launchOptions, compareOn } from './chromium.mjs';

const [url = 'http://127.0.0.1:8080/', preset = 'stress', ...speedArgs] = process.argv.slice(2);
const speeds = speedArgs.length ? speedArgs : ['10×', '100×'];
const FRAMES = Number(process.env.FRAMES || 300);

const browser = await chromium.launch(launchOptions);
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, reducedMotion: process.env.REDUCED ? 'reduce' : 'no-preference' });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.addInitScript(() => {
  const busy = [];
  const interval = [];
  let last = 0;
  const ch = new MessageChannel();
  let start = 0;
  ch.port1.onmessage = () => { busy.push(performance.now() - start); };
  const tick = (t) => {
    if (last) interval.push(t - last);
    last = t;
    start = performance.now();
    ch.port2.postMessage(0);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__frames = { busy, interval, reset() { busy.length = 0; interval.length = 0; } };
});
await page.goto(url);
// PRESET `-`: the scenario of URL's link as it is (e.g. one opened at a trace).
if (preset !== '-') await page.getByLabel('Choose a scenario').selectOption(preset);
else {
  await page.locator('section[aria-busy="true"]').first().waitFor({ state: 'detached' });
  const play = page.getByRole('button', { name: 'Play', exact: true });
  if (await play.count()) await play.click();
}
if (process.env.COMPARE) await compareOn(page, process.env.COMPARE);
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const simUs = async () => Number(await page.locator('output[aria-label="Simulated time"]').getAttribute('data-us'));
const results = [];
for (const speed of speeds) {
  if (speed === 'paused') {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
  } else {
    await page.getByRole('radio', { name: speed, exact: true }).check();
  }
  await page.waitForTimeout(1500); // warm up
  await page.evaluate(() => window.__frames.reset());
  const t0 = await simUs();
  const w0 = Date.now();
  await page.waitForFunction((n) => window.__frames.busy.length >= n, FRAMES, { timeout: 120_000 });
  const wall = Date.now() - w0;
  const sim = (await simUs()) - t0;
  const { busy, interval } = await page.evaluate(() => ({ busy: [...window.__frames.busy], interval: [...window.__frames.interval] }));
  const behind = await page.locator('.behind').textContent().catch(() => null);
  results.push({
    preset, speed, compare: process.env.COMPARE ?? null, frames: busy.length,
    main_thread_ms: { p50: +q(busy, 0.5).toFixed(2), p95: +q(busy, 0.95).toFixed(2), max: +Math.max(...busy).toFixed(2) },
    frame_interval_ms: { p50: +q(interval, 0.5).toFixed(2), p95: +q(interval, 0.95).toFixed(2) },
    achieved_speed: +(sim / 1000 / wall).toFixed(1),
    behind_notice: behind,
  });
}
console.log(JSON.stringify({ url, results, errors }, null, 2));
await browser.close();
