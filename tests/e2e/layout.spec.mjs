// What keeps a click where it was aimed: on a paused page, bringing a control into view moves
// nothing. Panels and instance cards off screen are skipped by layout (content-visibility) and
// their text stands still until they come back; if a panel or a card then grew, everything below
// it moved under the pointer (CI, 2026-12-04: a "Remove node-5" click in the ring panel did
// nothing).
import { test, expect, pickPreset, pause, setSpeed } from './fixtures.mjs';

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

// Compare mode's panel is read with the topology scrolled away above it, inside the browser's
// margin for `content-visibility: auto`: its numbers were redrawn on every frame for nobody.
test('scrolled away from a playing run the topology stands, and back on screen it follows the run again', async ({ page }) => {
  await page.goto('/');
  await pickPreset(page, 'stress');
  await setSpeed(page, '10×');
  await expect(page.locator('svg.topology .instance')).toHaveCount(30);
  // The 30 instances' busy and queue bars (lengths on their group) and the service's req/s,
  // six times over 1.5 s.
  const distinct = async () => {
    const seen = new Set();
    for (let i = 0; i < 6; i++) {
      seen.add(await page.evaluate(() => [...document.querySelectorAll('svg.topology .inflight, svg.topology .service ~ .node-info')]
        .map((e) => e.getAttribute('style') ?? e.textContent).join('|')));
      await page.waitForTimeout(300);
    }
    return seen.size;
  };
  expect(await distinct(), 'on screen at 10×, the numbers move').toBeGreaterThan(1);
  // Far below: the instance cards, 1,500 px and more under the topology.
  await page.locator('.charts-panel').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  expect(await distinct(), 'scrolled away, they stand').toBe(1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect.poll(distinct, { message: 'back on screen, they follow again' }).toBeGreaterThan(1);
});

test('every service box in the topology holds its words: the strategy and the numbers end inside it', async ({ page }) => {
  await page.goto('/');
  // showdown's strategy is the longest name ("smooth weighted round robin"); stress has the
  // largest numbers.
  for (const preset of ['showdown', 'stress']) {
    await pickPreset(page, preset);
    await pause(page);
    const past = await page.locator('.topology-panel svg.topology').evaluate((svg) => {
      const out = [];
      for (const rect of svg.querySelectorAll('g.node.service rect')) {
        const r = rect.getBBox();
        for (const t of svg.querySelectorAll('text.node-sub')) {
          const b = t.getBBox();
          if (b.y >= r.y && b.y + b.height <= r.y + r.height + 2 && b.x >= r.x && b.x < r.x + r.width && b.x + b.width > r.x + r.width - 4) {
            out.push(`"${t.textContent.trim()}" ends at ${Math.round(b.x + b.width)}, its box at ${Math.round(r.x + r.width)}`);
          }
        }
      }
      return out;
    });
    expect(past, preset).toEqual([]);
  }
});
