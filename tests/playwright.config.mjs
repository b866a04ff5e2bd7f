// Playwright end-to-end suite against the release build in dist/ (built by scripts/test.sh),
// in Debian's headless Chromium. Never downloads a browser.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchOptions } from '../scripts/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = 8091;

export default defineConfig({
  testDir: './e2e',
  outputDir: path.join(root, 'test-results'),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  // A stray test.only must not quietly skip the rest of the suite.
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions,
  },
  webServer: {
    command: `node_modules/.bin/http-server dist -a 127.0.0.1 -p ${port} -s -g -c-1`,
    cwd: root,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
