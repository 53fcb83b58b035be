// tools/build/symbols.mjs: the kernel's own symbol table, so that reports and
// backtraces name functions as they are named in the sources.
//
//   node tools/build/symbols.mjs --empty OUT.asm
//   node tools/build/symbols.mjs KERNEL.pass1.elf KERNEL.wasm OUT.asm [ALIASES.ld]
//   node tools/build/symbols.mjs --verify KERNEL.pass1.elf KERNEL.elf
//
// The kernel is linked twice. Pass 1 carries an empty table; this tool reads
// its code symbols and writes them, sorted, as a NASM data section (.ksyms)
// that pass 2 links in. linker/kernel.ld puts .ksyms after .text and .rodata,
// so the table's size cannot move any code; --verify proves it did not.
//
// Names are translated back to the AssemblyScript source. asc --debug names
// each wasm function by its path (kernel/mm/slab/alloc); wasm2c turns every
// character outside [A-Za-z0-9_] into '_' and prefixes w2c_
// (w2c_kernel_mm_slab_alloc). The table holds "kernel/mm/slab.ts alloc".
// Imports defined in C read as "boot/cpu.c readCr2"; wasm2c's export thunks
// as "export kmain"; other C and assembly symbols keep their names.
//
// Layout read by kernel/core/symbols.ts:
//   +0  count u32
//   +4  count entries of { start u32, end u32, name u32 (NUL-terminated) }
//
// Beside it, the line table (kernel_lines), from pass 1's DWARF line rows
// for the sources (kernel/**/*.ts, boot/*.c, boot/*.asm; not the generated
// C, nor boot/cpu.h's inlined primitives, which count as the line that used
// them): one entry where the (file, line) changes, sorted by address; an
// address's line is the last entry at or below it, line 0 meaning none.
//   +0  count u32
//   +4  files u32: an array of name u32 (NUL-terminated paths)
//   +8  count entries of { start u32, line u16, file u16 }
//
// Most functions with a unique short name are called by it in the C already
// (alloc; tools/lib/short-names.mjs). ALIASES.ld, a linker script for pass 2,
// names each other out-of-line function of such a name also by it (those
// whose name a C identifier of the generated file takes), so that GDB's
// `break NAME` finds it.

import { writeFileSync } from "node:fs";
import { elfSymbols, STT_FUNC, STT_NOTYPE } from "../lib/elf.mjs";
import { wasmFunctionNames } from "../lib/wasm.mjs";
import { dwarfLines } from "../lib/dwarf-lines.mjs";
import { cName, uniqueShortNames } from "../lib/short-names.mjs";

/** The header of CPU primitives the generated C inlines. */
const INLINE_PRIMITIVES = "boot/cpu.h";

const args = process.argv.slice(2);
if (args[0] === "--empty") {
  writeTable(args[1], []);
} else if (args[0] === "--verify") {
  verify(args[1], args[2]);
} else {
  const [elfPath, wasmPath, outPath, aliasesPath] = args;
  writeTable(outPath, codeSymbols(elfPath, sourceNames(wasmPath)), lineTable(elfPath));
  if (aliasesPath) writeAliases(aliasesPath, elfPath, wasmPath);
}

/** Map from wasm2c's C name to "file.ts function". */
function sourceNames(wasmPath) {
  const byMangled = new Map();
  const wasmNames = wasmFunctionNames(wasmPath);
  for (const name of wasmNames) {
    const mangled = cName(name);
    // Two names that mangle alike cannot be told apart: keep the C name.
    byMangled.set(mangled, byMangled.has(mangled) ? null : prettyName(name));
  }
  // A function the generated C calls by its unique TypeScript name (alloc):
  // lines.mjs gives that name only where no C or assembly of the image uses
  // it, so a symbol of that name is the function.
  for (const [mangled, short] of uniqueShortNames(wasmNames)) byMangled.set(short, byMangled.get(mangled));
  return byMangled;
}

function prettyName(wasmName) {
  const slash = wasmName.lastIndexOf("/");
  return slash < 0 ? wasmName : `${wasmName.slice(0, slash)}.ts ${wasmName.slice(slash + 1)}`;
}

function sourceName(cName, byMangled) {
  if (byMangled.get(cName)) return byMangled.get(cName);
  const imported = /^Z_(cpu|layout)Z_(\w+)$/.exec(cName);
  if (imported) return `boot/${imported[1]}.c ${imported[2]}`;
  const exported = /^Z_kernelZ_(\w+)$/.exec(cName);
  if (exported) return `export ${exported[1]}`;
  return cName;
}

