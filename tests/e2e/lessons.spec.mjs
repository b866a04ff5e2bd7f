// Lessons as a learner and a teacher use them: the picker a newcomer sees first, a whole
// lesson played by keyboard alone (a prediction answered, two steps back and the same
// numbers again), a lesson written in the page, shared and reopened, and screenshots of a
// lesson at a laptop and at a phone size.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, artifacts, settledUrl, pickPreset } from './fixtures.mjs';

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false });
const cardOf = (page) => page.getByRole('region', { name: /./ }).filter({ has: page.locator('#guide-h') });
const counter = (page) => page.locator('.lesson-head .muted');
const body = (page) => page.locator('.lesson-text');
const press = async (page, key, times = 1) => { for (let i = 0; i < times; i++) await page.keyboard.press(key); };

test('a newcomer plays a whole lesson by keyboard: predicts, sees the engine answer, goes back two steps and finds the same numbers', async ({ page }) => {
  await page.goto('/');
  const picker = page.getByRole('dialog', { name: 'Learn by predicting' });
  await expect(picker).toBeVisible();
  // Keyboard only: the first lesson's button is reached with Tab.
  const first = picker.getByRole('button', { name: 'Service discovery and the heartbeat TTL' });
  await first.focus();
  await page.keyboard.press('Enter');
  const card = cardOf(page);
  await expect(card).toBeVisible();
  await expect(counter(page)).toHaveText('Step 1 of 6');
  await expect(page.locator('#guide-h')).toHaveText('Service discovery and the heartbeat TTL');
  // → runs to the next step's trigger (0:15) and pauses there.
  await page.locator('body').focus();
  await press(page, 'ArrowRight');
  await expect(counter(page)).toHaveText('Step 2 of 6', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // The prediction, typed; the keys are ignored while typing.
  const guess = card.getByLabel('Your guess');
  await guess.focus();
  await page.keyboard.type('300');
  await page.keyboard.press('Tab');
  await press(page, 'ArrowRight');
  await expect(counter(page)).toHaveText('Step 3 of 6', { timeout: 30_000 });
  // A "try it" step: → waits for the crash; Do it takes it, by keyboard.
  await press(page, 'ArrowRight');
  const doIt = card.getByRole('button', { name: 'Do it' });
  await expect(doIt).toBeVisible();
  await doIt.focus();
  await page.keyboard.press('Enter');
  await expect(counter(page)).toHaveText('Step 4 of 6');
  await page.locator('body').focus();
  await press(page, 'ArrowRight');
  await expect(counter(page)).toHaveText('Step 5 of 6', { timeout: 40_000 });
  const reveal = body(page).locator('.reveal').first();
  await expect(reveal).toContainText('Your prediction, step 2');
  await expect(reveal).toContainText(/The engine measured \d+ requests\. You said 300/);
  const answers = await body(page).locator('.reveal').allTextContents();
  const clock = await page.locator('output[aria-label="Simulated time"]').getAttribute('data-us');
  await shot(page, 'lesson-laptop');
  // axe (WCAG 2.1 A and AA) on the page with a lesson step, its reveals and its prediction.
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes[0].target.join(' ')}`)).toEqual([]);
  // The same lesson headless in ha-sim gives the same answer.
  const cli = JSON.parse(execFileSync('target/release/ha-sim', ['lesson', 'discovery']).toString());
  expect(answers[0]).toContain(`measured ${cli[1].answer.value} requests`);
  // Two steps back, then forward again: the same numbers.
  await press(page, 'ArrowLeft', 2);
  await expect(counter(page)).toHaveText('Step 3 of 6', { timeout: 30_000 });
  await press(page, 'ArrowRight');
  await card.getByRole('button', { name: 'Do it' }).click();
  await expect(counter(page)).toHaveText('Step 4 of 6');
  await page.locator('body').focus();
  await press(page, 'ArrowRight');
  await expect(counter(page)).toHaveText('Step 5 of 6', { timeout: 40_000 });
  await expect.poll(() => body(page).locator('.reveal').allTextContents()).toEqual(answers);
  await expect(page.locator('output[aria-label="Simulated time"]')).toHaveAttribute('data-us', clock);
  // F hides the panels the step does not need.
  await press(page, 'f');
  await expect(page.locator('.feed-panel')).toBeVisible();
  await expect(page.locator('.services-panel')).toBeHidden();
  await press(page, 'f');
  await expect(page.locator('.services-panel')).toBeVisible();
});

test('a lesson written in the page, shared and reopened, replays the same steps and answers', async ({ page, context }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Free sandbox' }).click();
  await pickPreset(page, 'failover');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const author = page.locator('.author-panel');
  const stepBox = (n) => author.getByRole('textbox', { name: new RegExp(`^Step ${n}`) });
  // The title first, as a teacher starts (the field was disabled until a first step).
  await author.getByLabel('Lesson title').fill('Failover in three steps');
  await author.getByLabel('Lesson title').press('Tab');
  await author.getByRole('button', { name: 'Add a step here' }).click();
  await stepBox(1).fill(JSON.stringify({ text: 'Watch **192.168.1.11:8080**: it crashes at 0:30.' }));
  await author.getByRole('button', { name: 'Apply' }).click();
  await author.getByRole('button', { name: 'Add a step here' }).click();
  await stepBox(2).fill(JSON.stringify({ text: 'It crashed.', on: 'instance_crashed', of: '192.168.1.11:8080' }));
  await author.getByRole('button', { name: 'Apply' }).click();
  await author.getByRole('button', { name: 'Add a step here' }).click();
  // A fact the engine does not know is refused by name; the text stays as typed.
  await stepBox(3).fill(JSON.stringify({ text: 'Unhealthy.', on: 'instance_exploded' }));
  await expect(author.getByRole('alert')).toContainText('instance_exploded');
  await expect(stepBox(3)).toHaveValue(/instance_exploded/);
  await expect(author.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await stepBox(3).fill(JSON.stringify({ text: 'Marked **unhealthy**.', on: 'marked_unhealthy', of: '192.168.1.11:8080' }));
  await author.getByRole('button', { name: 'Apply' }).click();
  await expect(author.locator('.author-steps li')).toHaveCount(3);
  // The prediction goes on step 1 now that step 3 exists to reveal it.
  await author.locator('.author-steps li').first().getByRole('button', { name: 'Edit' }).click();
  await stepBox(1).fill(JSON.stringify({
    text: 'Watch **192.168.1.11:8080**: it crashes at 0:30.',
    question: { ask: 'At what time, in seconds, will it be marked unhealthy?', measure: 'seconds', tolerance_pct: 30, reveal_at: 3 },
  }));
  await author.getByRole('button', { name: 'Apply' }).click();
  await expect(author.locator('.author-steps li').first()).toContainText('prediction');
  await expect(author.getByLabel('Lesson title')).toHaveValue('Failover in three steps');
  // Play it here.
  await author.getByRole('button', { name: 'Preview from step 1' }).click();
  const play = async (p) => {
    await expect(p.locator('.lesson-head .muted')).toHaveText('Step 1 of 3');
    await expect(p.locator('#guide-h')).toHaveText('Failover in three steps');
    await p.locator('.lesson-card').getByLabel('Your guess').fill('45');
    await p.getByRole('button', { name: 'Next →' }).click();
    await expect(p.locator('.lesson-head .muted')).toHaveText('Step 2 of 3', { timeout: 30_000 });
    await p.getByRole('button', { name: 'Next →' }).click();
    await expect(p.locator('.lesson-head .muted')).toHaveText('Step 3 of 3', { timeout: 30_000 });
    return p.locator('.lesson-text .reveal').textContent();
  };
  const here = await play(page);
  expect(here).toMatch(/The engine measured 4\d\.\d s\. You said 45/);
  // The link carries the lesson; a new page plays it the same.
  const link = await settledUrl(page);
  const other = await context.newPage();
  await other.goto(link.replace(/&step=\d+/, ''));
  expect(await play(other)).toBe(here);
  // And ha-sim plays the same link headless to the same answer.
  const cli = JSON.parse(execFileSync('target/release/ha-sim', ['lesson', '--link', link]).toString());
  expect(here).toContain(`measured ${cli[0].answer.value.toFixed(1)} s`);
});

test('a lesson link opens at its step; the card at a phone size', async ({ page, browser }) => {
  const link = execFileSync('target/release/ha-sim', ['link', '--preset', 'discovery']).toString().trim();
  // The built-in lesson's own link: the page's share link of a lesson carries `&step=N`.
  await page.goto('/');
  await page.getByRole('dialog', { name: 'Learn by predicting' }).getByRole('button', { name: 'Health checks, failover, recovery back-off and failback' }).click();
  await expect(page.locator('.lesson-head .muted')).toHaveText('Step 1 of 7');
  await page.getByRole('button', { name: 'Next →' }).click();
  await expect(page.locator('.lesson-head .muted')).toHaveText('Step 2 of 7', { timeout: 30_000 });
  const at2 = await settledUrl(page);
  expect(at2).toContain('&step=2');
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(at2);
  await expect(phone.locator('.lesson-head .muted')).toHaveText('Step 2 of 7', { timeout: 30_000 });
  await expect(phone.locator('.lesson-text')).toContainText('crashed');
  await phone.screenshot({ path: path.join(artifacts, 'lesson-phone.png') });
  // The card fits the phone's width.
  const box = await phone.locator('.lesson-card').boundingBox();
  expect(box.width).toBeLessThanOrEqual(390);
  expect(link).toContain('#s=');
  await phone.close();
});

test('a learner who does what a "try it" step says, before pressing Next, is taken on to the next step', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('dialog', { name: 'Learn by predicting' }).getByRole('button', { name: 'Load-balancing showdown: one slow instance' }).click();
  await expect(counter(page)).toHaveText('Step 1 of 7');
  for (const n of [2, 3]) {
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect(counter(page)).toHaveText(`Step ${n} of 7`, { timeout: 30_000 });
  }
  // The step's words say "or press Do it": the button is there before Next.
  await expect(body(page)).toContainText('Try it: switch api to least connections');
  await expect(page.locator('.lesson-card').getByRole('button', { name: 'Do it' })).toBeVisible();
  // Done by hand, as the words say, without Next first (it used to wait for it all the same).
  await page.getByRole('button', { name: /^Service api/ }).first().click();
  const inspector = page.locator('.inspector-panel');
  // Another action first: the card says which one the step waits for, and stays.
  await inspector.getByLabel('Load-balancing strategy').selectOption({ label: 'random' });
  await inspector.getByRole('button', { name: 'Apply strategy now' }).click();
  await expect(page.locator('.lesson-card')).toContainText('Not the action this step waits for (strategy set to least connections on api): Do it takes it.');
  await expect(counter(page)).toHaveText('Step 3 of 7');
  await inspector.getByLabel('Load-balancing strategy').selectOption({ label: 'least connections' });
  await inspector.getByRole('button', { name: 'Apply strategy now' }).click();
  await expect(counter(page)).toHaveText('Step 4 of 7');
  await expect(page.locator('.lesson-card .waiting')).toHaveCount(0);
});
