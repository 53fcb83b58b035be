// tools/build/wasm2c-rewrite.mjs: rewrite wasm2c's output for the kernel.
//
// 1. Flat memory.
// The kernel's wasm memory starts at virtual address 0 (boot/wasm_runtime.c),
// so `mem->data + addr` is always just `addr`. Left as it is, clang must
// reload `instance->memory.data` before every load and store, because any
// store through linear memory might alias the instance struct. This rewrite
// makes the base the constant 0, which is what it is at run time, and drops
// the bulk-memory range checks (memory.fill/copy), which would otherwise
// refuse the top page of the address space where the page directory lives.
//
// Every load also ends in an empty asm statement that forces the loaded value
// into a register, which keeps x86 from updating memory in place
// (`incl 32(%edx)` becomes load, add, store). It exists so that a load
// guarded by a bounds check is not moved or merged; with no bounds checks it
// only costs, and it goes too.
//
// 2. Names. Functions listed in tools/build/noinline.mjs get
// __attribute__((noinline)), so clang keeps them as binaryen did.
//
// 3. One instance, one compilation. There is exactly one kernel instance,
// boot/entry.c's kernel_instance, so every `instance->field` becomes
// `kernel_instance.field`: globals are then plain addresses, and no
// function carries the instance pointer in one of i386's few registers. And
// boot/cpu.h is included, whose CPU primitives are inline bodies: the file
// compiles straight to a native object with them inlined, no link-time
// optimisation needed.
//
// Every memory rewrite must match exactly as often as expected: a new wasm2c
// whose output looks different stops the build instead of going through
// unchanged.
//
//   node tools/build/wasm2c-rewrite.mjs build/gen/kernel.c

import { readFileSync, writeFileSync } from "node:fs";
import { noinlineCNames } from "./noinline.mjs";

const FLAT = "(u8*)(uintptr_t)";
const rewrites = [
  {
    what: "bulk-memory range check",
    from: /#define RANGE_CHECK\(mem, offset, len\)\s*\\\n\s*if \(UNLIKELY\(offset \+ \(uint64_t\)len > mem->size\)\) \\\n\s*TRAP\(OOB\);/g,
    to: "#define RANGE_CHECK(mem, offset, len) /* flat kernel memory: no range */",
    count: 1,
  },
  { what: "load/store address", from: /&mem->data\[addr\]/g, to: `${FLAT}(addr)`, count: 2 },
  { what: "memory.fill address", from: /mem->data \+ d,/g, to: `${FLAT}d,`, count: 1 },
  { what: "load register barrier", from: /\n *wasm_asm\("" ::"r"\(result\)\);\s*\\/g, to: "", count: 2 },
  { what: "memory.copy addresses", from: /dest->data \+ dest_addr, src->data \+ src_addr, n\);/g, to: `${FLAT}dest_addr, ${FLAT}src_addr, n);`, count: 1 },
];

const file = process.argv[2];
let text = readFileSync(file, "utf8");
for (const { what, from, to, count } of rewrites) {
  const found = (text.match(from) || []).length;
  if (found !== count) {
    console.error(`${file}: expected ${count} ${what} pattern(s), found ${found}; wasm2c output changed`);
    process.exit(1);
  }
  text = text.replace(from, to);
}

const include = '#include "kernel.h"\n';
if (text.split(include).length !== 2) {
  console.error(`${file}: expected one ${include.trim()}; wasm2c output changed`);
  process.exit(1);
}
text = text.replace(include, `${include}#include "kernel_instance.h" /* the one instance */\n#include "cpu.h"             /* the CPU primitives, inline */\n`);
const instanceUses = (text.match(/\binstance->/g) || []).length;
if (instanceUses === 0) {
  console.error(`${file}: no instance->field access found; wasm2c output changed`);
  process.exit(1);
}
text = text.replace(/\binstance->/g, "kernel_instance.");
// The kernel's own functions then lose the instance parameter altogether
// (declarations, definitions, calls): it would only show in the debugger as
// `instance=<optimized out>`. What is left of it is an exported entry's
// argument, which the entry no longer reads.
const withoutInstance = [
  [/\b(w2c_\w+)\(Z_kernel_instance_t\*(?: instance)?, /g, "$1("],
  [/\b(w2c_\w+)\(Z_kernel_instance_t\*(?: instance)?\)/g, "$1(void)"],
  [/\b(w2c_\w+)\(instance, /g, "$1("],
  [/\b(w2c_\w+)\(instance\)/g, "$1()"],
];
for (const [from, to] of withoutInstance) {
  if (!from.test(text)) {
    console.error(`${file}: no ${from} in the kernel's functions; wasm2c output changed`);
    process.exit(1);
  }
  text = text.replace(from, to);
}

// The first declaration of each function is its forward declaration.
const keep = noinlineCNames();
const seen = new Set();
text = text.replace(/^static ([\w ]+?) (w2c_\w+)\(/gm, (line, type, name) => {
  if (!keep.test(name) || seen.has(name)) return line;
  seen.add(name);
  return `__attribute__((noinline)) static ${type} ${name}(`;
});
if (seen.size === 0) {
  console.error(`${file}: no function matches tools/build/noinline.mjs; were the kernel's names changed?`);
  process.exit(1);
}
// 4. One way to instantiate. Each kernel image imports its own set of
// modules ("cpu", "layout", "runtime", and "bench" in the benchmark image),
// and wasm2c's instantiate takes one instance pointer per module; none of
// them keeps state. kernel_instantiate passes NULL for each, so that
// boot/entry.c is the same for every image.
const instantiate = /^void Z_kernel_instantiate\(Z_kernel_instance_t\* instance((?:, struct Z_\w+_instance_t\* \w+)*)\) \{$/m.exec(text);
if (!instantiate) {
  console.error(`${file}: no definition of Z_kernel_instantiate; wasm2c output changed`);
  process.exit(1);
}
const imports = (instantiate[1].match(/struct /g) || []).length;
text += `\nvoid kernel_instantiate(void) {\n  Z_kernel_instantiate(&kernel_instance${", NULL".repeat(imports)});\n}\n`;
writeFileSync(file, `/* Generated by wasm2c, rewritten by tools/build/wasm2c-rewrite.mjs. Do not edit. */\n${text}`);
