// bench/run.mjs: `make bench`. Boots the benchmark image (bench/kernel/main.ts,
// build/bench/kernel.elf) under `qemu-system-i386 -icount shift=0`, where the time-stamp counter
// advances by exactly one per guest instruction, so the counts are exact and
// the same on every run (it boots twice and checks). Prints the table, the
// ratios against the C peer and TLSF, the targets, the edit loop's build
// time (touch one kernel file, `make`, several times), the size of the
// kernel image users boot (build/kernel.elf) and the
// cost of booting to the allocators; writes build/bench.json. With --readme,
// also puts the table into bench/README.md. Says what it is doing on stderr
// as it goes.
//
//   node bench/run.mjs build/bench/kernel.elf [--readme]

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { bootKernel, STATUS_SUCCESS } from "../tools/run/qemu.mjs";
import { elfSections } from "../tools/lib/elf.mjs";

const kernel = process.argv[2] ?? "build/bench/kernel.elf";
// The edit loop rebuilds the kernel a developer boots, not the benchmark image.
const EDIT_KERNEL = "build/kernel.elf";
const updateReadme = process.argv.includes("--readme");
const SIZES = [16, 64, 512];
const TARGETS = {
  slabPair: 100, slabPairVsC: 1.05, mapUnmapVsC: 1, freeScaling: 1.05, slabPairVsTlsf: 1,
  areaScaling: 1.5, mixedVsTlsf: 1, editBuildSeconds: 10,
};
// The benchmark needs room: 10,000 one-page areas and a 4 MB trace.
const BENCH_MEMORY = "-m 128M";
const EDIT_RUNS = 3;
const EDIT_FILE = "kernel/mm/alloc.ts";
const say = (what) => process.stderr.write(`bench: ${what}\n`);

