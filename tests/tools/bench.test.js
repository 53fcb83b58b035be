// The benchmark image (bench/kernel/main.ts): every benchmark runs and
// reports, and it halts cleanly; the kernel users boot holds none of it.
// Only that it works is checked here: the figures themselves are make
// bench's business, and tests never time anything.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain, KERNEL } from "../kernel/kernel.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";
import { elfSymbols } from "../../tools/lib/elf.mjs";

const BENCH_KERNEL = "build/bench/kernel.elf";

const NAMES = [
  "boot_to_allocators",
  ...[16, 64, 512].flatMap((s) => [`slab_pair_${s}`, `c_slab_pair_${s}`, `tlsf_pair_${s}`]),
  "slab_grow_64", "area_pair_1", "area_pair_16", "map_unmap", "c_map_unmap",
  "free_live_10", "free_live_1000", "free_live_100000", "area_list_10", "area_list_1000",
  "mixed_peak_live", "mixed", "tlsf_mixed", "c_mixed",
  "demand_fault",
];

test("the benchmarks run in the kernel, report every figure, and the kernel halts cleanly", async () => {
  const run = await boot("", { kernel: BENCH_KERNEL });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  for (const name of NAMES) assert.match(run.serial, new RegExp(`^bench: ${name} [1-9]\\d* [1-9]\\d*$`, "m"), `${name} missing\n${explain(run)}`);
  assert.match(run.serial, /^bench: done$/m);
  // The boot report went to VGA only; the serial port came back for the results.
  assert.doesNotMatch(run.serial, /^memory map:$/m);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

test("the kernel users boot holds no benchmark: no bench code or peer symbol, and `bench` is not a word", async () => {
  const names = [...elfSymbols(KERNEL).keys()];
  assert.deepEqual(names.filter((n) => /bench|peer/i.test(n)), [], "bench symbols in the kernel image");
  assert.ok([...elfSymbols(BENCH_KERNEL).keys()].some((n) => /peerSlabPairs/.test(n)), "the benchmark image has the C peer");
  const run = await boot("bench");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^command line: bench is not a known word; /m, explain(run));
});
