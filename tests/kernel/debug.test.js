// The DEBUG=1 kernel (build/debug/kernel.elf, `make DEBUG=1`; `make test`
// builds it): free blocks are poisoned and checked when handed out again.
// The allocator suite runs on it, and a write after free is caught.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { boot, explain, runSuite } from "./kernel.js";
import { parseReport } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

const DEBUG_KERNEL = "build/debug/kernel.elf";

function debugKernel() {
  assert.ok(existsSync(DEBUG_KERNEL), `${DEBUG_KERNEL} is missing: build it with make DEBUG=1 (make test does)`);
  return DEBUG_KERNEL;
}

test("DEBUG=1 kernel: in-kernel suite alloc, every block poisoned while free", async () => {
  const run = await runSuite("alloc", { kernel: debugKernel() });
  assert.ok(run.ok, explain(run));
});

test("DEBUG=1 kernel: in-kernel suite alloc-exhaust with -m 16M", async () => {
  const run = await runSuite("alloc-exhaust", { kernel: debugKernel(), qemuArgs: "-m 16M" });
  assert.ok(run.ok, explain(run));
});

test("DEBUG=1 kernel: misuse=write-after-free is caught when the block is handed out again", async () => {
  const run = await boot("misuse=write-after-free", { kernel: debugKernel() });
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(explain(run));
  assert.match(report.title, /^alloc: a free block was written after free at 0x[0-9a-f]{7}8$/);
});

test("the release kernel does not see a write after free (why the DEBUG=1 kernel is tested)", async () => {
  const run = await boot("misuse=write-after-free");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
});
