// Every in-kernel suite at both ends of the RAM the kernel supports: the
// minimum (4 MiB) and the most QEMU gives a 32-bit guest without PAE
// (3.5 GiB). The suites size their workloads to the memory they find, so
// each must pass, with no FAIL line and no panic, at either end.

import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, runSuite } from "./kernel.js";

const SUITES = ["console", "cpu", "paging", "alloc", "alloc-exhaust", "demand"];

for (const memory of ["4M", "3584M"]) {
  for (const suite of SUITES) {
    test(`in-kernel suite: ${suite} with -m ${memory}`, async () => {
      const run = await runSuite(suite, { qemuArgs: `-m ${memory}` });
      assert.ok(run.ok, explain(run));
    });
  }
}
