// tools/lib/short-names.mjs: the TypeScript names the kernel's C functions take.
//
// wasm2c names a function by its wasm name, which asc makes the source path:
// kernel/mm/alloc/alloc becomes w2c_kernel_mm_alloc_alloc. A kernel or bench
// function whose short name (alloc) no other function has is called by that
// name in the generated C instead (tools/build/lines.mjs renames it, when
// the name is free there), so that its symbol and its DWARF name are the
// TypeScript one; tools/build/symbols.mjs maps it back to its file.

import { readFileSync } from "node:fs";

/**
 * Map from wasm2c's C name to the unique short name, for the functions that
 * have one. A name that is also a variable's or a parameter's somewhere in
 * the sources is not given: in a function whose variable of that name the
 * optimiser removed, GDB's `print NAME` would find the other module's
 * function instead of saying there is no such variable.
 */
export function uniqueShortNames(wasmNames) {
  const byShort = new Map();
  const files = new Set();
  for (const wasmName of wasmNames) {
    if (!/^(kernel|bench)\//.test(wasmName)) continue;
    files.add(wasmName.slice(0, wasmName.lastIndexOf("/")) + ".ts");
    const short = wasmName.slice(wasmName.lastIndexOf("/") + 1);
    if (!/^[A-Za-z_]\w*$/.test(short)) continue;
    byShort.set(short, byShort.has(short) ? null : cName(wasmName));
  }
  const variables = variableNames([...files]);
  const names = new Map();
  for (const [short, c] of byShort) if (c && !variables.has(short)) names.set(c, short);
  return names;
}

/** The names declared as variables (let, const, var) or given a type (parameters, fields) in `files`. */
function variableNames(files) {
  const names = new Set();
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (error.code === "ENOENT") continue; // a name asc made up: not a file of ours
      throw error;
    }
    text = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g, '""');
    for (const [, name] of text.matchAll(/\b(?:let|const|var)\s+([A-Za-z_]\w*)/g)) names.add(name);
    for (const [, name] of text.matchAll(/\b([A-Za-z_]\w*)\s*\??:\s*[A-Za-z_~(]/g)) names.add(name);
  }
  return names;
}

/** wasm2c's C name of a wasm function. */
export function cName(wasmName) {
  return "w2c_" + wasmName.replace(/[^A-Za-z0-9_]/g, "_");
}
