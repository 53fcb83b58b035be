// Runs that must end with a message and the failure status, never a reset,
// a hang or a clean halt: writes into the kernel image, the double-fault
// stack's guard page, faults inside a report, CPUs without what the build
// needs, and too little RAM.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain } from "./kernel.js";
import { parseReport } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/qemu.mjs";

const hex = (n) => `0x${n.toString(16).padStart(8, "0")}`;

/** The boot's own statements about the identity map: the guard pages and the read-only range. */
async function identityMap() {
  const run = await boot("");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const guards = /^paging: identity map 0x00001000-0x[0-9a-f]{8} \(page 0 and the stack guard pages (0x[0-9a-f]{8}) and (0x[0-9a-f]{8}) unmapped\)$/m.exec(run.serial)
    ?? assert.fail(`no identity map line:\n${explain(run)}`);
  const readonly = /^paging: kernel code and read-only data (0x[0-9a-f]{8})-(0x[0-9a-f]{8}) mapped read-only$/m.exec(run.serial)
    ?? assert.fail(`no read-only line:\n${explain(run)}`);
  return {
    stackGuard: parseInt(guards[1], 16),
    doubleFaultGuard: parseInt(guards[2], 16),
    readonlyStart: parseInt(readonly[1], 16),
    readonlyEnd: parseInt(readonly[2], 16) + 1,
  };
}

async function pageFaultReport(cmdline) {
  const run = await boot(cmdline);
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(`no report:\n${explain(run)}`);
  assert.equal(report.title, "page fault (#PF, vector 0xe)", explain(run));
  return report;
}

test("fault=0x100000: a write to the kernel's first code page is a protection violation", async () => {
  const report = await pageFaultReport("fault=0x100000");
  assert.equal(report.fields.address, "0x00100000 (cr2)");
  assert.equal(report.fields["error code"], "0x00000003: protection violation, write, supervisor");
  assert.match(report.fields.pte, /^0x00100[0-9a-f]{3} at 0xffc00400 \(present, read-only, supervisor/);
});

test("the last read-only page (.rodata, .ksyms) refuses writes too", async () => {
  const map = await identityMap();
  assert.equal(map.readonlyStart, 0x100000);
  assert.ok(map.readonlyEnd > map.readonlyStart && map.readonlyEnd % 4096 === 0, hex(map.readonlyEnd));
  const last = map.readonlyEnd - 4096;
  const report = await pageFaultReport(`fault=${hex(last)}`);
  assert.equal(report.fields["error code"], "0x00000003: protection violation, write, supervisor");
  assert.equal(report.fields.address, `${hex(last)} (cr2)`);
});

test("the page below the double-fault stack is not mapped", async () => {
  const { doubleFaultGuard, stackGuard } = await identityMap();
  assert.notEqual(doubleFaultGuard, stackGuard);
  const report = await pageFaultReport(`fault=read:${hex(doubleFaultGuard)}`);
  assert.equal(report.fields["error code"], "0x00000000: not present, read, supervisor");
  assert.equal(report.fields.address, `${hex(doubleFaultGuard)} (cr2)`);
});
