#!/usr/bin/env bash
# The benchmark command: measures everything BENCHMARKS.md reports and rewrites it.
#   scripts/bench.sh            (ROUNDS=n for more or fewer rounds; default 3)
# Native engine throughput and hash-ring lookups (criterion), the same workloads in wasm in
# headless Chromium, the release build's size, start time and frame time under load. Reports
# figures; never fails on timing. Takes about 15 minutes (ROUNDS=3 rounds of the timed parts).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
out=target/bench-report
rm -rf "$out" && mkdir -p "$out"
step() { printf '\n==> %s\n' "$*" >&2; }

step "machine"
{
  echo "cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "cores=$(nproc)"
  echo "memory_gib=$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)"
  echo "rustc=$(rustc -V)"
  echo "chromium=$(chromium --version 2>/dev/null || /usr/bin/chromium --version)"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "commit=$(git rev-parse --short HEAD)"
} > "$out/machine.txt"
cat "$out/machine.txt"

# How fast the machine is right now: SimPy's script is CPU-bound and the same every run, so its
# wall time says how much slower than quiet this run's timed figures are (the report prints it).
# This machine kind ran it in 4.96 s when quiet; on a shared host it has taken 15 s and more.
step "machine speed: SimPy's script, 60 simulated s (${QUIET_S:=4.96} s when this machine is quiet)"
TIMEFORMAT=%R
{ time target/simpy-venv/bin/python engine/bench/simpy_round_robin.py --seconds 60 > /dev/null; } 2> "$out/yardstick.txt"
slow=$(awk -v t="$(cat "$out/yardstick.txt")" -v q="$QUIET_S" 'BEGIN { printf "%.1f", t / q }')
echo "yardstick_s=$(cat "$out/yardstick.txt")" >> "$out/machine.txt"
echo "quiet_s=$QUIET_S" >> "$out/machine.txt"
if awk -v s="$slow" 'BEGIN { exit !(s > 1.2) }'; then
  echo "warning: the machine is ${slow}x slower than quiet; every timed figure will be about that much worse (the budgets are for a quiet machine)" >&2
fi

# Each throughput round runs native then wasm back to back, so the ratio of a round compares the
# two under the same machine load; the report gives the median round and every round's ratio.
ROUNDS=${ROUNDS:-3}
for r in $(seq "$ROUNDS"); do
  step "round $r of $ROUNDS: native engine and ring lookups (criterion, bench profile: opt-level 3)"
  cargo bench -p ha-engine --bench engine -- --noplot 2>&1 | tee "$out/criterion-$r.txt" | grep -E "^(simulate|ring)/|time:|thrpt:" || true
  mkdir -p "$out/criterion-$r"
  cp -r target/criterion/simulate target/criterion/ring "$out/criterion-$r/"

  step "round $r of $ROUNDS: the engine beside a SimPy model of the round-robin workload (whole process)"
  # Same cluster (engine/bench/round_robin_10.json), 60 simulated seconds, back to back.
  cargo build -q --profile bench -p ha-engine --bin ha-sim
  TIMEFORMAT=%R
  { time target/release/ha-sim run --config engine/bench/round_robin_10.json --seconds 60 > "$out/engine-rr-$r.json"; } 2> "$out/engine-rr-wall-$r.txt"
  { time target/simpy-venv/bin/python engine/bench/simpy_round_robin.py --seconds 60 > "$out/simpy-rr-$r.json"; } 2> "$out/simpy-rr-wall-$r.txt"
  echo "engine $(cat "$out/engine-rr-wall-$r.txt") s, SimPy $(cat "$out/simpy-rr-wall-$r.txt") s"

  step "round $r of $ROUNDS: wasm engine in headless Chromium (bench profile)"
  CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --profile bench -p ha-lab --target wasm32-unknown-unknown --test wasm_bench -- --nocapture 2>&1 \
    | grep -E '^BENCH' | tee "$out/wasm-$r.txt"
done

step "release build, size"
trunk build --release --offline
: > "$out/size.txt"
# What the server sends: the precompressed .gz files (zopfli, scripts/post-build.sh), as the test
# command's size step counts them, plus the largest lesson with its preset.
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  echo "$(basename "$f") $(wc -c < "$f") $(wc -c < "$f.gz")" >> "$out/size.txt"
done
for f in dist/lessons/*.json; do
  p=$(sed -n 's/.*"preset": *"\([^"]*\)".*/\1/p' "$f" | head -1)
  echo "lesson:$(basename "$f")+presets/$p.json $(( $(wc -c < "$f") + $(wc -c < "dist/presets/$p.json") )) $(( $(wc -c < "$f.gz") + $(wc -c < "dist/presets/$p.json.gz") ))"
done | sort -k3 -n | tail -1 >> "$out/size.txt"
cat "$out/size.txt"

step "page: start time and frame time (release build served on 127.0.0.1)"
port=8097
npx http-server dist -a 127.0.0.1 -p $port -s -c-1 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
node scripts/start-time.mjs "http://127.0.0.1:$port/" 5 | tee "$out/start.json"
THROTTLE=1 node scripts/start-time.mjs "http://127.0.0.1:$port/" 5 | tee "$out/start-throttled.json"
# Time travel: the longest main-thread task for a Crash click and a seek in stress at ~2:50.
for r in $(seq "$ROUNDS"); do
  node scripts/long-tasks.mjs "http://127.0.0.1:$port/" | tee "$out/long-tasks-$r.json"
done
# 900 frames (15 s) per speed, in $ROUNDS fresh pages: on 2 cores the p95 of one page moves by
# about 1 ms from run to run, so the report gives the median run and every run's p95.
for r in $(seq "$ROUNDS"); do
  FRAMES=900 node scripts/frame-time.mjs "http://127.0.0.1:$port/" stress 10× 100× paused | tee "$out/frames-$r.json"
  FRAMES=900 REDUCED=1 node scripts/frame-time.mjs "http://127.0.0.1:$port/" stress 10× | tee "$out/frames-reduced-$r.json"
  FRAMES=900 COMPARE=least_connections node scripts/frame-time.mjs "http://127.0.0.1:$port/" stress 10× | tee "$out/frames-compare-$r.json"
done

step "robustness figures: soak (24 simulated hours, two runs) and fault drills"
cargo test -q --profile bench -p ha-engine --test soak -- --ignored --nocapture 2>&1 | tee "$out/soak.txt"
cargo test -q --profile bench -p ha-engine --test drills -- --nocapture 2>&1 | grep -oE '(stress|fault injection|availability|recovery drill): .*' | sort | tee "$out/drills.txt"

step "BENCHMARKS.md"
node scripts/bench-report.mjs "$out" > BENCHMARKS.md
cat BENCHMARKS.md
