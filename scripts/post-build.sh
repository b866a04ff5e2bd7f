#!/bin/sh
# Trunk post_build hook (Trunk.toml), release builds only:
# 1. terser minifies wasm-bindgen's JS glue. Trunk's own JS minifier (minify-js) cannot parse
#    the glue's `export default`, so it leaves it as is; terser takes it from 46.8 KB to 21 KB
#    (8.1 → 6.1 KB gzipped). Property names are not mangled, so the wasm's imports still find
#    their functions.
# 2. Every file the page loads gets a precompressed `.gz` sibling made by zopfli (gzip format,
#    about 5 % smaller than `gzip -9`; the wasm's is the smallest of three iteration counts), which the server sends as is to a browser that accepts
#    gzip (`http-server -g`, scripts/serve.sh and the e2e suite). scripts/test.sh measures
#    these files against the 500 KB ceiling: they are the bytes the page loads.
# 3. The lessons' and presets' data files are served minified (the repository keeps them
#    pretty for review): about 9 % fewer gzipped bytes. A file with an integer of 16 digits or
#    more is left as it is (JavaScript's numbers would round it).
# 4. wasm-streams' three JS classes (IntoUnderlyingSource, IntoUnderlyingByteSource,
#    IntoUnderlyingSink) go from the glue: Leptos's server functions bring the crate in (its
#    `browser` feature is always on), and a page without server functions never makes one.
#    Their wasm exports go in wasm-opt (index.html: `--remove-exports`); together about
#    800 B gzipped. The build fails if the glue no longer has them in the form removed here.
# 5. The imports and exports between the wasm and the glue get one- or two-letter names in
#    place of wasm-bindgen's hashed ones (scripts/short-names.mjs: Binaryen's pass and its
#    mapping applied to the glue): about 3.2 KB gzipped.
set -eu
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
node -e '
const fs = require("fs");
for (const f of process.argv.slice(1)) {
  let js = fs.readFileSync(f, "utf8");
  const before = js.length;
  js = js.replace(/^export class IntoUnderlying\w+ \{[\s\S]*?^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[Symbol\.dispose\] = IntoUnderlying\w+\.prototype\.free;\n/gm, "")
         .replace(/^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm, "");
  if (js.length === before || /intounderlying/i.test(js)) {
    console.error(f + ": wasm-streams classes not found in the expected form");
    process.exit(1);
  }
  fs.writeFileSync(f, js);
}' "$TRUNK_STAGING_DIR"/*.js
for f in "$TRUNK_STAGING_DIR"/*.js; do
  node_modules/.bin/terser "$f" --module --compress --mangle --output "$f"
done
set -- "$TRUNK_STAGING_DIR"/*.wasm "$TRUNK_STAGING_DIR"/*.js
[ $# -eq 2 ] || { echo "post-build: expected one wasm and one JS glue, found: $*" >&2; exit 1; }
node scripts/short-names.mjs "$1" "$2"
node -e '
const fs = require("fs");
for (const f of process.argv.slice(1)) {
  const text = fs.readFileSync(f, "utf8");
  if (!/[0-9]{16}/.test(text)) fs.writeFileSync(f, JSON.stringify(JSON.parse(text)));
}' "$TRUNK_STAGING_DIR"/lessons/*.json "$TRUNK_STAGING_DIR"/presets/*.json
for f in "$TRUNK_STAGING_DIR"/*.js "$TRUNK_STAGING_DIR"/*.css \
         "$TRUNK_STAGING_DIR"/index.html "$TRUNK_STAGING_DIR"/lessons/*.json \
         "$TRUNK_STAGING_DIR"/presets/*.json; do
  [ -f "$f" ] && zopfli --gzip "$f"
done
# The wasm: the smallest of zopfli at 15 (its default), 30 and 45 iterations. More iterations
# are not always smaller (a search, not a bound): on the page of 2026-12-03, 15 gave 484,024 B,
# 30 gave 483,794 B, 40 483,808 B and 100 483,951 B. About 25 s more per release build.
for f in "$TRUNK_STAGING_DIR"/*.wasm; do
  for i in 15 30 45; do
    zopfli --gzip --i$i -c "$f" > "$f.gz.$i"
    if [ ! -f "$f.gz" ] || [ "$(wc -c < "$f.gz.$i")" -lt "$(wc -c < "$f.gz")" ]; then
      mv "$f.gz.$i" "$f.gz"
    else
      rm "$f.gz.$i"
    fi
  done
done
