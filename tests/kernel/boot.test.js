// What a plain boot shows, and how each kind of wasm trap is reported.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain } from "./kernel.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

// One row of the memory map table: start, end, size, type.
const MAP_ROW = /^  0x([0-9a-f]{16})  0x([0-9a-f]{16})  (\S+ \S+)\s+(available|reserved|ACPI reclaimable|ACPI NVS|bad RAM|unknown)$/gm;

function memoryMap(serial) {
  return [...serial.matchAll(MAP_ROW)].map((m) => ({ start: BigInt("0x" + m[1]), end: BigInt("0x" + m[2]), size: m[3], type: m[4] }));
}

test("a plain boot reports the boot information and halts cleanly", async () => {
  const run = await boot("dump=alloc");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^tskernel: /m);
  assert.match(run.serial, /^multiboot magic: ok \(0x2badb002\)$/m);
  assert.match(run.serial, /^boot loader: +qemu$/m);
  assert.match(run.serial, /^command line: +\S*kernel\.elf dump=alloc$/m);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

test("the memory map table covers QEMU's RAM with consistent rows", async () => {
  const run = await boot("", { qemuArgs: "-m 128M" });
  const rows = memoryMap(run.serial);
  assert.ok(rows.length >= 2, explain(run));
  assert.match(run.serial, new RegExp(`^  ${rows.length} regions$`, "m"));
  for (const row of rows) assert.ok(row.end >= row.start, `row ends before it starts: ${JSON.stringify(row, (k, v) => (typeof v === "bigint" ? v.toString(16) : v))}`);
  const available = rows.filter((r) => r.type === "available").reduce((sum, r) => sum + (r.end - r.start + 1n), 0n);
  // 128 MiB of RAM, less the BIOS areas QEMU keeps back.
  assert.ok(available > 126n << 20n && available <= 128n << 20n, `available RAM is ${available} bytes`);
  assert.ok(rows.some((r) => r.type === "available" && r.start === 0x100000n), "no available region at 1 MiB");
});

test("the memory map follows -m", async () => {
  const run = await boot("", { qemuArgs: "-m 8M" });
  const top = memoryMap(run.serial).filter((r) => r.type === "available").reduce((max, r) => (r.end > max ? r.end : max), 0n);
  assert.ok(top < 8n << 20n && top > 7n << 20n, `highest available byte ${top.toString(16)}\n${explain(run)}`);
});

const TRAPS = [
  { name: "unreachable", report: /^\*\*\* KERNEL TRAP: wasm trap: unreachable \(kind 5\)$/m },
  { name: "int-divide", report: /^\*\*\* KERNEL TRAP: wasm trap: integer divide by zero \(kind 3\)$/m },
  { name: "int-overflow", report: /^\*\*\* KERNEL TRAP: wasm trap: integer overflow \(kind 2\)$/m },
  { name: "abort", report: /^\*\*\* KERNEL TRAP: abort: trap=abort asked for a failed assertion\n    at kernel\/debug\/inject\.ts:\d+:\d+$/m },
];

for (const { name, report } of TRAPS) {
  test(`trap=${name} is reported and stops the kernel with the failure status`, async () => {
    const run = await boot(`trap=${name}`);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    assert.match(run.serial, report);
    assert.match(run.serial, /^\*\*\* kernel stopped$/m);
    assert.doesNotMatch(run.serial, /kernel halted cleanly/);
  });
}

test("an unknown trap name is refused with the failure status", async () => {
  const run = await boot("trap=no-such-trap");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^trap=no-such-trap is not understood; known: divide invalid-opcode .*int-overflow$/m);
});

test("an unknown test suite is refused with the failure status", async () => {
  const run = await boot("test=no-such-suite");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^test=no-such-suite is not understood; known: list alloc alloc-exhaust console cpu demand demand-oom demand-readonly demand-nested demand-freed paging ring3 spaces$/m);
});

test("a word the kernel does not know stops it, so a typo does not look like success", async () => {
  const run = await boot("tests=paging");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^command line: tests=paging is not a known word; known: test= trap= fault= misuse= dump= monitor$/m);
  assert.doesNotMatch(run.serial, /halted cleanly/);
});
