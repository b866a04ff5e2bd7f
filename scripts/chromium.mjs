// How every HA Lab script and the end-to-end suite launch Chromium: Debian's headless Chromium
// (CHROMIUM overrides the path), never a downloaded browser, with nothing running in the
// background that could disturb a measurement.
export const launchOptions = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
};
