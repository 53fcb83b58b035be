// `bench` on the command line: every benchmark runs and reports, and the
// kernel halts cleanly. Only that it works is checked here: the figures
// themselves are make bench's business, and tests never time anything.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain } from "./kernel.js";
import { STATUS_SUCCESS } from "../../tools/qemu.mjs";

const NAMES = [
  "boot_to_allocators",
  ...[16, 64, 512].flatMap((s) => [`slab_pair_${s}`, `c_slab_pair_${s}`, `tlsf_pair_${s}`]),
  "slab_grow_64", "area_pair_1", "area_pair_16", "map_unmap", "c_map_unmap",
  "free_live_10", "free_live_1000", "free_live_100000", "area_list_10", "area_list_1000",
  "mixed_peak_live", "mixed", "tlsf_mixed", "c_mixed",
  "demand_fault",
];

test("the benchmarks run in the kernel, report every figure, and the kernel halts cleanly", async () => {
  const run = await boot("bench");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  for (const name of NAMES) assert.match(run.serial, new RegExp(`^bench: ${name} [1-9]\\d* [1-9]\\d*$`, "m"), `${name} missing\n${explain(run)}`);
  assert.match(run.serial, /^bench: done$/m);
  // The boot report went to VGA only; the serial port came back for the results.
  assert.doesNotMatch(run.serial, /^memory map:$/m);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});
