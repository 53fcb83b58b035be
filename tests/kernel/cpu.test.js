// The CPU set-up: test=cpu inside the kernel, and every exception report
// checked field by field from the host.

import { test } from "node:test";
import assert from "node:assert/strict";
import { boot, explain, runSuite } from "./kernel.js";
import { backtraceNames, parseReport, sourceLine } from "./report.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

test("in-kernel suite: cpu", async () => {
  const run = await runSuite("cpu");
  assert.ok(run.ok, explain(run));
});

async function faultReport(cmdline) {
  const run = await boot(cmdline);
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial);
  assert.ok(report, `no report in:\n${explain(run)}`);
  return { run, report };
}

const REGISTERS = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eflags", "cr0", "cr3", "cr4"];

/** The fields every CPU exception report has, and a backtrace that starts at eip and reaches _start. */
function assertExceptionReport(report, { title, errorCode, eipFunction, callers }) {
  assert.equal(report.kind, "FAULT");
  assert.equal(report.title, title);
  if (errorCode !== undefined) assert.match(report.fields["error code"], new RegExp(`^${errorCode}\\b`));
  assert.match(report.fields.eip, /^0x[0-9a-f]{8} in \S/);
  assert.equal(report.eip.name, eipFunction);
  // The faulting instruction's line: in the function's own file, or in the C
  // import that clang inlined there (boot/cpu.h divide, ...).
  assert.ok([eipFunction.split(" ")[0], "boot/cpu.h"].includes(report.eip.file), `eip's line: ${report.fields.eip}`);
  assert.ok(report.eip.line > 0);
  for (const r of REGISTERS) assert.ok(r in report.registers, `register ${r} missing from the report`);
  const names = backtraceNames(report);
  assert.equal(names[0], eipFunction, "the backtrace starts at the faulting instruction");
  assert.equal(report.backtrace[0].address, parseInt(report.fields.eip, 16));
  let at = 0;
  for (const caller of [...callers, "kernel/main.ts commandLineRun", "kernel/main.ts kmain", "kernel_entry", "_start"]) {
    const found = names.indexOf(caller, at);
    assert.ok(found > at - 1, `backtrace lacks ${caller} after position ${at}: ${names.join(" <- ")}`);
    at = found + 1;
  }
}

test("trap=divide: #DE from the CPU's own DIV, named and traced", async () => {
  const { report } = await faultReport("trap=divide");
  assertExceptionReport(report, {
    title: "divide error (#DE, vector 0x0)",
    errorCode: "0x00000000",
    // The CPU primitives are inlined (boot/cpu.h): DIV is in the TypeScript function itself.
    eipFunction: "kernel/debug/inject.ts raiseDivideError",
    callers: ["kernel/debug/inject.ts injectTrap"],
  });
});

test("trap=invalid-opcode: #UD at UD2", async () => {
  const { report } = await faultReport("trap=invalid-opcode");
  assertExceptionReport(report, {
    title: "invalid opcode (#UD, vector 0x6)",
    eipFunction: "kernel/debug/inject.ts raiseInvalidOpcode",
    callers: ["kernel/debug/inject.ts injectTrap"],
  });
});

test("trap=gpf: #GP with the offending selector as error code", async () => {
  const { report } = await faultReport("trap=gpf");
  assertExceptionReport(report, {
    title: "general protection fault (#GP, vector 0xd)",
    errorCode: "0x00000038",
    eipFunction: "kernel/debug/inject.ts raiseGeneralProtection",
    callers: ["kernel/debug/inject.ts injectTrap"],
  });
});

test("trap=double-fault: reported from the double-fault task with the interrupted state", async () => {
  const { run, report } = await faultReport("trap=double-fault");
  assertExceptionReport(report, {
    title: "double fault (#DF, vector 0x8)",
    eipFunction: "kernel/debug/inject.ts raiseGeneralProtection",
    callers: ["kernel/debug/inject.ts raiseDoubleFault"],
  });
  assert.doesNotMatch(run.serial, /kernel stack overflow/);
});

test("trap=breakpoint: #BP is announced and execution continues to a clean halt", async () => {
  const run = await boot("trap=breakpoint");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  // The INT3's own line, not the next instruction's (which may belong to another file).
  const line = sourceLine("kernel/debug/inject.ts", "  int3();");
  assert.match(run.serial, new RegExp(`^breakpoint at 0x[0-9a-f]{8} in kernel/debug/inject\\.ts:${line} raiseBreakpoint\\+0x[0-9a-f]+, continuing$`, "m"), explain(run));
  assert.match(run.serial, /^breakpoint at[^\n]*\ninject: back from the breakpoint\n(?:.*\n)*kernel halted cleanly$/m);
  assert.equal(parseReport(run.serial), null);
});

test("panic names its caller and traces back to kmain", async () => {
  const { report } = await faultReport("trap=panic");
  assert.equal(report.kind, "PANIC");
  assert.equal(report.title, "trap=panic asked for a panic");
  const panicLine = sourceLine("kernel/debug/inject.ts", 'panic("trap=panic asked for a panic")');
  assert.match(report.fields.caller, new RegExp(`^kernel/debug/inject\\.ts:${panicLine} raisePanic\\+0x[0-9a-f]+$`));
  assert.equal(report.backtrace[0].line, panicLine, "the first frame is the line that called panic");
  const names = backtraceNames(report);
  assert.equal(names[0], "kernel/debug/inject.ts raisePanic");
  assert.ok(names.indexOf("kernel/debug/inject.ts injectTrap") > 0 && names.indexOf("kernel/main.ts commandLineRun") > names.indexOf("kernel/debug/inject.ts injectTrap"), names.join(" <- "));
});

test("a wasm trap's backtrace names the function that trapped", async () => {
  const { report } = await faultReport("trap=unreachable");
  assert.equal(report.kind, "TRAP");
  const names = backtraceNames(report);
  assert.equal(names[0], "wasm_rt_trap");
  assert.equal(names[1], "kernel/debug/inject.ts raiseUnreachable");
});
