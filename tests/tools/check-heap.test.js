// tools/check/heap.mjs over the final module, as the build runs it: on the
// text asc printed beside the binary (build/kernel.wat, flat: one
// instruction a line). No QEMU here; it reads the build's output.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUILD = process.env.KERNEL ? process.env.KERNEL.replace(/\/kernel\.elf$/, "") : "build";
const WAT = `${BUILD}/kernel.wat`;
const WASM = `${BUILD}/kernel.wasm`;

function check(file) {
  const run = spawnSync("node", ["tools/check/heap.mjs", file], { encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

const count = (output) => Number(/: (\d+) functions \(mm\//.exec(output)?.[1]);

test("check-heap: the build's text of the final module passes, with as many roots as the binary", () => {
  const text = check(WAT);
  assert.equal(text.status, 0, text.output);
  const binary = check(WASM);
  assert.equal(binary.status, 0, binary.output);
  assert.ok(count(text.output) > 0, text.output);
  assert.equal(count(text.output), count(binary.output), `${text.output}${binary.output}`);
});

test("check-heap: a flat-text call from alloc into the heap fails the check, naming the chain", () => {
  const lines = readFileSync(WAT, "utf8").split("\n");
  const at = lines.findIndex((l) => /^ \(func \$kernel\/mm\/alloc\/alloc\b/.test(l));
  assert.ok(at >= 0, `no kernel/mm/alloc/alloc in ${WAT}`);
  lines.splice(at + 1, 0, "  call $~lib/rt/tcms/__new");
  const dir = mkdtempSync(join(tmpdir(), "check-heap-"));
  try {
    const bad = join(dir, "kernel.wat");
    writeFileSync(bad, lines.join("\n"));
    const run = check(bad);
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, /kernel\/mm\/alloc\/alloc reaches AssemblyScript's heap:\n +kernel\/mm\/alloc\/alloc -> ~lib\/rt\/tcms\/__new/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
