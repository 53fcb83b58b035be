// `make run` (tools/run/run.mjs) as a script sees it: standard input is not a
// terminal, so a kernel that never ends is stopped after RUN_TIMEOUT, and a
// RAM size QEMU cannot even load the kernel into is refused up front.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";

/** Runs tools/run/run.mjs with stdin from /dev/null; resolves to { status, stdout, stderr, ms }. */
function run(kernel, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn("node", ["tools/run/run.mjs", kernel], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so the guard below also ends its QEMU
      env: { ...process.env, CMDLINE: "", QEMU_ARGS: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const guard = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 30_000);
    child.on("close", (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

test("make run without a terminal stops a kernel that never ends, and fails saying so", async () => {
  const r = await run("build/fixtures/hang.elf", { RUN_TIMEOUT: "2" });
  assert.notEqual(r.status, 0, `run.mjs returned 0:\n${r.stderr}`);
  assert.match(r.stderr, /run: no end after 2 s and no terminal to wait for: stopped the machine/);
  assert.ok(r.ms < 25_000, `stopped only after ${r.ms} ms`);
});

test("make run without a terminal still reports a kernel that ends before the limit", async () => {
  const r = await run("build/kernel.elf", { RUN_TIMEOUT: "30" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /run: kernel halted cleanly \(QEMU status 33\)/);
  assert.doesNotMatch(r.stderr, /no end after/);
});

test("make run refuses a RAM size QEMU cannot load the kernel into", async () => {
  const r = await run("build/kernel.elf", { QEMU_ARGS: "-m 1M" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /run: -m 1M: the kernel needs at least 4 MiB of RAM/);
});

test("make run hands the kernel the command line byte for byte, bytes that are not UTF-8 too", async () => {
  // The shell sets CMDLINE to the bytes 0xff 0xfe (no UTF-8 decoding on the way in).
  const { stdout, stderr } = await new Promise((resolve) => {
    execFile("sh", ["-c", `CMDLINE="$(printf 'fault=\\377\\376')" RUN_TIMEOUT=30 exec node tools/run/run.mjs build/kernel.elf </dev/null`], { encoding: "latin1" },
      (error, stdout, stderr) => resolve({ stdout, stderr }));
  });
  assert.match(stdout, /^fault=\\xff\\xfe is not understood; known: /m, stdout + stderr);
  assert.match(stdout, /^command line: +\S+ fault=\\xff\\xfe\r?$/m, stdout);
});
