// The allocators in the kernel: test=alloc (a million random operations on
// real paging), exhaustion on a 16 MiB machine, the boot summary, the dump,
// and every misuse stopping the kernel with the function and the address.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain, runSuite } from "./kernel.js";
import { backtraceNames, parseReport } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

test("in-kernel suite: alloc", async () => {
  const run = await runSuite("alloc");
  assert.ok(run.ok, explain(run));
  assert.ok(run.cases.some((c) => /^1,000,000 random operations \(at most 2048 blocks live\)/.test(c.text)), "the million-operation workload ran in full");
});

test("in-kernel suite: alloc-exhaust under -m 16M", async () => {
  const run = await runSuite("alloc-exhaust", { qemuArgs: "-m 16M" });
  assert.ok(run.ok, explain(run));
});

test("the boot prints the allocators' summary", async () => {
  const run = await boot("");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^alloc: areas over 0x[0-9a-f]{8}-0x3fffffff; 10 size classes, 8 to 4096 bytes by powers of two; larger requests are areas$/m);
  assert.match(run.serial, /^alloc: 1 used area \(1 page: the first record slab\), 1 free area \(\d+ pages\)$/m);
});

test("dump=alloc prints the size classes and both area lists", async () => {
  const run = await boot("dump=alloc");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const rows = [...run.serial.matchAll(/^ +(\d+|records) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/gm)];
  assert.equal(rows.length, 11, explain(run));
  assert.deepEqual(rows.slice(0, 10).map((r) => Number(r[2])), [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
  const records = rows[10];
  assert.equal(records[1], "records");
  assert.equal(Number(records[3]), 2, "two records in use: the first slab's own area and the free rest");
  assert.match(run.serial, /^areas: range 0x[0-9a-f]{8}-0x3fffffff, 1 used \(1 page\), 1 free \(\d+ pages\)$/m);
  assert.match(run.serial, /^  used:\n    0x[0-9a-f]{8}-0x[0-9a-f]{8}  1 page  \(slab, 1 backed\)\n  free:\n    0x[0-9a-f]{8}-0x3fffffff  \d+ pages$/m);
});

const MISUSES = [
  { name: "double-free", message: /^free: double free \(the block is already free\) at 0x[0-9a-f]{8}$/ },
  { name: "interior", message: /^free: pointer inside a block, not at its start at 0x[0-9a-f]{7}8$/ },
  // The header sits after the last block, at the end of the slab's page.
  { name: "header", message: /^free: pointer (?:past a slab's last block|inside a block, not at its start) at 0x[0-9a-f]{5}f9c$/ },
  { name: "foreign", message: /^free: not an allocated block \(never allocated, or already freed\) at 0x00100000$/ },
  { name: "record", message: /^free: pointer into the allocator's own records at 0x[0-9a-f]{8}$/ },
  { name: "area-interior", message: /^areaFree: address inside an area, not at its start at 0x[0-9a-f]{8}$/ },
  { name: "area-slab", message: /^areaFree: area belongs to a slab; free its objects instead at 0x[0-9a-f]{5}000$/ },
  { name: "area-double-free", message: /^areaFree: no area there \(never allocated, or already freed\) at 0x[0-9a-f]{5}000$/ },
  // Paging's bad input, the same way.
  { name: "map-identity", message: /^pageMap: address in the identity map at 0x00001000$/ },
  { name: "map-mapped", message: /^pageMap: address already mapped or parked at 0x[0-9a-f]{5}000$/ },
  { name: "map-mirror", message: /^pageMap: address in the mirror window at 0xffc00000$/ },
  { name: "map-unaligned", message: /^pageMap: unaligned address at 0x40000800$/ },
  { name: "map-unaligned-paddr", message: /^pageMap: unaligned address at 0x[0-9a-f]{5}800$/ },
  { name: "unmap-unmapped", message: /^pageUnmap: address not mapped \(no page table\) at 0x40000000$/ },
  { name: "unmap-absent", message: /^pageUnmap: address not mapped at 0x40001000$/ },
  { name: "unmap-mirror", message: /^pageUnmap: address in the mirror window at 0xfffff000$/ },
  { name: "unmap-unaligned", message: /^pageUnmap: unaligned address at 0x40000800$/ },
];

for (const { name, message } of MISUSES) {
  test(`misuse=${name} stops the kernel naming the function and the address`, async () => {
    const run = await boot(`misuse=${name}`);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    const report = parseReport(run.serial) ?? assert.fail(explain(run));
    assert.equal(report.kind, "PANIC");
    assert.match(report.title, message);
    const names = backtraceNames(report);
    assert.ok(names.some((n) => n.startsWith("kernel/debug/inject.ts ")), `the backtrace reaches the misuse: ${names.join(" <- ")}`);
    assert.ok(names.includes("kernel/main.ts kmain"));
  });
}
