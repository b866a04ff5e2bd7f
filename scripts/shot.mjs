// Temporary: screenshots for a look (deleted before landing).
import { chromium } from 'playwright';
import { launchOptions } from './chromium.mjs';
const [preset = 'async', w = '1440', h = '900', out = '/tmp/shot.png', wait = '4000'] = process.argv.slice(2);
const b = await chromium.launch(launchOptions);
const p = await b.newPage({ viewport: { width: +w, height: +h } });
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.goto('http://127.0.0.1:8080/');
await p.getByLabel('Choose a scenario').selectOption(preset);
await p.getByRole('radio', { name: '100×', exact: true }).check();
await p.waitForTimeout(+wait);
await p.getByRole('button', { name: 'Pause', exact: true }).click();
await p.screenshot({ path: out, fullPage: true });
await b.close();
