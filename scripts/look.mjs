// Screenshots of the page for a person to look at: node scripts/look.mjs URL OUT.png [actions...]
import { chromium } from 'playwright-core';
import { launchOptions } from './chromium.mjs';
const [url, out, width = '1440', height = '900', ...rest] = process.argv.slice(2);
const browser = await chromium.launch(launchOptions);
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(url);
await page.waitForTimeout(Number(process.env.WAIT || 3000));
for (const a of rest) { await eval(a); }
await page.screenshot({ path: out, fullPage: process.env.FULL === '1' });
console.log(JSON.stringify({ errors }));
await browser.close();
