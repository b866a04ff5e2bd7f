#!/usr/bin/env bash
# Installs what tests need, then runs every test: format, lints, engine and app unit tests,
# property tests, fault drills, bounded-time fuzzing (HA_FUZZ_SECONDS per target, default 8),
# ha-sim, the 24-simulated-hour soak (optimised), the wasm determinism test in Chromium, and the
# Playwright end-to-end suite against the release build. Benchmarks are scripts/bench.sh: they
# report and never fail this command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n==> %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all --check

step "architecture: ha-engine depends on no web crate and no getrandom"
forbidden='^(leptos|leptos_[a-z_]+|web-sys|js-sys|wasm-bindgen|gloo[a-z-]*|getrandom) v'
if cargo tree -p ha-engine -e normal --target all --prefix none | grep -E "$forbidden"; then
  echo "ha-engine must stay free of web crates and getrandom (see ARCHITECTURE.md)" >&2
  exit 1
fi

step "clippy (native, all targets) and clippy (wasm app, its tests and benches)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p ha-lab --target wasm32-unknown-unknown --all-targets -- -D warnings

step "unit, integration, property and drill tests, and fuzzing for a bounded time (native)"
HA_FUZZ_SECONDS="${HA_FUZZ_SECONDS:-8}" cargo test --workspace

step "soak: 24 simulated hours at 1,000 req/s with a fault every 3 min, twice (optimised build)"
cargo test -q --profile bench -p ha-engine --test soak -- --ignored --nocapture

step "wasm determinism: the same run in Chromium gives the native digest"
HA_NATIVE_DIGEST=$(cargo run -q -p ha-engine --bin ha-sim -- run --preset discovery --seed 42 --seconds 120 --crash 192.168.1.11:8080@30 | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p')
export HA_NATIVE_DIGEST
HA_NATIVE_DIGEST_ALL=$(cargo run -q -p ha-engine --bin ha-sim -- run --config tests/fixtures/all-mechanisms.json --seed 42 --seconds 120 | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p')
export HA_NATIVE_DIGEST_ALL
HA_NATIVE_LINK=$(cargo run -q -p ha-engine --bin ha-sim -- link --preset failover --seed 7)
HA_NATIVE_LINK_DIGEST=$(cargo run -q -p ha-engine --bin ha-sim -- run --link "$HA_NATIVE_LINK" | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p')
export HA_NATIVE_LINK HA_NATIVE_LINK_DIGEST
HA_NATIVE_REPLICATION_DIGEST=$(cargo run -q -p ha-engine --bin ha-sim -- run --preset replication --seed 42 | sed -n 's/.*"digest": "\([0-9a-f]*\)".*/\1/p')
HA_NATIVE_RING_PRIMARIES=$(cargo run -q -p ha-engine --bin ha-sim -- ring --nodes 7 --vnodes 50 --keys 500 | sed -n 's/.*"primary_keys": \([0-9]*\).*/\1/p' | paste -sd, -)
export HA_NATIVE_REPLICATION_DIGEST HA_NATIVE_RING_PRIMARIES
HA_HEAVIEST_LINK=$(cargo run -q -p ha-engine --bin ha-sim -- link --scenario tests/fixtures/heaviest.json --base '')
export HA_HEAVIEST_LINK
CHROMEDRIVER=/usr/bin/chromedriver \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p ha-lab --target wasm32-unknown-unknown --test web

step "release build"
trunk build --release --offline

step "size: everything the page loads, gzipped, within 500 KB"
# The bytes the page loads are the precompressed .gz files the server sends (zopfli's gzip,
# scripts/post-build.sh), plus one built-in lesson when a learner opens it (see below). `gzip -9` of the same files is printed beside them.
total=0
plain=0
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  n=$(wc -c < "$f.gz")
  g=$(gzip -9c "$f" | wc -c)
  printf '%9d B  %s.gz  (gzip -9: %d B)\n' "$n" "$(basename "$f")" "$g" >&2
  total=$((total + n))
  plain=$((plain + g))
done
# A lesson loads its file and its preset's scenario (presets/NAME.json): the largest such pair
# is counted. (Picking a preset alone loads less than that.)
lesson=$(for f in dist/lessons/*.json; do
  p=$(sed -n 's/.*"preset": *"\([^"]*\)".*/\1/p' "$f" | head -1)
  echo "$(( $(wc -c < "$f.gz") + $(wc -c < "dist/presets/$p.json.gz") )) $(basename "$f") + presets/$p.json"
done | sort -n | tail -1)
printf '%9d B  the largest lesson with its preset: %s\n' "${lesson%% *}" "${lesson#* }" >&2
total=$((total + ${lesson%% *}))
printf '%9d B  total (ceiling 500000; gzip -9 of the page: %d B)\n' "$total" "$plain" >&2
if [ "$total" -gt 500000 ]; then
  echo "the page loads $total B gzipped: over the 500 KB ceiling (features pay for their bytes)" >&2
  exit 1
fi

step "end-to-end (Playwright, headless Chromium)"
npx playwright test --config tests/playwright.config.mjs