/** Sorted [{ start, end, name }] for every function and code label. */
function codeSymbols(elfPath, byMangled) {
  const byAddress = new Map();
  for (const [cName, s] of elfSymbols(elfPath)) {
    // NASM local labels (_start.stop) would hide the function they are in.
    if (!s.code || (s.type !== STT_FUNC && s.type !== STT_NOTYPE) || cName.includes(".")) continue;
    const known = byAddress.get(s.value);
    // At one address, a sized function beats a bare label.
    if (known && (known.size > 0 || s.size === 0)) continue;
    byAddress.set(s.value, { start: s.value, size: s.size, name: sourceName(cName, byMangled) });
  }
  const sorted = [...byAddress.values()].sort((a, b) => a.start - b.start);
  return sorted.map((s, i) => ({
    start: s.start,
    end: s.size > 0 ? s.start + s.size : (sorted[i + 1]?.start ?? s.start + 1),
    name: s.name,
  }));
}

/** { files: [path], rows: [{ start, line, file }] }: pass 1's line rows for the kernel's sources. */
function lineTable(elfPath) {
  const files = [];
  const fileIndex = new Map();
  const rows = [];
  let previous = null;
  for (const { address, file, line } of dwarfLines(elfPath)) {
    // The CPU primitives inlined from boot/cpu.h (int3, outb, invlpg, ...)
    // keep the line of the TypeScript that used them.
    if (file === INLINE_PRIMITIVES) continue;
    const source = line !== 0 && /^(kernel|bench|boot|node_modules)\/.*\.(ts|c|h|asm)$/.test(file);
    if (source && !fileIndex.has(file)) fileIndex.set(file, files.push(file) - 1);
    const row = { start: address, line: source ? line : 0, file: source ? fileIndex.get(file) : 0 };
    if (previous && previous.start === row.start) rows.pop();
    else if (previous && previous.line === row.line && previous.file === row.file) continue;
    rows.push(row);
    previous = row;
  }
  return { files, rows };
}

function writeAliases(outPath, elfPath, wasmPath) {
  const symbols = elfSymbols(elfPath);
  const count = new Map();
  const targets = new Map();
  const shortNames = new Set(uniqueShortNames(wasmFunctionNames(wasmPath)).values());
  for (const wasmName of wasmFunctionNames(wasmPath)) {
    const short = wasmName.slice(wasmName.lastIndexOf("/") + 1);
    if (!shortNames.has(short)) continue;
    count.set(short, (count.get(short) ?? 0) + 1);
    const c = cName(wasmName);
    if (symbols.get(c)?.code) targets.set(short, symbols.get(c).value);
  }
  const lines = ["/* Generated by tools/build/symbols.mjs: TypeScript function names for GDB. Do not edit. */"];
  for (const [short, address] of [...targets].sort()) {
    if (count.get(short) !== 1 || symbols.has(short)) continue;
    lines.push(`${short} = ADDR(.text) + (0x${address.toString(16)} - ADDR(.text));`);
  }
  writeFileSync(outPath, lines.join("\n") + "\n");
}

function writeTable(outPath, symbols, table = { files: [], rows: [] }) {
  const hex = (v) => "0x" + v.toString(16).padStart(8, "0");
  const lines = [
    "; Generated by tools/build/symbols.mjs. Do not edit.",
    "section .ksyms",
    "global kernel_symbols",
    "align 4",
    "kernel_symbols:",
    `    dd ${symbols.length}`,
    ...symbols.map((s, i) => `    dd ${hex(s.start)}, ${hex(s.end)}, kernel_symbols.n${i}`),
    ...symbols.map((s, i) => `.n${i}: db ${JSON.stringify(s.name)}, 0`),
    "global kernel_lines",
    "align 4",
    "kernel_lines:",
    `    dd ${table.rows.length}, kernel_lines.files`,
    ...table.rows.map((r) => `    dd ${hex(r.start)}\n    dw ${r.line}, ${r.file}`),
    ".files:",
    ...table.files.map((f, i) => `    dd kernel_lines.f${i}`),
    ...table.files.map((f, i) => `.f${i}: db ${JSON.stringify(f)}, 0`),
  ];
  writeFileSync(outPath, lines.join("\n") + "\n");
}

function verify(pass1Path, finalPath) {
  const before = elfSymbols(pass1Path);
  const after = elfSymbols(finalPath);
  const moved = [...before].filter(([name, s]) => s.code && after.get(name)?.value !== s.value).map(([name]) => name);
  if (moved.length) {
    console.error(`symbols: code moved between link passes: ${moved.slice(0, 5).join(", ")}`);
    process.exit(1);
  }
  console.log(`symbols: ${[...after.values()].filter((s) => s.code).length} code symbols, none moved by the symbol table`);
}
