// tools/check/wasm2c.mjs: prove, in the preprocessed generated C, that the
// kernel's memory accesses are plain: no bounds check, no reload of the
// memory base, and no call-depth counter anywhere.
//
//   node tools/check/wasm2c.mjs build/gen/kernel.i
//
// wasm2c defines one static inline accessor per access width (i32_load,
// i64_store8, ...) plus memory_fill/memory_copy; every load and store in the
// kernel goes through one of them, so checking their bodies checks them all.

import { readFileSync } from "node:fs";

const file = process.argv[2];
const text = readFileSync(file, "utf8");
const problems = [];

if (text.includes("wasm_rt_call_stack_depth")) problems.push("a call-depth counter is compiled in");

const accessor = /static inline \w+ ((?:i32|i64|f32|f64)_(?:load|store)\w*|memory_fill|memory_copy)\s*\(/g;
let count = 0;
for (const match of text.matchAll(accessor)) {
  const body = functionBody(text, match.index + match[0].length);
  count++;
  if (body.includes("wasm_rt_trap")) problems.push(`${match[1]} can trap (a bounds check)`);
  if (body.includes("->data")) problems.push(`${match[1]} reads the memory base`);
}
if (count < 20) problems.push(`only ${count} memory accessors found; wasm2c output changed`);

if (problems.length) {
  for (const p of problems) console.error(`${file}: ${p}`);
  process.exit(1);
}
console.log(`check-wasm2c: ${count} memory accessors, none bounds-checked or base-relative; no call-depth counter`);

// The text between the braces of the function whose parameter list starts at `from`.
function functionBody(source, from) {
  const open = source.indexOf("{", from);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "{") depth++;
    else if (source[i] === "}" && --depth === 0) return source.slice(open, i + 1);
  }
  throw new Error(`${file}: unbalanced braces after offset ${from}`);
}
