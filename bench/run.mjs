// bench/run.mjs: `make bench`. Boots the kernel with `bench` on its command
// line under `qemu-system-i386 -icount shift=0`, where the time-stamp counter
// advances by exactly one per guest instruction, so the counts are exact and
// the same on every run (it boots twice and checks). Prints the table, the
// ratios against the C peer and TLSF, the targets, the build time from clean,
// the image size and the cost of booting to the allocators; writes
// build/bench.json. With --readme, also puts the table into bench/README.md.
//
//   node bench/run.mjs build/kernel.elf [--readme]

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { bootKernel, STATUS_SUCCESS } from "../tools/qemu.mjs";
import { elfSections } from "../tools/lib/elf.mjs";

const kernel = process.argv[2] ?? "build/kernel.elf";
const updateReadme = process.argv.includes("--readme");
const SIZES = [16, 64, 512];
const TARGETS = { slabPairVsC: 1.15, mapUnmapVsC: 1.2, freeScaling: 1.05, slabPairVsTlsf: 1 };

async function measure() {
  const run = await bootKernel({
    kernel,
    cmdline: "bench",
    qemuArgs: `-icount shift=0 ${process.env.QEMU_ARGS ?? ""}`,
    timeoutMs: 240_000,
  });
  if (run.status !== STATUS_SUCCESS || !run.serial.includes("bench: done")) {
    console.error(run.serial + run.stderr);
    throw new Error(`the benchmark boot did not finish cleanly (status ${run.status}, timed out: ${run.timedOut})`);
  }
  const counts = {};
  for (const [, name, instructions, operations] of run.serial.matchAll(/^bench: (\w+) (\d+) (\d+)$/gm)) {
    counts[name] = { instructions: Number(instructions), operations: Number(operations) };
  }
  return counts;
}

