// The kernel command line: no typo hides (unknown words, repeated keys, a
// value for a flag), the kernel's path from QEMU is never read as a word,
// and bytes from the command line never reach the terminal raw.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { boot, explain, KERNEL } from "./kernel.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

const WORDS = "test= trap= fault= misuse= dump= monitor";

const REFUSED = [
  { cmdline: "dump=alloc dump=bogus", line: `command line: dump=bogus repeats a key given before (each key may be given once); known: ${WORDS}` },
  { cmdline: "test=console test=bogus", line: `command line: test=bogus repeats a key given before (each key may be given once); known: ${WORDS}` },
  { cmdline: "monitor=nonsense", line: `command line: monitor=nonsense gives a value to a word that takes none; known: ${WORDS}` },
  { cmdline: "trap=gpf test", line: `command line: test needs a value (key=value); known: ${WORDS}` },
  { cmdline: "tset=paging", line: `command line: tset=paging is not a known word; known: ${WORDS}` },
];

for (const { cmdline, line } of REFUSED) {
  test(`"${cmdline}" is refused, naming the word`, async () => {
    const run = await boot(cmdline);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    assert.ok(run.serial.split("\n").includes(line), `expected the line\n${line}\n${explain(run)}`);
    assert.doesNotMatch(run.serial, /^suite |^inject: /m, "nothing on the line was carried out");
  });
}

test("the command line is echoed without the space QEMU's loader ends an empty one with", async () => {
  const run = await boot("");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const echo = /^command line: +(.*)$/m.exec(run.serial)?.[1] ?? assert.fail(explain(run));
  assert.equal(echo, echo.trimEnd(), `"${echo}" ends in a space`);
  assert.ok(echo.length > 0, explain(run));
});

test("control bytes on the command line are printed escaped, never raw", async () => {
  const run = await boot("fault=\x1b[2J\x07\x7f");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.doesNotMatch(run.serial, /[\x00-\x09\x0b-\x1f\x7f]/, "no control byte but newlines on serial");
  assert.match(run.serial, /^command line: +\S+ fault=\\x1b\[2J\\x07\\x7f$/m, explain(run));
  assert.match(run.serial, /^fault=\\x1b\[2J\\x07\\x7f is not understood; known: /m, explain(run));
});

// A link to the kernel under a directory whose name would be read as words
// if the kernel's path were not skipped whole.
function kernelAt(directory) {
  const dir = path.join("build", "paths", directory);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const link = path.join(dir, "kernel.elf");
  symlinkSync(path.resolve(KERNEL), link);
  return link;
}

test("a kernel path with '=' in it is not read as a word", async () => {
  const run = await boot("", { kernel: kernelAt("test=bogus") });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^command line: +\S*test=bogus\/kernel\.elf *$/m);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

test("a kernel path with spaces boots: QEMU is handed one without", async () => {
  const run = await boot("dump=alloc", { kernel: path.resolve(kernelAt("two words")) });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^slab classes:$/m, "the word after the path was read");
  assert.match(run.serial, /^kernel halted cleanly$/m);
});
