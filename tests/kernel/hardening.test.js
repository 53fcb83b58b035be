// Runs that must end with a message and the failure status, never a reset,
// a hang or a clean halt: writes into the kernel image, the double-fault
// stack's guard page, faults inside a report, CPUs without what the build
// needs, and too little RAM.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain } from "./kernel.js";
import { parseReport } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

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

// QEMU's CPUs before the i686: the 486 has CPUID but no time-stamp counter,
// the Pentium no CMOV; the ISA PC's default CPU is a 486.
for (const [qemuArgs, lacks] of [["-cpu 486", "the time-stamp counter \\(RDTSC\\)"], ["-cpu pentium", "CMOV"], ["-machine isapc", "the time-stamp counter \\(RDTSC\\)"]]) {
  test(`${qemuArgs}: the boot stub says what the CPU lacks and fails`, async () => {
    const run = await boot("", { qemuArgs });
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    assert.match(run.serial, new RegExp(`^tskernel: this CPU lacks ${lacks}; the kernel needs an i686 \\(Pentium Pro\\) or later$`, "m"));
    assert.equal(run.serial.trim().split("\n").length, 1, `one line, nothing after it:\n${run.serial}`);
  });
}

test("-cpu pentium2, the first i686 with everything the build uses, boots", async () => {
  const run = await boot("", { qemuArgs: "-cpu pentium2" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
});

for (const memory of ["2M", "3M"]) {
  test(`-m ${memory}: the boot stub says the kernel needs 4 MiB and fails`, async () => {
    const run = await boot("", { qemuArgs: `-m ${memory}` });
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    const [, found] = /^tskernel: needs at least 4 MiB of RAM, found (\d+) KiB$/m.exec(run.serial) ?? assert.fail(explain(run));
    assert.ok(Number(found) < parseInt(memory) * 1024 && Number(found) > (parseInt(memory) - 1) * 1024, `found ${found} KiB`);
  });
}

test("-m 4M, the minimum, boots and halts cleanly", async () => {
  const run = await boot("", { qemuArgs: "-m 4M" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

// A fault inside a report: the VGA page is made read-only, so the report's
// first write to the screen faults. It must end in the one-line serial
// report and the failure status, not in nested reports until a reset.
const NESTED = /^\*\*\* KERNEL FAULT while reporting a FAULT \(vector (0x[0-9a-f]+)\): vector 0xe at eip 0x[0-9a-f]{8}, cr2 0x000b8[0-9a-f]{3}\n\*\*\* kernel stopped$/m;

test("trap=fault-in-report: a page fault inside a report ends in the serial-only report, status 35", async () => {
  const run = await boot("trap=fault-in-report");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const [, first] = NESTED.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(first, "0x6", "the report interrupted was the #UD's");
  assert.equal(run.serial.match(/while reporting/g).length, 1, "one nested report, no more");
});

test("trap=fault-in-double-fault-report: a fault inside the double fault's report ends the same way", async () => {
  const run = await boot("trap=fault-in-double-fault-report");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const [, first] = NESTED.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(first, "0x8", "the report interrupted was the double fault's");
});