async function measure() {
  const run = await bootKernel({
    kernel,
    cmdline: "",
    qemuArgs: `-icount shift=0 ${BENCH_MEMORY} ${process.env.QEMU_ARGS ?? ""}`,
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

// The edit loop: touch one kernel source and rebuild, as a developer does,
// EDIT_RUNS times; wall-clock seconds of each `make`, which the machine's
// load moves (instruction counts are what repeat, not these).
// CPU seconds (user + system) of this process's waited-for children so far:
// /proc/self/stat fields 16 and 17 (cutime, cstime), in clock ticks.
function childCpuSeconds() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return (Number(fields[13]) + Number(fields[14])) / ticks;
  } catch {
    return NaN;
  }
}

function editBuildSeconds() {
  const runs = [];
  const cpuRuns = [];
  for (let i = 0; i < EDIT_RUNS; i++) {
    say(`edit loop ${i + 1} of ${EDIT_RUNS}: touch ${EDIT_FILE}, make`);
    const now = new Date();
    utimesSync(EDIT_FILE, now, now);
    const cpuBefore = childCpuSeconds();
    const start = process.hrtime.bigint();
    const result = spawnSync("make", ["--no-print-directory", "-s", EDIT_KERNEL], { encoding: "utf8" });
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
    cpuRuns.push(childCpuSeconds() - cpuBefore);
    if (result.status !== 0) throw new Error(`make after touching ${EDIT_FILE} failed:\n${result.stdout}${result.stderr}`);
  }
  return { runs, cpuRuns };
}

function imageSize() {
  const sum = (names) => elfSections(EDIT_KERNEL).filter((s) => names.includes(s.name)).reduce((n, s) => n + s.size, 0);
  return {
    text: sum([".text"]),
    rodata: sum([".rodata", ".ksyms"]),
    data: sum([".data"]),
    bss: sum([".bss"]),
  };
}

say("benchmark boot 1 of 2 (about 10 s)");
const first = await measure();
say("benchmark boot 2 of 2");
const second = await measure();
const repeatable = JSON.stringify(first) === JSON.stringify(second);
if (!repeatable) {
  console.error("bench: two runs gave different instruction counts:", JSON.stringify(first), JSON.stringify(second));
  process.exit(1);
}
const perOp = (name) => first[name].instructions / first[name].operations;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const { runs: editRuns, cpuRuns: editCpuRuns } = editBuildSeconds();
const editSeconds = median(editRuns);
const editCpuSeconds = median(editCpuRuns);
const load = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
const image = imageSize();
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
const date = new Date().toISOString().slice(0, 10);

const ratio = (a, b) => a / b;
const slabVsC = Math.max(...SIZES.map((s) => ratio(perOp(`slab_pair_${s}`), perOp(`c_slab_pair_${s}`))));
const slabVsTlsf = Math.max(...SIZES.map((s) => ratio(perOp(`slab_pair_${s}`), perOp(`tlsf_pair_${s}`))));
const mapVsC = ratio(perOp("map_unmap"), perOp("c_map_unmap"));
const freeScaling = ratio(perOp("free_live_100000"), perOp("free_live_10"));
const slabPair = Math.max(...SIZES.map((s) => perOp(`slab_pair_${s}`)));
const areaScaling1000 = ratio(perOp("area_list_1000"), perOp("area_list_10"));
const areaScaling10000 = ratio(perOp("area_list_10000"), perOp("area_list_10"));
const mixedVsTlsf = ratio(perOp("mixed"), perOp("tlsf_mixed"));
const mixedVsC = ratio(perOp("mixed"), perOp("c_mixed"));
const mixedPeakLive = first.mixed_peak_live.instructions; // a count, reported in the instructions field

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
row("areaAlloc(2)+areaFree, 1,000 areas on the free list", f1(perOp("area_list_1000")), "", "", `${f2(areaScaling1000)}x the 10-area case`);
row("areaAlloc(2)+areaFree, 10,000 areas on the free list", f1(perOp("area_list_10000")), "", "", `${f2(areaScaling10000)}x the 10-area case`);
row("zeroing one page (memory.fill), not done by areaAlloc", f1(perOp("area_zero_1")));
row("mixed trace, 1,000,000 ops, 8 B..16 KiB", f1(perOp("mixed")), f1(perOp("c_mixed")), f1(perOp("tlsf_mixed")),
  `${f2(mixedVsC)}x C, ${f2(mixedVsTlsf)}x TLSF; ${mixedPeakLive.toLocaleString("en-US")} live at peak`);
row("handled page fault (first touch of a lazy page)", f1(perOp("demand_fault")), "", "", "access to retry; zeroing the page is most of it");

const widths = [52, 9, 9, 9];
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : i < 4 ? c.padStart(widths[i]) : `  ${c}`)).join("").trimEnd();
// [what, value, limit, strictly below]
const targets = [
  ["slab alloc+free pair <= 100 instructions (worst size)", slabPair, TARGETS.slabPair],
  ["slab alloc+free pair <= 1.05x the C peer (worst size)", slabVsC, TARGETS.slabPairVsC],
  ["pageMap+pageUnmap <= the C peer", mapVsC, TARGETS.mapUnmapVsC],
  ["free with 100,000 live <= 1.05x free with 10", freeScaling, TARGETS.freeScaling],
  ["slab pair cheaper than TLSF (worst size)", slabVsTlsf, TARGETS.slabPairVsTlsf, true],
  ["areaAlloc(2)+areaFree, 1,000 holes <= 1.5x 10 holes", areaScaling1000, TARGETS.areaScaling],
  ["areaAlloc(2)+areaFree, 10,000 holes <= 1.5x 10 holes", areaScaling10000, TARGETS.areaScaling],
  ["mixed trace cheaper than TLSF", mixedVsTlsf, TARGETS.mixedVsTlsf, true],
  ["edit loop (touch a kernel file, make) <= 10 s (median)", editSeconds, TARGETS.editBuildSeconds],
];
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const text = [
  "guest instructions per operation (qemu-system-i386 -icount shift=0; two runs, identical counts)",
  "",
  line(["operation", "ours", "C peer", "TLSF", "notes"]),
  ...rows.map(line),
  "",
  "targets:",
  ...targets.map(([what, value, limit, below]) => `  ${what.padEnd(56)} ${f3(value).padStart(8)}  ${(below ? value < limit : value <= limit) ? "met" : "MISSED"}`),
  "",
  `boot to the end of allocator start-up: ${first.boot_to_allocators.instructions.toLocaleString("en-US")} guest instructions (from _start; the boot report goes to VGA only, not waiting on the serial port)`,
  `kernel image: text ${kib(image.text)}, rodata ${kib(image.rodata)} (with the symbol table and the wasm data segments, copied at start-up into the AssemblyScript region), data ${kib(image.data)}, bss ${kib(image.bss)}`,
  `edit loop, touch ${EDIT_FILE} then make: ${editRuns.map((t) => t.toFixed(1)).join(", ")} s wall clock (median ${editSeconds.toFixed(1)} s, load average ${load} on ${availableParallelism()} cores); CPU ${editCpuRuns.map((t) => t.toFixed(1)).join(", ")} s`,
  `measured ${date}, commit ${commit}${dirty ? " (with uncommitted changes)" : ""}`,
].join("\n");
console.log(text);

const json = {
  date, commit, dirty, repeatable,
  slab_pair_ratio_c: slabVsC,
  map_unmap_ratio_c: mapVsC,
  free_scaling_ratio: freeScaling,
  slab_pair_vs_tlsf: slabVsTlsf,
  slab_pair_instructions: slabPair,
  area_scaling_ratio_1000: areaScaling1000,
  area_scaling_ratio_10000: areaScaling10000,
  mixed_vs_tlsf: mixedVsTlsf,
  mixed_vs_c: mixedVsC,
  mixed_peak_live: mixedPeakLive,
  edit_build_seconds: editSeconds,
  edit_build_seconds_runs: editRuns,
  edit_build_cpu_seconds: editCpuSeconds,
  edit_build_load_average: Number(load),
  image_bytes: image,
  boot_to_allocators_instructions: first.boot_to_allocators.instructions,
  instructions_per_operation: Object.fromEntries(Object.keys(first).filter((k) => k !== "boot_to_allocators" && k !== "mixed_peak_live").map((k) => [k, perOp(k)])),
};
writeFileSync("build/bench.json", JSON.stringify(json, null, 2) + "\n");
const missed = targets.filter(([, value, limit, below]) => !(below ? value < limit : value <= limit)).length;
console.log("wrote build/bench.json");

if (updateReadme) {
  const readme = readFileSync("bench/README.md", "utf8");
  const updated = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n\`\`\`\n${text}\n\`\`\`\n<!-- bench:end -->`);
  writeFileSync("bench/README.md", updated);
  console.log("updated bench/README.md");
}

// A missed target fails the run, after the figures are written.
if (missed > 0) {
  console.error(`bench: ${missed} target(s) missed (MISSED in the targets above)`);
  process.exit(1);
}
