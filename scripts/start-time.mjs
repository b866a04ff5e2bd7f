// Time from navigation to an interactive page and to the first simulated second, in headless
// Chromium on the release build: node scripts/start-time.mjs [URL] [RUNS]
// Prints JSON: medians over RUNS fresh page loads (cache disabled) of
//   interactive_ms: navigation start → the app has mounted and its clock is on screen;
//   first_frame_ms: → the engine has advanced (simulated clock > 0);
//   first_sim_second_ms: → the simulated clock reaches 1 s at the default speed.
// THROTTLE=1: over Chromium's network emulation of a 10 Mbit/s link with a 40 ms round trip.
import { chromium } from 'playwright-core';
import { launchOptions } from './chromium.mjs';

const [url = 'http://127.0.0.1:8080/', runs = '5'] = process.argv.slice(2);
const browser = await chromium.launch(launchOptions);
const samples = [];
for (let k = 0; k < Number(runs); k++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (process.env.THROTTLE) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
    });
  }
  await page.addInitScript(() => {
    const marks = {};
    window.__start = marks;
    const poll = () => {
      const clock = document.querySelector('output[aria-label="Simulated time"]');
      const t = performance.now();
      if (clock && marks.interactive === undefined) marks.interactive = t;
      const us = clock ? Number(clock.getAttribute('data-us')) : 0;
      if (us > 0 && marks.first_frame === undefined) marks.first_frame = t;
      if (us >= 1e6 && marks.first_second === undefined) { marks.first_second = t; return; }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__start.first_second !== undefined, null, { timeout: 30_000 });
  samples.push(await page.evaluate(() => window.__start));
  await context.close();
}
const median = (k) => {
  const xs = samples.map((s) => s[k]).sort((a, b) => a - b);
  return +xs[Math.floor(xs.length / 2)].toFixed(0);
};
console.log(JSON.stringify({
  url, runs: samples.length, throttled: !!process.env.THROTTLE,
  interactive_ms: median('interactive'),
  first_frame_ms: median('first_frame'),
  first_sim_second_ms: median('first_second'),
}, null, 2));
await browser.close();
