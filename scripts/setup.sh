#!/usr/bin/env bash
# Installs what HA Lab needs, skipping whatever is already there (safe to run any number of times).
#   scripts/setup.sh          build + serve tools: wasm32 target, Trunk, wasm-bindgen-cli, wasm-opt
#   scripts/setup.sh --test   the same, plus Debian's Chromium and ChromeDriver for browser tests
#   scripts/setup.sh --bench  the same as --test, plus SimPy (pinned, in target/simpy-venv) for
#                             the side-by-side figure of scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate pinned in Cargo.toml, or Trunk tries to
# download one.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { echo "setup: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -q; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing Trunk $TRUNK_VERSION (about 12 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file names a dependency version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! command -v zopfli >/dev/null; then
  say "installing zopfli from Debian (precompressed release files)"
  apt_install zopfli
fi

if ! command -v npm >/dev/null; then
  say "installing Node.js and npm from Debian"
  apt_install nodejs npm
fi

# wasm-opt (npm package binaryen: Debian's is too old for today's rustc), terser, Playwright, a static
# server. Reinstalled only when package-lock.json changed.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Chromium and ChromeDriver from Debian"
    apt_install chromium chromium-driver
  fi
  if ! rustup component list --installed | grep -q '^clippy'; then rustup component add clippy; fi
  if ! rustup component list --installed | grep -q '^rustfmt'; then rustup component add rustfmt; fi
fi
if [ "${1:-}" = "--bench" ] && ! target/simpy-venv/bin/python -c 'import simpy' 2>/dev/null; then
  say "installing SimPy 4.1.1 into target/simpy-venv"
  if ! python3 -m venv target/simpy-venv 2>/dev/null; then apt_install python3-venv; python3 -m venv target/simpy-venv; fi
  target/simpy-venv/bin/pip install -q simpy==4.1.1
fi
say "ready"
