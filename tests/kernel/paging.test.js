// Physical memory and paging: the boot report, test=paging at several RAM
// sizes, and the page fault and stack overflow reports.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain, runSuite } from "./kernel.js";
import { backtraceNames, parseReport, sourceLine } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

const MEM_LINE = /^mem: (\S+ \S+) of RAM in (\d+) ranges; (\d+) frames below 4 GiB: (\d+) free, (\d+) reserved$/m;

for (const memory of ["8M", "128M", "1G", "3584M"]) {
  test(`in-kernel suite: paging with -m ${memory}`, async () => {
    const run = await runSuite("paging", { qemuArgs: `-m ${memory}` });
    assert.ok(run.ok, explain(run));
  });
}

test("the boot reports RAM, free and reserved frames, and paging on with the mirror", async () => {
  const run = await boot("", { qemuArgs: "-m 128M" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const [, , ranges, total, free, reserved] = MEM_LINE.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(Number(ranges), 2);
  assert.equal(Number(free) + Number(reserved), Number(total), "free + reserved = total at boot");
  // 128 MiB less what QEMU's map and the kernel keep: most pages are free.
  assert.ok(Number(free) > 30000 && Number(total) === 0x7fe0000 / 4096, `free ${free} of ${total}`);
  assert.match(run.serial, /^paging: on; directory 0x[0-9a-f]{8} visible at 0xfffff000 through PDE 1023$/m);
});

test("-m 8M boots cleanly", async () => {
  const run = await boot("", { qemuArgs: "-m 8M" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, MEM_LINE);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

test("-m 3584M boots cleanly and says it ignores the RAM above 4 GiB", async () => {
  const run = await boot("", { qemuArgs: "-m 3584M" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const [, , ranges, total] = MEM_LINE.exec(run.serial) ?? assert.fail(explain(run));
  assert.equal(Number(ranges), 3);
  assert.ok(Number(total) < 0x100000, "no page at or above 4 GiB is described");
  assert.match(run.serial, /^mem: ignoring 512 MiB of RAM above 4 GiB \(no PAE\)$/m);
  assert.match(run.serial, /^kernel halted cleanly$/m);
});

async function pageFault(cmdline) {
  const run = await boot(cmdline);
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.title, "page fault (#PF, vector 0xe)");
  return report;
}

test("fault=0xdead0000: a write to an unmapped address, reported with its PDE and the function", async () => {
  const report = await pageFault("fault=0xdead0000");
  assert.equal(report.fields.address, "0xdead0000 (cr2)");
  assert.equal(report.fields["error code"], "0x00000002: not present, write, supervisor");
  assert.equal(report.fields.pde, "0x00000000 at 0xfffffde8 (not present)", "PDE 0x37a read through the mirror");
  assert.equal(report.fields.pte, undefined, "no table, so no PTE line");
  assert.ok(report.registers.cr3 > 0 && report.registers.cr3 % 4096 === 0, "CR3, the page directory, is in the report");
  const storeLine = sourceLine("kernel/debug/inject.ts", "store<u32>(addr, 0xFA017ED)");
  assert.match(report.fields.eip, new RegExp(`^0x[0-9a-f]{8} in kernel/debug/inject\\.ts:${storeLine} faultWrite\\+`));
  // Each frame names the line it is at: the store, then each call.
  assert.deepEqual(report.backtrace.slice(0, 2).map((f) => `${f.file}:${f.line}`), [
    `kernel/debug/inject.ts:${storeLine}`,
    `kernel/debug/inject.ts:${sourceLine("kernel/debug/inject.ts", "else faultWrite(<usize>number)")}`,
  ]);
  assert.deepEqual(backtraceNames(report).slice(0, 3), [
    "kernel/debug/inject.ts faultWrite",
    "kernel/debug/inject.ts injectFault",
    "kernel/main.ts commandLineRun",
  ]);
});

test("fault=read:0xdead0000 is a read", async () => {
  const report = await pageFault("fault=read:0xdead0000");
  assert.equal(report.fields["error code"], "0x00000000: not present, read, supervisor");
  assert.equal(report.eip.name, "kernel/debug/inject.ts faultRead");
  assert.equal(report.eip.line, sourceLine("kernel/debug/inject.ts", "load<u32>(addr)"));
});

test("fault=0: a null pointer hits the unmapped page 0 under a present table", async () => {
  const report = await pageFault("fault=0");
  assert.equal(report.fields.address, "0x00000000 (cr2)");
  // A directory entry grants everything (PDE_GRANTS); the table entry decides.
  assert.match(report.fields.pde, /^0x[0-9a-f]{8} at 0xfffff000 \(present, writable, user/);
  assert.equal(report.fields.pte, "0x00000000 at 0xffc00000 (not present)");
});

test("trap=stack-overflow: the guard page turns an overflow into a reported double fault", async () => {
  const run = await boot("trap=stack-overflow");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial);
  assert.equal(report.title, "double fault (#DF, vector 0x8)");
  assert.match(report.fields["kernel stack overflow"], /^esp 0x[0-9a-f]{8} is at the guard page 0x[0-9a-f]{8} below the kernel stack$/);
  assert.equal(report.eip.name, "kernel/debug/inject.ts overflowStack");
  assert.match(run.serial, /^    \.\.\. the frame above \d{3,} more times$/m);
  const names = backtraceNames(report);
  assert.deepEqual(names.slice(-6), ["kernel/debug/inject.ts injectTrap", "kernel/main.ts commandLineRun", "kernel/main.ts kmain", "export kmain", "kernel_entry", "_start"]);
});

for (const [address, what] of [["0xfffff000", "the page directory"], ["0xfffffffc", "the page directory"], ["0xffc00000", "a page table"]]) {
  test(`fault=${address} is refused: the mirror window holds the live page tables`, async () => {
    const run = await boot(`fault=${address}`);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    assert.match(run.serial, new RegExp(`^inject: a write to ${address} is refused: it would overwrite ${what} \\(through the mirror\\), and what follows could not be reported$`, "m"), explain(run));
    assert.match(run.serial, /^inject: nothing was written \(a read is allowed anywhere: read:ADDR\)$/m, explain(run));
    assert.doesNotMatch(run.serial, /^inject: writing 0x/m, "nothing was written");
  });
}

// The same rule as the monitor's (kernel/debug/guard.ts), for the GDT, the
// IDT and the double-fault task's TSS, whose addresses the boot report gives.
for (const [name, pattern] of [["the GDT", /^cpu: flat GDT at (0x[0-9a-f]{8})/m], ["the IDT", /^cpu: IDT at (0x[0-9a-f]{8})/m], ["the double-fault task's TSS", /double-fault TSS at (0x[0-9a-f]{8})$/m]]) {
  test(`fault= into ${name} is refused with the failure status before anything is written: trap= after it never meets a corrupted table`, async () => {
    const address = pattern.exec((await boot("")).serial)?.[1] ?? assert.fail(`no address for ${name}`);
    const run = await boot(`fault=${address} trap=double-fault`);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    assert.match(run.serial, new RegExp(`^inject: a write to ${address} is refused: it would overwrite ${name}, and what follows`, "m"), explain(run));
    assert.doesNotMatch(run.serial, /^inject: writing /m, explain(run));
  });
}

test("fault= on memory a write reaches without faulting says so and fails", async () => {
  const run = await boot("fault=0xb8000");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^inject: writing 0x000b8000\ninject: the write to 0x000b8000 did not fault \(mapped and writable\)$/m, explain(run));
  assert.doesNotMatch(run.serial, /^kernel halted cleanly$/m, explain(run));
});

test("fault=read:0xfffff000 reads the directory through the mirror, says it did not fault, and fails", async () => {
  const run = await boot("fault=read:0xfffff000");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^inject: reading 0xfffff000\ninject: the read of 0xfffff000 did not fault \(mapped\)$/m, explain(run));
});
