#!/usr/bin/env bash
# Installs what is missing, builds the release app and serves it on http://127.0.0.1:8080, each
# file precompressed (zopfli's gzip, made by scripts/post-build.sh) to a browser that accepts it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
trunk build --release --offline
exec http-server dist -a 127.0.0.1 -p "${PORT:-8080}" -g -c-1
