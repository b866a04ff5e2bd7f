// Short names for what crosses between the wasm and its JS glue (release builds; called by
// scripts/post-build.sh after terser).
//
//   node scripts/short-names.mjs WASM JS
//
// wasm-bindgen names each import after its JS function and a 16-digit hash
// (`__wbg_set_innerHTML_a9d3a267967b5117`), and each closure's export after a hash too; the
// names stand once in the wasm and once in the glue, and hashes do not compress: 173 imports
// cost the page about 3.2 KB gzipped (2.2 KB of the glue, 1.0 KB of the wasm). Binaryen's
// `--minify-imports-and-exports-and-modules` pass (the one Emscripten uses) renames them to one
// or two letters and prints the mapping as JSON; this script applies the mapping to the glue:
// each import's key in the glue's imports object, each export read as a property (`X.name`),
// and the import module, `"./<crate>_bg.js"`, which the pass renames to "a".
//
// The glue is terser's output, so keys stand as `{name:` or `,name:`. If wasm-bindgen writes
// the glue another way, a name is not found and the build fails here (exit 1), rather than
// shipping a page whose imports do not link.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [wasm, js] = process.argv.slice(2);
const fail = (why) => { console.error(`short-names: ${why}`); process.exit(1); };
const out = execFileSync('node_modules/.bin/wasm-opt',
  [wasm, '--minify-imports-and-exports-and-modules', '-o', wasm], { encoding: 'utf8' });
const map = JSON.parse(out.slice(out.indexOf('{')));
const ident = (x) => /^[A-Za-z_$][\w$]*$/.test(x);
let glue = readFileSync(js, 'utf8');
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(', ')}`);
const module = [...modules][0];
const keyed = `${JSON.stringify(module)}:`;
if (!glue.includes(keyed)) fail(`the imports object's module ${module} is not in ${js}`);
glue = glue.replace(keyed, '"a":');
for (const [, name, short] of map.imports) {
  const before = glue;
  glue = glue.replace(new RegExp(`([{,])${name.replace(/\$/g, '\\$')}:`, 'g'),
    (_, p) => `${p}${ident(short) ? short : JSON.stringify(short)}:`);
  if (glue === before) fail(`import ${name} is not a key in ${js}`);
}
for (const [name, short] of map.exports) {
  glue = glue.replace(new RegExp(`\\.${name.replace(/\$/g, '\\$')}\\b`, 'g'),
    ident(short) ? `.${short}` : `[${JSON.stringify(short)}]`);
}
// (An import the glue defines but the wasm no longer takes, one whose caller wasm-opt removed,
// keeps its name: it is dead, and the imports object may hold more than the module asks for.)
// A closure's export read by its old name would be undefined at run time.
const left = glue.match(/closures_____invoke__h[0-9a-f]{16}/);
if (left) fail(`an export is still read by its old name in ${js}: ${left[0]}`);
writeFileSync(js, glue);
console.error(`short-names: ${map.imports.length} imports, ${map.exports.length} exports renamed`);
