// Renders BENCHMARKS.md from what scripts/bench.sh measured: node scripts/bench-report.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const json = (f) => JSON.parse(read(f));
const machine = Object.fromEntries(read('machine.txt').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mps = (x) => `${fmt(x / 1e6, 2)} M`;
// The timed parts ran in rounds (ROUNDS in bench.sh): criterion-R/, wasm-R.txt, frames-R.json.
const rounds = fs.readdirSync(dir).filter((f) => /^wasm-\d+\.txt$/.test(f)).map((f) => Number(f.match(/\d+/)[0])).sort((x, y) => x - y);
const longTasks = fs.readdirSync(dir).filter((f) => /^long-tasks-\d+\.json$/.test(f)).sort().map((f) => json(f));
const worstTask = Math.max(0, ...longTasks.flatMap((l) => l.results.map((r) => r.longest_task_ms)));
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const crit = (r, group, id) => {
  const base = path.join(dir, `criterion-${r}`, group, id, 'new');
  const est = JSON.parse(fs.readFileSync(path.join(base, 'estimates.json'), 'utf8'));
  const b = JSON.parse(fs.readFileSync(path.join(base, 'benchmark.json'), 'utf8'));
  return { ns: est.mean.point_estimate, items: b.throughput?.Elements ?? 1 };
};
// Each round's wasm output, parsed once: rates per workload and the ring lookup time.
const wasmRounds = new Map(rounds.map((r) => {
  const w = { rates: {}, ring: null };
  for (const l of read(`wasm-${r}.txt`).split('\n')) {
    const m = l.match(/^BENCH (\S+) (\d+) ([\d.]+) (\d+)/);
    if (m) w.rates[m[1]] = Number(m[4]);
    const g = l.match(/^BENCHRING ([\d.]+) ns/);
    if (g) w.ring = Number(g[1]);
  }
  return [r, w];
}));
const titles = {
  round_robin_10_instances: '10 instances, round robin, 4,000 req/s',
  p2c_50_instances_breakers_health_checks: '50 instances, power of two choices, breakers + health checks, 20,000 req/s',
  replicated_keys_20_node_ring: 'replicated keyed traffic, 20-node ring (N = 3), 20,000 ops/s + 1,000 req/s',
};
// Per workload and round: native and wasm rates measured back to back, and their ratio.
const engine = Object.keys(titles).map((id) => {
  const per = rounds.map((r) => {
    const c = crit(r, 'simulate', id);
    const native = c.items / (c.ns / 1e9);
    const wasm = wasmRounds.get(r).rates[id] ?? NaN;
    return { native, wasm, ratio: native / wasm };
  });
  return {
    id,
    native: median(per.map((p) => p.native)),
    wasm: median(per.map((p) => p.wasm)),
    ratio: median(per.map((p) => p.ratio)),
    ratios: per.map((p) => p.ratio),
    natives: per.map((p) => p.native),
  };
});
const rows = engine.map((e) => `| ${titles[e.id]} | ${mps(e.native)} | ${mps(e.wasm)} | ${fmt(e.ratio, 2)}× | ${e.ratios.map((x) => fmt(x, 2)).join(' / ')} |`);
const ringNative = median(rounds.map((r) => crit(r, 'ring', 'lookup_replicas_1000_nodes_x_1000_vnodes').ns));
const ringWasms = rounds.map((r) => wasmRounds.get(r).ring).filter((x) => x != null);
const ringWasm = ringWasms.length ? median(ringWasms) : null;

const sizes = read('size.txt').trim().split('\n').map((l) => l.split(' '));
const gzTotal = sizes.reduce((a, s) => a + Number(s[2]), 0);
const start = json('start.json');
const startSlow = json('start-throttled.json');
// The engine beside SimPy, whole process, 60 simulated s of the round-robin workload, per round.
const simpy = rounds.map((r) => {
  const e = Number(read(`engine-rr-wall-${r}.txt`).trim());
  const p = Number(read(`simpy-rr-wall-${r}.txt`).trim());
  const py = json(`simpy-rr-${r}.json`);
  const arrived = json(`engine-rr-${r}.json`).totals?.arrived ?? null;
  return { engine: e, simpy: p, ratio: p / e, simpyArrived: py.arrived, engineArrived: arrived };
});
const simpyMid = [...simpy].sort((x, y) => x.ratio - y.ratio)[(simpy.length - 1) >> 1];
// How slow the machine was: SimPy's wall time (CPU-bound, the same work every run) before the
// rounds and in each, against the same script on this machine when quiet (bench.sh's QUIET_S).
const quiet = Number(machine.quiet_s ?? 4.96);
const yardsticks = [machine.yardstick_s, ...simpy.map((x) => x.simpy)].filter((x) => x != null).map(Number);
const slowdown = median(yardsticks) / quiet;
const speedRow = `SimPy's script (60 simulated s, CPU-bound, the same work every run) took ${yardsticks.map((x) => fmt(x, 1)).join(' / ')} s${machine.yardstick_s == null ? ' in the rounds' : ' (before the rounds, then in each)'}, against ${fmt(quiet, 2)} s on this machine when quiet: ${slowdown >= 1.05 ? `${fmt(slowdown, 1)}× slower` : 'as fast as quiet'}`;
const slowNote = slowdown > 1.2
  ? `\n**This run was on a slow machine** (${fmt(slowdown, 1)}× quiet, see *Speed* above): every timed figure below is\nabout that much worse than a quiet machine gives, and the targets are for a quiet machine.\n`
  : '';
// For each speed, the run with the median p95 stands for all (a real run's row, not a blend of
// runs), and the p95 of every run is listed beside it.
const frameRows = (prefix) => {
  const runs = rounds.map((r) => json(`${prefix}-${r}.json`).results);
  return runs[0].map((_, k) => {
    const byP95 = runs.map((rs) => rs[k]).sort((x, y) => x.main_thread_ms.p95 - y.main_thread_ms.p95);
    return {
      ...byP95[(byP95.length - 1) >> 1],
      p95s: runs.map((rs) => rs[k].main_thread_ms.p95),
      speeds: runs.map((rs) => rs[k].achieved_speed),
    };
  });
};
const frames = frameRows('frames');
const reduced = frameRows('frames-reduced');
const compare = frameRows('frames-compare');
// The frame count asked for (the script stops at the first frame past it).
const nFrames = Math.round(frames[0].frames / 100) * 100;
const fr = (r) => `| ${r.speed}${reduced.includes(r) ? ' (reduced motion)' : ''} | ${fmt(r.main_thread_ms.p50, 1)} | ${fmt(r.main_thread_ms.p95, 1)} | ${r.p95s.map((x) => fmt(x, 1)).join(' / ')} | ${fmt(r.frame_interval_ms.p50, 1)} / ${fmt(r.frame_interval_ms.p95, 1)} | ${r.achieved_speed}× | ${r.behind_notice ?? '—'} |`;
const soak = read('soak.txt').split('\n').filter((l) => /^\s*(hour|\d+)\s/.test(l) || /^peak live heap/.test(l));
const soakTable = soak.filter((l) => /^\s*(hour|\d+)\s/.test(l));
const soakEvery = soakTable.filter((l, k) => k === 0 || [1, 2, 6, 12, 18, 24].includes(Number(l.trim().split(/\s+/)[0])));
const drills = read('drills.txt').trim();

const hit = (ok) => (ok ? 'met' : '**not met**');
// A budget holds when every round meets it (issue 26: "the budgets hold in three rounds"); the
// median round is the figure, and every round's figure is listed beside it.
const at10 = frames.find((r) => r.speed === '10×');
const at100 = frames.find((r) => r.speed === '100×');
const each = (xs, d, unit) => xs.map((x) => fmt(x, d)).join(' / ') + unit;
const worstRatio = Math.max(...engine.map((e) => e.ratio));
const rr = engine.find((e) => e.id === 'round_robin_10_instances');
const notes = fs.readFileSync(new URL('./bench-notes.md', import.meta.url), 'utf8').trim();

console.log(`# Benchmarks

Written by \`scripts/bench.sh\` (the one benchmark command; about 15 minutes). Every figure below
comes from its last run; rerun it to check them on your machine. Benchmarks report: they never
fail the test command on timing. The timed parts ran in ${rounds.length} rounds; each figure is
the median round, and the spread of the rounds is shown beside it.

## Machine

| | |
|---|---|
| CPU | ${machine.cpu} (${machine.cores} cores), ${machine.memory_gib} GiB |
| Toolchain | ${machine.rustc} |
| Browser | ${machine.chromium}, headless, \`--disable-gpu\` |
| Run | ${machine.date}, commit ${machine.commit} |
| Speed | ${speedRow} |

## Targets
${slowNote}
A target is met when every round meets it; the figure is the median round's.

| Target | Figure | every round | |
|---|---|---|---|
| 10-instance round robin natively at least 3 M simulated requests per second (criterion) | ${mps(rr.native)} | ${rr.natives.map(mps).join(' / ')} | ${hit(rr.natives.every((x) => x >= 3e6))} |
| Millions of simulated requests per second natively, every workload | ${engine.map((e) => mps(e.native)).join(', ')} per s | slowest ${mps(Math.min(...engine.flatMap((e) => e.natives)))} | ${hit(engine.every((e) => e.natives.every((x) => x >= 1e6)))} |
| wasm within 2× of native | worst median ratio ${fmt(worstRatio, 2)}× | worst ${fmt(Math.max(...engine.flatMap((e) => e.ratios)), 2)}× | ${hit(engine.every((e) => e.ratios.every((x) => x <= 2)))} |
| \`stress\` at 100× reaches at least 95× | ${fmt(at100.achieved_speed, 1)}× | ${each(at100.speeds, 1, '×')} | ${hit(at100.speeds.every((x) => x >= 95))} |
| Main-thread p95 per frame at 10× on \`stress\` at most 6 ms | ${fmt(at10.main_thread_ms.p95, 1)} ms | ${each(at10.p95s, 1, ' ms')} | ${hit(at10.p95s.every((x) => x <= 6))} |
| Compare mode on \`stress\` at 10×: p95 at most 8 ms | ${fmt(compare[0].main_thread_ms.p95, 1)} ms | ${each(compare[0].p95s, 1, ' ms')} | ${hit(compare[0].p95s.every((x) => x <= 8))} |
| Interactive within 1.0 s on 127.0.0.1, cache cold | ${start.interactive_ms} ms | median of ${start.runs} loads | ${hit(start.interactive_ms <= 1000)} |
| Interactive within 2.0 s over 10 Mbit/s with a 40 ms round trip, cache cold | ${startSlow.interactive_ms} ms | median of ${startSlow.runs} loads | ${hit(startSlow.interactive_ms <= 2000)} |
| Everything the page loads at most 500 KB gzipped (wasm, JS, CSS, HTML, the largest lesson with its preset) | ${fmt(gzTotal)} B | one build | ${hit(gzTotal <= 500_000)} |
| A Crash click and a seek to 1:00 in \`stress\` at ~2:50 block the main thread at most 100 ms | longest task ${fmt(worstTask)} ms | ${longTasks.length} runs, longest of all | ${hit(worstTask <= 100)} |

## Engine throughput

Simulated work items (client requests, plus data operations in the ring workload) per second of
wall-clock time. Each iteration clones a simulation warmed up for 10 simulated seconds and runs
5 more (\`ha_engine::bench\`). Native: criterion, \`cargo bench -p ha-engine --bench engine\`
(opt-level 3). wasm: the same code in headless Chromium,
\`cargo test --profile bench --target wasm32-unknown-unknown --test wasm_bench\`. Each round runs
native then wasm back to back, so a round's ratio compares the two under the same machine load.
Medians of ${rounds.length} rounds:

| Workload | Native | wasm (Chromium) | native / wasm | ratio per round |
|---|---|---|---|---|
${rows.join('\n')}

### Beside SimPy

The same 10-instance round-robin cluster (\`engine/bench/round_robin_10.json\`, kept equal to the
criterion workload by \`tests/presets.rs\`) for 60 simulated seconds, as a whole process each,
back to back in every round: \`ha-sim run --config engine/bench/round_robin_10.json --seconds 60\`
and \`engine/bench/simpy_round_robin.py --seconds 60\` (SimPy 4.1.1; Poisson arrivals, 16 slots and
a queue of 64 per instance, log-normal service times, a 1 s timeout). The engine's figure includes
its start-up and its JSON report; SimPy's includes the interpreter's start.

| | engine (s) | SimPy (s) | SimPy / engine | requests (engine / SimPy) | per round |
|---|---|---|---|---|---|
| 60 simulated s, round robin, 10 instances, 4,000 req/s | ${fmt(simpyMid.engine, 2)} | ${fmt(simpyMid.simpy, 2)} | ${fmt(simpyMid.ratio, 1)}× | ${simpyMid.engineArrived == null ? '—' : fmt(simpyMid.engineArrived)} / ${fmt(simpyMid.simpyArrived)} | ${simpy.map((x) => fmt(x.ratio, 1) + '×').join(' / ')} |

## Hash ring

Replica set (first 3 distinct nodes clockwise) of a random key on a ring of 1,000 nodes × 1,000
virtual nodes (a million points), median of ${rounds.length} rounds: ${fmt(ringNative, 1)} ns per lookup natively${ringWasm ? `, ${fmt(ringWasm, 1)} ns in wasm` : ''}.

## The page

Size of the release build (\`trunk build --release\`: opt-level "z", LTO, \`wasm-opt -Oz\`,
Leptos \`erase_components\`):

| File | Bytes | sent (.gz, zopfli) |
|---|---|---|
${sizes.map((s) => `| ${s[0].replace(/-[0-9a-f]{16}/, '').replace(/^lesson:(.*)/, 'the largest lesson with its preset ($1)')} | ${fmt(Number(s[1]))} | ${fmt(Number(s[2]))} |`).join('\n')}
| **total** | | **${fmt(gzTotal)}** |

Start, median of ${start.runs} fresh loads with the cache disabled (\`node scripts/start-time.mjs\`):
interactive (app mounted, clock on screen) ${start.interactive_ms} ms after navigation; engine
running ${start.first_frame_ms} ms; first simulated second ${start.first_sim_second_ms} ms. Over
Chromium's emulation of a 10 Mbit/s link with a 40 ms round trip (\`THROTTLE=1\`): interactive
${startSlow.interactive_ms} ms, engine running ${startSlow.first_frame_ms} ms, first simulated
second ${startSlow.first_sim_second_ms} ms.

Time travel in the \`stress\` preset paused at about 2:50 (\`node scripts/long-tasks.mjs URL\`,
${longTasks.length} runs): every main-thread task of 50 ms or more (Chromium's \`longtask\`
entries) from the action until the page shows its result. A seek restores the latest
checkpoint before the instant it needs (src/state/checkpoints.rs) and replays in slices of at
most 40 ms a frame; a Crash click goes into the running simulation at the first simulated ms it
has not handled (\`Simulation::next_free_ms\`), with no restore.

| Action | longest task per run (ms) | long tasks | until shown per run (ms) |
|---|---|---|---|
${['Crash', 'seek'].map((a, i) => `| ${longTasks[0].results[i].action} | ${longTasks.map((l) => fmt(l.results[i].longest_task_ms)).join(' / ')} | ${longTasks.map((l) => l.results[i].long_tasks).join(' / ')} | ${longTasks.map((l) => fmt(l.results[i].until_shown_ms)).join(' / ')} |`).join('\n')}

Main-thread time per frame with the \`stress\` preset (30 instances, 5,000 req/s), 1440×900,
${nFrames} frames each (\`FRAMES=${nFrames} node scripts/frame-time.mjs URL stress 10× 100×
paused\`): from the start of the frame's first animation-frame callback to the end of its
rendering work. ${rounds.length} runs, each in a fresh page; each row is the run with the median p95,
and the p95 of every run is listed.

| Speed | p50 ms | p95 ms | p95 per run | frame interval p50 / p95 ms | achieved | notice on the page |
|---|---|---|---|---|---|---|
${frames.map(fr).join('\n')}
${reduced.map(fr).join('\n')}
${compare.map((r) => fr(r).replace(/^\| 10×/, '| 10× (compare mode, side B least connections)')).join('\n')}

"paused" is the floor: the frame loop alone (the flow dots stand still while paused). Playing,
each edge's dots are one dashed stroke whose offset is animated; with reduced motion there is no
animation. The engine runs in a Web Worker (src/host/session.rs): on each frame the page tells
it how far the wall clock × speed has got, asking for a frame every third time
(\`REDRAW_EVERY\`), and draws the frame it got in three parts over the next three animation
frames, so the main thread's time per frame is decoding and drawing, never the engine. Each
redraw does a third of the instances (two of \`REDRAW_GROUPS\`' six groups, each instance about 7
times a second), panels scrolled away from a playing run stand still (\`while_followed\`), the
dots pause while the topology is off screen, and off-screen panels are skipped by the browser
(\`content-visibility: auto\`). When the
worker cannot keep up with the chosen speed, the run goes as fast as it can and the page says
so.

${notes}

## Soak

24 simulated hours at 1,000 req/s on the all-mechanisms cluster with a fault every 3 simulated
minutes (480 faults: crash, hang, slow, error rate, both partitions, traffic spike), run twice
side by side (\`cargo test --profile bench -p ha-engine --test soak -- --ignored --nocapture\`).
Live heap of the run's thread (KiB) and the length of every growing buffer, per simulated hour:

\`\`\`
${soakEvery.join('\n')}
\`\`\`

${soak.find((l) => /^peak live heap/.test(l)) ?? ''}

## Fault drills

The exercises of \`ha-architecture.md\` (stress test, fault injection, availability test,
recovery drill), \`cargo test -p ha-engine --test drills -- --nocapture\`:

\`\`\`
${drills}
\`\`\`
`);
