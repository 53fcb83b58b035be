// Demand paging in the kernel: test=demand at the smallest and a large
// machine, and the boots that must end in a report because the fault is not
// one the kernel handles (kernel/mm/fault.ts: what stays fatal).

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { boot, explain, runSuite } from "./kernel.js";
import { backtraceNames, parseReport } from "./report.js";
import { STATUS_FAILURE } from "../../tools/run/qemu.mjs";

for (const memory of ["4M", "1G"]) {
  test(`in-kernel suite: demand at -m ${memory}`, async () => {
    const run = await runSuite("demand", { qemuArgs: `-m ${memory}` });
    assert.ok(run.ok, explain(run));
    assert.ok(run.cases.some((c) => /^full: every page backed$/.test(c.text)), "the full-area case ran");
    // The area dump taken with 3 of 16 pages touched shows the kind and the backed count.
    assert.match(run.serial, /^    0x[0-9a-f]{8}-0x[0-9a-f]{8}  16 pages  \(lazy, 3 backed\)$/m, explain(run));
    assert.match(run.serial, /^    0x[0-9a-f]{8}-0x[0-9a-f]{8}  1 page  \(slab, 1 backed\)$/m, explain(run));
  });
}

/** Boots `test=NAME`, which must end in a page-fault report. */
async function fatal(name, qemuArgs = "") {
  const run = await boot(`test=${name}`, qemuArgs ? { qemuArgs } : {});
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.title, "page fault (#PF, vector 0xe)", explain(run));
  assert.doesNotMatch(run.serial, /^FAIL /m, explain(run));
  return { run, report };
}

const hex = (n) => "0x" + n.toString(16).padStart(8, "0");

test("backing a lazy area past the last frame is reported as out of memory (-m 8M)", async () => {
  const { run, report } = await fatal("demand-oom", "-m 8M");
  const [, start, pages, free] = /^demand-oom: area (0x[0-9a-f]{8})\+(\d+), (\d+) free pages; touching every page$/m.exec(run.serial)
    ?? assert.fail(explain(run));
  // Reserving made the page tables, so every free page backs one page of the area, and the next touch fails.
  const addr = hex(parseInt(start, 16) + Number(free) * 4096);
  assert.match(run.serial, new RegExp(`^out of memory while backing ${addr} in area ${start}\\+${pages}$`, "m"), explain(run));
  assert.equal(report.fields.address, `${addr} (cr2)`);
  assert.equal(report.fields["error code"], "0x00000002: not present, write, supervisor");
  assert.match(report.fields.pte, /\(not present, parked: word 0x[0-9a-f]{8}\)$/, "the page is still only parked");
});

test("a write to a read-only lazy page stays fatal: the read before it was handled", async () => {
  const { run, report } = await fatal("demand-readonly");
  assert.match(run.serial, /^ok   demand-readonly: the read is handled and sees zero$/m, explain(run));
  const [, addr] = /^demand-readonly: writing to (0x[0-9a-f]{8})$/m.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.fields.address, `${addr} (cr2)`);
  assert.equal(report.fields["error code"], "0x00000003: protection violation, write, supervisor");
  assert.match(report.fields.pte, /\(present, read-only, supervisor/);
});

test("a fault while a fault is being handled stays fatal, reported in the handler", async () => {
  const { run, report } = await fatal("demand-nested");
  const [, , other] = /^demand-nested: touching (0x[0-9a-f]{8}); its parked word names (0x[0-9a-f]{8}), a lazy page too, which the handler will read$/m.exec(run.serial)
    ?? assert.fail(explain(run));
  const cr2 = parseInt(report.fields.address, 16);
  assert.equal(cr2 & ~0xfff, parseInt(other, 16), `the second fault is in the other lazy page\n${explain(run)}`);
  assert.equal(report.fields["error code"], "0x00000000: not present, read, supervisor");
  const names = backtraceNames(report);
  assert.equal(names[0], "kernel/mm/lazy.ts lazyAreaOf", explain(run));
  assert.equal(names[1], "kernel/mm/fault.ts pageFaultHandled", explain(run));
  assert.ok(backtraceNames(report).includes("interrupt_entry"), "the frame below is the first fault's");
});

test("a touch of a lazy area after areaFree is a fault outside any area", async () => {
  const { run, report } = await fatal("demand-freed");
  const [, addr] = /^demand-freed: touching (0x[0-9a-f]{8}), freed$/m.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.fields.address, `${addr} (cr2)`);
  assert.equal(report.fields["error code"], "0x00000002: not present, write, supervisor");
  if (report.fields.pte !== undefined) assert.match(report.fields.pte, /^0x00000000 at /, "no reservation is left");
});

test("a fault in the mirror window stays fatal", async () => {
  // Table 512 (0x80000000-0x803fffff) does not exist, so its window page is not mapped.
  const run = await boot("fault=read:0xfff00000");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.fields.address, "0xfff00000 (cr2)");
});

// Paging refuses to map over a reservation, or to unmap one, as it refuses other misuse.
for (const { name, message } of [
  { name: "map-parked", message: /^pageMap: address already mapped or parked at 0x[0-9a-f]{5}000$/ },
  { name: "unmap-parked", message: /^pageUnmap: address not mapped at 0x[0-9a-f]{5}000$/ },
]) {
  test(`misuse=${name} stops the kernel naming the function and the address`, async () => {
    const run = await boot(`misuse=${name}`);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    const report = parseReport(run.serial) ?? assert.fail(explain(run));
    assert.equal(report.kind, "PANIC");
    assert.match(report.title, message, explain(run));
  });
}

test("DEBUG=1 kernel: in-kernel suite demand", async () => {
  const kernel = "build/debug/kernel.elf";
  assert.ok(existsSync(kernel), `${kernel} is missing: build it with make DEBUG=1 (make test does)`);
  const run = await runSuite("demand", { kernel });
  assert.ok(run.ok, explain(run));
});
