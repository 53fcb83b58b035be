// The runner's own tests: kernels that misbehave must fail, whatever they print.

import { test } from "node:test";
import assert from "node:assert/strict";
import { judgeSuite, runSuite } from "../kernel/kernel.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

const fixture = (name) => ({ kernel: `build/fixtures/${name}.elf` });

test("a kernel that prints nothing fails, even with the success status", async () => {
  const run = await runSuite("console", fixture("silent"));
  assert.equal(run.status, STATUS_SUCCESS, "the fixture should exit with the success status");
  assert.equal(run.ok, false);
  assert.match(run.problems.join("\n"), /reported no test case/);
});

test("a kernel that hangs fails with a time-out", async () => {
  const run = await runSuite("console", { ...fixture("hang"), timeoutMs: 3000 });
  assert.equal(run.ok, false);
  assert.equal(run.timedOut, true);
  assert.match(run.problems.join("\n"), /hung/);
});

test("a kernel that resets fails", async () => {
  const run = await runSuite("console", fixture("reset"));
  assert.equal(run.ok, false);
  assert.equal(run.status, 0);
  assert.match(run.problems.join("\n"), /reset/);
});

test("a kernel that traps instead of finishing its suite fails", async () => {
  const run = await runSuite("console", { cmdline: "trap=unreachable" });
  assert.equal(run.ok, false);
  assert.equal(run.status, STATUS_FAILURE);
  assert.match(run.serial, /KERNEL TRAP: wasm trap: unreachable/);
});

test("one FAIL line fails a suite that exits with success", () => {
  const serial = "suite s: start\nok   s: one\nFAIL s: two: expected 1\nsuite s: 1 passed, 1 failed\n";
  const run = judgeSuite("s", { serial, status: STATUS_SUCCESS, timedOut: false });
  assert.equal(run.ok, false);
  assert.deepEqual(run.problems, ["FAIL two: expected 1"]);
});

test("a summary that disagrees with the case lines fails", () => {
  const serial = "ok   s: one\nsuite s: 2 passed, 0 failed\n";
  const run = judgeSuite("s", { serial, status: STATUS_SUCCESS, timedOut: false });
  assert.equal(run.ok, false);
  assert.match(run.problems.join("\n"), /summary says 2 passed/);
});

test("a clean suite passes", () => {
  const serial = "ok   s: one\nok   s: two\nsuite s: 2 passed, 0 failed\n";
  const run = judgeSuite("s", { serial, status: STATUS_SUCCESS, timedOut: false });
  assert.deepEqual(run.problems, []);
  assert.equal(run.ok, true);
});
