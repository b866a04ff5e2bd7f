// How every HA Lab script and the end-to-end suite launch Chromium: Debian's headless Chromium
// (CHROMIUM overrides the path), never a downloaded browser, with nothing running in the
// background that could disturb a measurement. And compare mode as the measuring scripts
// (frame-time.mjs, frame-cpu.mjs) turn it on.
export const launchOptions = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
};

// Turns compare mode on with side B `sideB` (a strategy's key) and puts its panel at the top of
// the viewport, where a user comparing looks: clicking left it wherever the button had been
// scrolled to, so the topology above it was on or off screen from run to run.
export async function compareOn(page, sideB) {
  const panel = page.locator('.compare-panel');
  await panel.getByLabel('Side B').selectOption(sideB);
  await panel.getByRole('button', { name: 'Compare side by side' }).click();
  await panel.getByRole('region', { name: 'Side B' }).waitFor();
  await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
}
