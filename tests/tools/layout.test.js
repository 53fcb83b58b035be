// The generated layout (tools/build/layout.mjs): its offsets are the
// compiler's, a class that outgrows its declared size stops the build, and
// the C header says what the JSON says. The kernel is compiled again in
// temporary copies with a class edited.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BUILD = process.env.KERNEL ? resolve(process.env.KERNEL, "..") : "build";
const built = JSON.parse(readFileSync(join(BUILD, "gen/layout.json"), "utf8"));

/**
 * Compiles kernel/main.ts of a copy of the tree in which `edit(source)`
 * rewrote `file`: { status, output, layout } (layout null when asc failed).
 */
function compileEdited(file, edit) {
  const root = mkdtempSync(join(tmpdir(), "tskernel-layout-"));
  try {
    for (const dir of ["kernel", "tools", "asconfig.json", "package.json"]) cpSync(dir, join(root, dir), { recursive: true });
    symlinkSync(resolve("node_modules"), join(root, "node_modules"));
    const path = join(root, file);
    const source = readFileSync(path, "utf8");
    const edited = edit(source);
    assert.notEqual(edited, source, `the edit of ${file} changed nothing`);
    writeFileSync(path, edited);
    const asc = spawnSync("node_modules/.bin/asc", ["kernel/main.ts", "--config", "asconfig.json", "--target", "kernel",
      "--transform", "./tools/build/layout.mjs", "--optimizeLevel", "0", "--shrinkLevel", "0", "--outFile", "k.wasm"],
    { cwd: root, encoding: "utf8" });
    const output = asc.stdout + asc.stderr;
    if (asc.status !== 0) return { status: asc.status, output, layout: null };
    const write = spawnSync("node", ["tools/build/layout.mjs", "k.wasm", "layout.json", "layout.h"], { cwd: root, encoding: "utf8" });
    assert.equal(write.status, 0, write.stderr);
    return { status: 0, output, layout: JSON.parse(readFileSync(join(root, "layout.json"), "utf8")) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("layout: the offsets are the compiler's (MemArea's lower and upper swapped in the class swap in layout.json)", () => {
  const { status, output, layout } = compileEdited("kernel/mm/area.ts", (s) =>
    s.replace("  lower: usize;\n  upper: usize;\n", "  upper: usize;\n  lower: usize;\n"));
  assert.equal(status, 0, output);
  const was = built.records.MemArea.fields;
  const now = layout.records.MemArea.fields;
  assert.equal(now.upper.offset, was.lower.offset);
  assert.equal(now.lower.offset, was.upper.offset);
  assert.deepEqual(now.start, was.start);
});

test("layout: a class whose fields outgrow its declared size stops the build, naming both", () => {
  const { status, output } = compileEdited("kernel/mm/area.ts", (s) => s.replace("  flags: u8;\n", "  flags: u8;\n  extra: u32;\n"));
  assert.notEqual(status, 0, "asc accepted a MemArea larger than MEM_AREA_BYTES");
  assert.match(output, /MemArea's fields take 36 bytes, more than MEM_AREA_BYTES = 32/);
});

test("layout: the C header has every record of the JSON, each field at its offset and the record at its size", () => {
  const checks = ["#include <stddef.h>", `#include "${resolve(BUILD, "gen/layout.h")}"`];
  for (const [name, { bytes, fields }] of Object.entries(built.records)) {
    checks.push(`_Static_assert(sizeof(struct ${name}) == ${bytes}, "${name}");`);
    for (const [field, { offset, bytes: size }] of Object.entries(fields)) {
      checks.push(`_Static_assert(offsetof(struct ${name}, ${field}) == ${offset} && sizeof(((struct ${name} *)0)->${field}) == ${size}, "${name}.${field}");`);
    }
  }
  for (const [name, value] of Object.entries(built.constants)) checks.push(`_Static_assert(${name} == ${value >>> 0}u, "${name}");`);
  const cc = spawnSync("clang", ["--target=i386-unknown-none-elf", "-ffreestanding", "-fsyntax-only", "-x", "c", "-"],
    { input: checks.join("\n") + "\n", encoding: "utf8" });
  assert.equal(cc.status, 0, cc.stderr);
});