function cleanBuildSeconds() {
  const dir = "build/bench-clean";
  rmSync(dir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync("make", ["--no-print-directory", "-s", `BUILD=${dir}`, `${dir}/kernel.elf`], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`clean build failed:\n${result.stdout}${result.stderr}`);
  return seconds;
}

function imageSize() {
  const sum = (names) => elfSections(kernel).filter((s) => names.includes(s.name)).reduce((n, s) => n + s.size, 0);
  return {
    text: sum([".text"]),
    rodata: sum([".rodata", ".ksyms"]),
    data: sum([".data"]),
    bss: sum([".bss"]),
  };
}

const first = await measure();
const second = await measure();
const repeatable = JSON.stringify(first) === JSON.stringify(second);
if (!repeatable) {
  console.error("bench: two runs gave different instruction counts:", JSON.stringify(first), JSON.stringify(second));
  process.exit(1);
}
const perOp = (name) => first[name].instructions / first[name].operations;
const buildSeconds = cleanBuildSeconds();
const image = imageSize();
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
const date = new Date().toISOString().slice(0, 10);

const ratio = (a, b) => a / b;
const slabVsC = Math.max(...SIZES.map((s) => ratio(perOp(`slab_pair_${s}`), perOp(`c_slab_pair_${s}`))));
const slabVsTlsf = Math.max(...SIZES.map((s) => ratio(perOp(`slab_pair_${s}`), perOp(`tlsf_pair_${s}`))));
const mapVsC = ratio(perOp("map_unmap"), perOp("c_map_unmap"));
const freeScaling = ratio(perOp("free_live_100000"), perOp("free_live_10"));

const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const f3 = (n) => n.toFixed(3);
const rows = [];
const row = (what, ours, c = "", tlsf = "", notes = "") => rows.push([what, ours, c, tlsf, notes]);
for (const s of SIZES) {
  const o = perOp(`slab_pair_${s}`);
  row(`slab alloc+free pair, ${s} B (steady)`, f1(o), f1(perOp(`c_slab_pair_${s}`)), f1(perOp(`tlsf_pair_${s}`)),
    `${f2(ratio(o, perOp(`c_slab_pair_${s}`)))}x C, ${f2(ratio(o, perOp(`tlsf_pair_${s}`)))}x TLSF`);
}
row("alloc of fresh 64 B objects, slabs growing", f1(perOp("slab_grow_64")), "", "", "amortised over 20,000");
row("areaAlloc+areaFree, 1 page", f1(perOp("area_pair_1")));
row("areaAlloc+areaFree, 16 pages", f1(perOp("area_pair_16")));
row("pageMap+pageUnmap, one page", f1(perOp("map_unmap")), f1(perOp("c_map_unmap")), "", `${f2(mapVsC)}x C`);
row("free, 10 live objects", f1(perOp("free_live_10")));
row("free, 1,000 live objects", f1(perOp("free_live_1000")));
row("free, 100,000 live objects", f1(perOp("free_live_100000")), "", "", `${f3(freeScaling)}x the 10-object case`);
row("areaAlloc(2)+areaFree, 10 areas on the free list", f1(perOp("area_list_10")));
row("areaAlloc(2)+areaFree, 1,000 areas on the free list", f1(perOp("area_list_1000")), "", "", "first fit walks the list");
row("handled page fault (first touch of a lazy page)", f1(perOp("demand_fault")), "", "", "access to retry, page zeroed");
row("...of which zeroing the page (memory.fill, 4 KiB)", f1(perOp("zero_page")));

const widths = [52, 9, 9, 9];
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : i < 4 ? c.padStart(widths[i]) : `  ${c}`)).join("").trimEnd();
const targets = [
  ["slab alloc+free pair <= 1.15x the C peer (worst size)", slabVsC, TARGETS.slabPairVsC],
  ["pageMap+pageUnmap <= 1.2x the C peer", mapVsC, TARGETS.mapUnmapVsC],
  ["free with 100,000 live <= 1.05x free with 10", freeScaling, TARGETS.freeScaling],
  ["slab pair cheaper than TLSF (worst size)", slabVsTlsf, TARGETS.slabPairVsTlsf],
];
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const text = [
  "guest instructions per operation (qemu-system-i386 -icount shift=0; two runs, identical counts)",
  "",
  line(["operation", "ours", "C peer", "TLSF", "notes"]),
  ...rows.map(line),
  "",
  "targets:",
  ...targets.map(([what, value, limit]) => `  ${what.padEnd(56)} ${f3(value).padStart(6)}  ${value <= limit && (limit !== 1 || value < 1) ? "met" : "MISSED"}`),
  "",
  `boot to the end of allocator start-up: ${first.boot_to_allocators.instructions.toLocaleString("en-US")} guest instructions (from _start; the boot report goes to VGA only, not waiting on the serial port)`,
  `kernel image: text ${kib(image.text)}, rodata ${kib(image.rodata)} (with the symbol table and the wasm data segments, copied at start-up into the AssemblyScript region), data ${kib(image.data)}, bss ${kib(image.bss)}`,
  `build from clean, dependencies installed: ${buildSeconds.toFixed(1)} s`,
  `measured ${date}, commit ${commit}${dirty ? " (with uncommitted changes)" : ""}`,
].join("\n");
console.log(text);

const json = {
  date, commit, dirty, repeatable,
  slab_pair_ratio_c: slabVsC,
  map_unmap_ratio_c: mapVsC,
  free_scaling_ratio: freeScaling,
  slab_pair_vs_tlsf: slabVsTlsf,
  build_seconds: buildSeconds,
  image_bytes: image,
  boot_to_allocators_instructions: first.boot_to_allocators.instructions,
  instructions_per_operation: Object.fromEntries(Object.keys(first).filter((k) => k !== "boot_to_allocators").map((k) => [k, perOp(k)])),
};
writeFileSync("build/bench.json", JSON.stringify(json, null, 2) + "\n");
console.log("wrote build/bench.json");

if (updateReadme) {
  const readme = readFileSync("bench/README.md", "utf8");
  const updated = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n\`\`\`\n${text}\n\`\`\`\n<!-- bench:end -->`);
  writeFileSync("bench/README.md", updated);
  console.log("updated bench/README.md");
}
