// The page's main-thread busy time as a share of wall-clock time while it plays, from Chromium's
// own counters (CDP Performance.getMetrics: TaskDuration, ScriptDuration, LayoutDuration over
// 8 s), in headless Chromium:
//
//   node scripts/main-thread-share.mjs URL SPEED [compare]
//
// Unlike scripts/frame-time.mjs (each frame from its first requestAnimationFrame callback to
// after its paint), this counts every task, message handlers included: the fair measure
// between builds that do their work in different tasks.
import { chromium } from 'playwright-core';
import { launchOptions } from './chromium.mjs';
const [url, speed, compare] = process.argv.slice(2);
const browser = await chromium.launch(launchOptions);
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(url);
await page.getByLabel('Choose a scenario').selectOption('stress');
await page.getByRole('radio', { name: speed, exact: true }).check();
if (compare) {
  const panel = page.locator('.compare-panel');
  await panel.getByLabel('Side B').selectOption('least_connections');
  await panel.getByRole('button', { name: 'Compare side by side' }).click();
  await panel.getByRole('region', { name: 'Side B' }).waitFor();
}
await page.waitForTimeout(4000);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
const a = await m();
await page.waitForTimeout(8000);
const b = await m();
const wall = b.Timestamp - a.Timestamp;
console.log(url, speed, compare ? 'compare' : '', 'main-thread busy', ((b.TaskDuration - a.TaskDuration) / wall * 100).toFixed(1) + '% of wall,', 'script', ((b.ScriptDuration - a.ScriptDuration) / wall * 100).toFixed(1) + '%', 'layout', ((b.LayoutDuration - a.LayoutDuration) / wall * 100).toFixed(1) + '%');
await browser.close();
