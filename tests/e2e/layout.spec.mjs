// What keeps a click where it was aimed: on a paused page, bringing a control into view moves
// nothing. Panels and instance cards off screen are skipped by layout (content-visibility) and
// their text stands still until they come back; if a panel or a card then grew, everything below
// it moved under the pointer (CI, 2026-12-04: a "Remove node-5" click in the ring panel did
// nothing).
import { test, expect, pickPreset, pause } from './fixtures.mjs';

for (const [width, height] of [[1440, 900], [390, 844]]) {
  for (const preset of ['replication', 'cascade']) {
    test(`at ${width}×${height} on ${preset}, every panel's last button stays where it was scrolled to`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.goto('/');
      // On a phone the scenario menu is under More.
      if (width < 600) await page.getByRole('button', { name: 'More' }).click();
      await pickPreset(page, preset);
      if (width < 600) await page.getByRole('button', { name: 'Less' }).click();
      // Off-screen cards keep what they showed when mounted: let the run move on first.
      await page.waitForTimeout(1_000);
      await pause(page);
      const moved = await page.evaluate(async () => {
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const out = [];
        // From the top each time, the furthest first: what lies between was never on screen.
        for (const panel of [...document.querySelectorAll('.panel')].reverse()) {
          const button = [...panel.querySelectorAll('button')].pop();
          if (!button) continue;
          window.scrollTo(0, 0);
          await frame();
          await frame();
          button.scrollIntoView({ block: 'end' });
          const y0 = button.getBoundingClientRect().y;
          // Visibility observers answer after a frame; what they change is laid out in the next.
          for (let i = 0; i < 20; i++) {
            await frame();
            const y = button.getBoundingClientRect().y;
            if (!button.isConnected || Math.abs(y - y0) > 1) {
              out.push(`${panel.className}: ${button.isConnected ? `${Math.round(y - y0)} px` : 'replaced'}`);
              break;
            }
          }
        }
        return out;
      });
      expect(moved).toEqual([]);
    });
  }
}
