// CPU time of the page's main thread per animation frame, from a Chromium trace, in headless
// Chromium: what a frame costs whatever else the machine is doing (thread time, not wall time,
// so a frame that waited for a core does not count its wait).
//
//   node scripts/frame-cpu.mjs [URL]
//
// Opens URL (default http://127.0.0.1:8080/, serve dist/ there first) at 1440×900, picks the
// `stress` preset, plays at 10×, waits 1.5 s, then traces SECS seconds (default 4) of
// `devtools.timeline`. Prints the thread time of the main thread's tasks per animation frame
// (p50, p90, p95, max), each event kind's mean per frame (style, layout, paint, script), the
// frames in which the page parsed HTML (an `innerHTML` write) apart from the others, and:
//   COMPARE=STRATEGY  compare mode first, side B running STRATEGY (e.g. least_connections);
//   INV=1             Chromium's invalidation tracking: what made the browser restyle or lay
//                     out, per frame, by reason and element (e.g. "Animation | path class='dot'");
//   HIDE=SELECTOR     `display: none` on SELECTOR first, to see what a part of the page costs;
//   CSS=RULES         a style sheet added first (e.g. `.dot { animation-play-state: paused }`);
//   KINDS=1           every trace event kind's thread time and count per frame (the top 30).
// Used for BENCHMARKS.md's notes ("where compare mode's frame goes").
import { chromium } from 'playwright-core';
import { launchOptions, compareOn } from './chromium.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';
const browser = await chromium.launch(launchOptions);
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(url);
await page.getByLabel('Choose a scenario').selectOption('stress');
if (process.env.COMPARE) await compareOn(page, process.env.COMPARE);
await page.getByRole('radio', { name: '10×', exact: true }).check();
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
if (process.env.HIDE) await page.addStyleTag({ content: `${process.env.HIDE} { display: none !important }` });
await page.waitForTimeout(1500);

const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
const categories = (process.env.INV ? 'disabled-by-default-devtools.timeline.invalidationTracking,' : '')
  + 'devtools.timeline,disabled-by-default-devtools.timeline';
await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
await page.waitForTimeout(Number(process.env.SECS || 4) * 1000);
await cdp.send('Tracing.end');
await done;

// The page's main thread: the renderer whose scripts come from the app.
const threads = {};
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads[`${e.pid}:${e.tid}`] = e.args.name;
const pid = events.find((e) => e.name === 'FunctionCall' && /ha-lab/.test(e.args?.data?.url || ''))?.pid;
const main = Object.keys(threads).find((k) => threads[k] === 'CrRendererMain' && (pid === undefined || k.startsWith(`${pid}:`)));
const onMain = (e) => `${e.pid}:${e.tid}` === main;
const frameStarts = events.filter((e) => onMain(e) && e.name === 'FireAnimationFrame').map((e) => e.ts).sort((a, b) => a - b);
const frames = frameStarts.length;

// Each task's thread time goes to the animation frame it ends in (or after).
const perFrame = new Array(frames).fill(0);
const kinds = {};
for (const e of events) {
  if (e.ph !== 'X' || !onMain(e)) continue;
  const k = (kinds[e.name] ??= { count: 0, cpu: 0 });
  k.count++;
  k.cpu += (e.tdur || 0) / 1000;
  if (e.name !== 'RunTask') continue;
  let lo = 0; let hi = frames - 1; let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (frameStarts[mid] <= e.ts + (e.dur || 0)) { at = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (at >= 0) perFrame[at] += (e.tdur || 0) / 1000;
}
// Frames with an HTML parse (markup written with `innerHTML`) apart from the rest.
const parsed = new Array(frames).fill(false);
for (const e of events) {
  if (e.name !== 'ParseHTML' || !onMain(e)) continue;
  const at = frameStarts.findLastIndex((t) => t <= e.ts);
  if (at >= 0) parsed[at] = true;
}
const split = (keep) => {
  const a = perFrame.slice(1, -1).filter((_, i) => keep(parsed[i + 1])).sort((x, y) => x - y);
  return { frames: a.length, mean: +(a.reduce((x, y) => x + y, 0) / Math.max(1, a.length)).toFixed(2), p95: +(a[Math.floor(0.95 * a.length)] ?? 0).toFixed(2) };
};
const sorted = perFrame.slice(1, -1).sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const mean = (names) => names.reduce((a, n) => a + (kinds[n]?.cpu || 0), 0) / frames;
const ms = (v) => +v.toFixed(2);
const result = {
  url, compare: process.env.COMPARE ?? null, hide: process.env.HIDE ?? null, css: process.env.CSS ?? null, frames,
  cpu_per_frame_ms: { p50: ms(q(0.5)), p90: ms(q(0.9)), p95: ms(q(0.95)), max: ms(sorted[sorted.length - 1]) },
  frames_with_html_parse_ms: split((p) => p),
  other_frames_ms: split((p) => !p),
  mean_per_frame_ms: {
    all_tasks: ms(mean(['RunTask'])),
    style: ms(mean(['UpdateLayoutTree'])),
    layout: ms(mean(['Layout'])),
    paint: ms(mean(['Paint'])),
    rendering: ms(mean(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'])),
  },
};
if (process.env.INV) {
  const why = {};
  for (const e of events) {
    if (!onMain(e) || !/InvalidationTracking/.test(e.name)) continue;
    const d = e.args?.data || {};
    const key = `${e.name.replace('InvalidationTracking', '')} | ${d.reason || ''} | ${d.nodeName || ''}`;
    why[key] = (why[key] || 0) + 1;
  }
  result.invalidations_per_frame = Object.fromEntries(Object.entries(why)
    .sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => [k, ms(v / frames)]));
}
if (process.env.KINDS) result.kinds = Object.fromEntries(Object.entries(kinds).sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 30).map(([k, v]) => [k, [ms(v.cpu / frames), +(v.count / frames).toFixed(1)]]));
console.log(JSON.stringify(result, null, 2));
await browser.close();
