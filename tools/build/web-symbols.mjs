// tools/build/web-symbols.mjs: the kernel addresses the web page's memory panels
// read, written as JSON from the built ELF.
//
//   node tools/build/web-symbols.mjs build/kernel.elf build/gen/layout.json build/web/kernel-symbols.json
//
// The AssemblyScript globals are fields of the C struct `kernel_instance`
// (wasm2c makes each global a field; boot/entry.c defines the one instance).
// The struct's address comes from the ELF symbol table (tools/lib/elf.mjs);
// the offset of each field from the DWARF, through `gdb -batch ptype/o`.
// The kernel image is identity mapped, so each address is virtual and
// physical at once. A global the page needs that the build does not have
// stops this step with its name. The record layouts and constants
// (tools/build/layout.mjs) go in as they are, under "layout".

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { elfSymbols } from "../lib/elf.mjs";

/** The globals web/memory.mjs reads, by AssemblyScript path (file/name). */
const GLOBALS = [
  "kernel/mm/pages/directoryPhysical",
  "kernel/mm/regions/identityEnd",
  "kernel/mm/area/areaBase",
  "kernel/mm/area/areaTop",
  "kernel/mm/area/usedHead",
  "kernel/mm/area/lowest",
  "kernel/mm/area/usedAreas",
  "kernel/mm/area/usedPages",
  "kernel/mm/area/freeAreas",
  "kernel/mm/area/freePages",
  "kernel/mm/alloc/SLAB_CLASSES",
  "kernel/mm/area/RECORD_CACHE",
  "kernel/mm/frames/frameCount",
  "kernel/mm/frames/freeFrames",
];

/** Field name -> { offset, size } of Z_kernel_instance_t, from `ptype/o`. */
function instanceFields(elf) {
  const text = execFileSync("gdb", ["-batch", "-nx", "-ex", "ptype/o Z_kernel_instance_t", elf], { encoding: "utf8" });
  const fields = new Map();
  for (const m of text.matchAll(/^\/\*\s+(\d+)\s+\|\s+(\d+)\s+\*\/\s+[^;]*?\b(\w+);$/gm)) {
    fields.set(m[3], { offset: Number(m[1]), size: Number(m[2]) });
  }
  if (fields.size === 0) throw new Error(`${elf}: gdb found no fields of Z_kernel_instance_t (no DWARF?)`);
  return fields;
}

function main([elf, layoutFile, out]) {
  if (!elf || !layoutFile || !out) throw new Error("usage: node tools/build/web-symbols.mjs KERNEL.elf LAYOUT.json OUT.json");
  const instance = elfSymbols(elf).get("kernel_instance");
  if (!instance) throw new Error(`${elf}: no symbol kernel_instance`);
  const fields = instanceFields(elf);
  const globals = {};
  for (const name of GLOBALS) {
    const field = fields.get("w2c_" + name.replaceAll("/", "_"));
    if (!field) throw new Error(`${elf}: kernel_instance has no field for the global ${name}`);
    if (field.size !== 4 || field.offset + 4 > instance.size) throw new Error(`${elf}: field for ${name} is not a u32 inside kernel_instance`);
    globals[name] = instance.value + field.offset;
  }
  const layout = JSON.parse(readFileSync(layoutFile, "utf8"));
  const json = { kernel: "kernel.elf", instance: { address: instance.value, size: instance.size }, globals, layout };
  writeFileSync(out, JSON.stringify(json, null, 2) + "\n");
  console.log(`web-symbols: ${GLOBALS.length} globals of kernel_instance at 0x${instance.value.toString(16).padStart(8, "0")} -> ${out}`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(`web-symbols: ${error.message}`);
  process.exit(1);
}
