// Temporary: screenshots for a look (deleted before landing).
import { chromium } from 'playwright';
import { launchOptions } from './chromium.mjs';
const b = await chromium.launch(launchOptions);
for (const [w, h, out] of [[1440, 900, '/tmp/d.png'], [390, 844, '/tmp/p.png']]) {
  const p = await b.newPage({ viewport: { width: w, height: h } });
  p.on('pageerror', (e) => console.log('pageerror', e.message));
  await p.goto('http://127.0.0.1:8080/');
  if (w < 700) await p.getByRole('button', { name: 'More' }).click();
  await p.getByLabel('Choose a scenario').selectOption('fanout');
  if (w < 700) await p.getByRole('button', { name: 'Less' }).click();
  await p.getByRole('radio', { name: '100×', exact: true }).check();
  await p.waitForFunction(() => Number(document.querySelector('output[aria-label="Simulated time"]').dataset.us) > 40e6, null, { timeout: 30000 });
  await p.getByRole('radio', { name: '10×', exact: true }).check();
  await p.waitForFunction(() => Number(document.querySelector('output[aria-label="Simulated time"]').dataset.us) > 70e6, null, { timeout: 30000 });
  await p.getByRole('button', { name: 'Pause', exact: true }).click();
  if (w >= 700) {
    await p.locator('.topology-panel').getByRole('button', { name: /^Queue order.created for analytics/ }).click();
  } else {
    await p.getByRole('article', { name: /analytics/ }).getByRole('button', { name: 'Inspect and act' }).click();
  }
  await p.waitForTimeout(500);
  await p.screenshot({ path: out, fullPage: w >= 700 });
  if (w < 700) { await p.keyboard.press('Escape'); await p.locator('.queues-panel').scrollIntoViewIfNeeded(); await p.screenshot({ path: '/tmp/p2.png' }); }
}
await b.close();
