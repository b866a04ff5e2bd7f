// The phone layout (issue 21): at 390×844 the topology is a vertical flow of 44 px tap
// targets, the header is compact, and tapping an instance opens the inspector as a sheet from
// which it can be crashed. Also the screenshots at four screen sizes (tests/artifacts).
import { test, expect, artifacts, pickPreset } from './fixtures.mjs';
import path from 'node:path';

const A = '192.168.1.10:8080';
const chip = (page, addr) => page.getByRole('button', { name: new RegExp(`^Instance ${addr.replace(/\./g, '\\.')}: `) });

test.describe('on a 390×844 phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('tap an instance, crash it from the inspector sheet, close the sheet', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Pause', exact: true }).tap();
    // Paused for sure: a running inspector reflows as its numbers change, and a tap aimed at
    // Crash can land beside it (CI, 2026-12-01).
    await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
    const instance = chip(page, A);
    await expect(instance).toHaveAccessibleName(`Instance ${A}: serving`);
    await instance.tap();
    const inspector = page.getByLabel(`Inspector: instance ${A}`);
    // The sheet is on screen at once: no scrolling 2,000 px down to the inspector.
    await expect(inspector).toBeInViewport();
    await expect(instance).toHaveAttribute('aria-pressed', 'true');
    await inspector.getByRole('button', { name: 'Crash', exact: true }).tap();
    await expect(page.getByTestId('fact-state')).toHaveText(/^down/);
    await expect(instance).toHaveAccessibleName(new RegExp(`^Instance ${A.replace(/\./g, '\\.')}: down`));
    await page.screenshot({ path: path.join(artifacts, 'phone-inspector-sheet.png') });
    await page.getByRole('button', { name: 'Close', exact: true }).tap();
    await expect(inspector).toHaveCount(0);
    await expect(instance).toBeFocused();
    await expect(instance).toHaveAttribute('aria-pressed', 'false');
  });

  test('the header is compact, text reads and every control is at least 44×44 px', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Pause', exact: true }).tap();
    await expect(chip(page, A)).toBeVisible();
    const header = await page.locator('header.top').boundingBox();
    expect(header.height, 'header height, px').toBeLessThanOrEqual(200);
    // The topology's smallest text (was 4.6 px: a diagram scaled to 0.35).
    const smallest = await page.locator('.topology-panel').evaluate((el) => Math.min(
      ...[...el.querySelectorAll('*')].filter((e) => e.childElementCount === 0 && e.textContent.trim())
        .map((e) => parseFloat(getComputedStyle(e).fontSize)),
    ));
    expect(smallest, 'smallest topology text, px').toBeGreaterThanOrEqual(11);
    const small = async (scope) => page.locator(scope).evaluate((el) => [...el.querySelectorAll('button, select, input, .speed span')]
      .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 44 || r.height < 44))
      .map(({ e, r }) => `${e.tagName} "${(e.getAttribute('aria-label') || e.textContent).trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`));
    // Radio inputs are under their 44 px labels; the range slider is full width.
    const header_small = (await small('header.top')).filter((s) => !s.startsWith('INPUT'));
    expect(header_small, 'header controls under 44×44 px').toEqual([]);
    expect(await small('.topology-panel'), 'topology controls under 44×44 px').toEqual([]);
    await page.getByRole('button', { name: 'More' }).tap();
    await expect(page.getByRole('button', { name: 'New seed' })).toBeVisible();
    expect((await small('header.top')).filter((s) => !s.startsWith('INPUT')), 'menu controls under 44×44 px').toEqual([]);
    expect(await small('.charts-panel'), 'card buttons under 44×44 px').toEqual([]);
  });

  test('a lesson\'s answer fields and its author\'s tools are at least 44×44 px', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: /^Consistent hashing/ }).tap();
    await expect(page.getByRole('spinbutton', { name: /Your guess/ })).toBeVisible();
    await page.locator('.author-panel').scrollIntoViewIfNeeded();
    await expect(page.getByRole('button', { name: 'Delete step 1' })).toBeVisible();
    const small = (scope) => page.locator(scope).evaluate((el) => [...el.querySelectorAll('button, select, input')]
      .filter((e) => e.getClientRects().length)
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ e, r }) => `${e.tagName} "${(e.getAttribute('aria-label') || e.textContent || e.name).trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`));
    expect(await small('.lesson-card'), 'lesson card controls under 44×44 px').toEqual([]);
    expect(await small('.author-panel'), 'lesson author controls under 44×44 px').toEqual([]);
  });

  test('each of a lesson\'s choices has its radio beside its words, on one line', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: /^Load-balancing showdown/ }).tap();
    const choices = page.locator('.predict .choice');
    await expect(choices).toHaveCount(3);
    // The radio's middle and its words' middle, and where each starts (a radio a line above
    // its words was the phone block's flex losing to the lesson rules after it).
    const places = await choices.evaluateAll((labels) => labels.map((l) => {
      const radio = l.querySelector('input').getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(l.lastChild);
      const words = range.getBoundingClientRect();
      return { text: l.textContent.trim(), gap: Math.round(Math.abs((radio.top + radio.bottom) / 2 - (words.top + words.bottom) / 2)), after: words.left >= radio.right };
    }));
    // The question inside its box: a legend's default straddles the top border, and a
    // question of three lines had its first two above the box.
    const [box, question] = await page.locator('.predict').evaluate((f) => [f, f.querySelector('legend')].map((e) => e.getBoundingClientRect().top));
    expect(question, 'the question\'s top below its box\'s top').toBeGreaterThan(box);
    for (const p of places) {
      expect(p.gap, `"${p.text}": the radio's middle to its words' middle, px`).toBeLessThanOrEqual(4);
      expect(p.after, `"${p.text}": its words right of its radio`).toBe(true);
    }
  });

  test('what the scenario is comes before the cluster; in a lesson, its card, then the topology', async ({ page }) => {
    const top = (name) => page.locator(`.${name}`).evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
    await page.goto('/');
    await expect(page.locator('.lesson-panel')).toContainText('Try it:');
    expect(await top('lesson-panel'), '"This scenario" above the topology').toBeLessThan(await top('topology-panel'));
    expect(await top('topology-panel')).toBeLessThan(await top('charts-panel'));
    await page.getByRole('button', { name: /^Consistent hashing/ }).tap();
    await expect(page.getByRole('spinbutton', { name: /Your guess/ })).toBeVisible();
    expect(await top('lesson-card')).toBeLessThan(await top('topology-panel'));
    expect(await top('topology-panel'), 'in a lesson the topology comes right under its card').toBeLessThan(await top('lesson-panel'));
  });

  test('a chart scrolled to while the run plays follows it', async ({ page }) => {
    // Each panel's content follows the run while the panel is on screen (`Follow`). Every
    // panel's content used to get the last panel's, the event feed's, which on a phone is far
    // below: scrolled to, the service charts stood still at the instant they were laid out.
    await page.goto('/');
    await page.getByRole('radio', { name: '1×', exact: true }).check();
    const readout = page.locator('.services-panel .readout').first();
    await readout.scrollIntoViewIfNeeded();
    await expect(readout).toHaveText(/^\d+:\d\d · /);
    const first = await readout.textContent();
    await expect.poll(() => readout.textContent(), { timeout: 5_000 }).not.toBe(first);
  });
});

test('screenshots at 390×844, 768×1024, 1366×768 and 1920×1080', async ({ page }) => {
  for (const [width, height] of [[390, 844], [768, 1024], [1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.goto('/');
    const more = page.getByRole('button', { name: 'More' });
    const phone = await more.isVisible();
    if (phone) await more.click();
    await pickPreset(page, 'failover');
    if (phone) await page.getByRole('button', { name: 'Less' }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await expect(page.getByRole('article').first()).toBeVisible();
    if (!phone) {
      // Learn and Build stay on one row, and the pinned bar leaves most of the screen (at
      // 768×1024 it took 268 px in five rows).
      const learn = await page.getByRole('button', { name: 'Learn', exact: true }).boundingBox();
      const build = await page.getByRole('button', { name: 'Build', exact: true }).boundingBox();
      expect(build.y, `Learn and Build on one row at ${width} px`).toBe(learn.y);
      const bar = await page.locator('header.top').boundingBox();
      expect(bar.height, `the bar at ${width}×${height}`).toBeLessThanOrEqual(0.2 * height);
    }
    // Nothing sticks out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `page wider than a ${width} px screen`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(artifacts, `screen-${width}x${height}.png`) });
  }
});
