// tools/check/layout.mjs: after linking, prove the memory layout holds.
//
//   node tools/check/layout.mjs build/kernel.elf build/kernel.wasm asconfig.json
//
// - asconfig.json's memoryBase is where linker/kernel.ld reserved the
//   AssemblyScript region (__as_region_start);
// - every wasm data segment lies inside [__as_region_start, __as_region_end),
//   so none overlaps the kernel image or runs past the region;
// - the kernel image ends before the region starts.

import { readFileSync } from "node:fs";
import { elfSymbols } from "../lib/elf.mjs";
import { wasmMemoryLayout } from "../lib/wasm.mjs";

const [elfPath, wasmPath, asconfigPath] = process.argv.slice(2);
const symbols = elfSymbols(elfPath);
const symbol = (name) => {
  const s = symbols.get(name);
  if (!s) fail(`${elfPath} has no symbol ${name} (linker/kernel.ld defines it)`);
  return s.value;
};
const hex = (v) => "0x" + v.toString(16).padStart(8, "0");
const problems = [];
function fail(message) {
  console.error(`check-layout: ${message}`);
  process.exit(1);
}

const kernelStart = symbol("__kernel_start");
const imageEnd = symbol("__kernel_image_end");
const regionStart = symbol("__as_region_start");
const regionEnd = symbol("__as_region_end");
const memoryBase = JSON.parse(readFileSync(asconfigPath, "utf8")).targets.kernel.memoryBase;

if (memoryBase !== regionStart) {
  problems.push(`asconfig.json memoryBase ${memoryBase} (${hex(memoryBase)}) is not the reserved region's start ${hex(regionStart)}`);
}
if (imageEnd > regionStart) problems.push(`kernel image ends at ${hex(imageEnd)}, inside the region at ${hex(regionStart)}`);
if (regionEnd % 65536) problems.push(`region end ${hex(regionEnd)} is not a multiple of the 64 KiB wasm page`);

const { initialPages, segments } = wasmMemoryLayout(wasmPath);
let dataEnd = regionStart;
for (const { offset, size } of segments) {
  const end = offset + size;
  if (offset < regionStart || end > regionEnd) {
    const where = end > kernelStart && offset < imageEnd ? "overlaps the kernel image" : "is outside the region";
    problems.push(`data segment ${hex(offset)}-${hex(end)} ${where} (${hex(regionStart)}-${hex(regionEnd)})`);
  }
  dataEnd = Math.max(dataEnd, end);
}
if (initialPages * 65536 > regionEnd) {
  problems.push(`the module asks for ${initialPages} pages of memory, past the region end ${hex(regionEnd)}`);
}

if (problems.length) fail(problems.join("\ncheck-layout: "));
const kib = (n) => `${Math.round(n / 1024)} KiB`;
console.log(
  `check-layout: image ${hex(kernelStart)}-${hex(imageEnd)} (${kib(imageEnd - kernelStart)}), ` +
    `${segments.length} data segments ${hex(regionStart)}-${hex(dataEnd)} in region ${hex(regionStart)}-${hex(regionEnd)}: ok`,
);
