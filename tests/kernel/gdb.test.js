// GDB against the kernel over QEMU's stub: the page-fault stop and the
// commands of tools/gdb/kernel.py, checked against what the kernel itself
// prints in the same boot (dump=alloc runs before the fault); TypeScript
// lines, names, parameters, values and the DEBUG=1 image's locals
// (tools/build/lines.mjs); and the stop at a failure. `make debug` itself,
// Ctrl-C included, is tests/kernel/make-debug.test.js.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gdbSession } from "../../tools/run/sessions.mjs";
import { KERNEL, QEMU_ARGS } from "./kernel.js";

// The DEBUG=1 image, whatever DEBUG the tests run with (tests/needs.mk).
const DEBUG_KERNEL = "build/debug/kernel.elf";
import { sourceLine } from "./report.js";
import { readFileSync } from "node:fs";

const run = promisify(execFile);

/** Boots halted with the GDB stub, runs GDB in batch mode with `commands`, returns both outputs. */
const debugSession = (cmdline, commands) => gdbSession(KERNEL, cmdline, commands, { qemuArgs: QEMU_ARGS });

// The lines of a section that starts with `first`, up to the next line matching `end`.
function section(text, first, end) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(first));
  if (start < 0) return [];
  const stop = lines.findIndex((l, i) => i > start && end.test(l));
  return lines.slice(start, stop < 0 ? undefined : stop);
}

test("GDB stops at the page fault with its context, and pt, bt, slabs, areas, vmmap, cr work there", async () => {
  // `frame 1` first: the commands must not depend on the frame selected.
  const { gdb, serial } = await debugSession("dump=alloc fault=0xdead0000", [
    "continue", "frame 1", "pt 0xdead0000", "bt", "slabs", "areas", "vmmap", "cr", "slabs 11",
  ]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;

  // The stop: CR2, the error code in words, the faulting function, a backtrace.
  assert.match(gdb, /^page fault at 0xdead0000 \(cr2\): not present, write, supervisor \(error code 0x2\)$/m, context);
  const store = sourceLine("kernel/debug/inject.ts", "store<u32>(addr, 0xFA017ED)");
  const call = sourceLine("kernel/debug/inject.ts", "else faultWrite(<usize>number)");
  assert.match(gdb, new RegExp(`^  eip 0x[0-9a-f]{8} in kernel/debug/inject\\.ts:${store} faultWrite\\+0x[0-9a-f]+$`, "m"), context);
  const ours = section(gdb, "backtrace from the fault:", /^\(pt /).join("\n");
  assert.match(ours, new RegExp(`#0 +0x[0-9a-f]{8}  kernel/debug/inject\\.ts:${store} faultWrite\\+.*\n.*#1 +0x[0-9a-f]{8}  kernel/debug/inject\\.ts:${call} injectFault\\+.*\n.*#2 +0x[0-9a-f]{8}  kernel/main\\.ts:\\d+ commandLineRun\\+`), context);

  // pt: the walk stops at the PDE.
  assert.match(gdb, /^  pde 0x00000000 at 0xfffffde8 \(not present\)\n  the walk stops at the PDE: 0xdead0000 is not mapped$/m, context);

  // GDB's own bt goes through the interrupt stub into the function that
  // faulted, and shows TypeScript names, parameters and lines.
  assert.match(gdb, /^#0  interrupt_entry \(\)/m, context);
  assert.match(gdb, new RegExp(`^#1  (?:0x[0-9a-f]{8} in )?faultWrite \\(addr=3735879680\\) at kernel/debug/inject\\.ts:${store}$`, "m"), context);
  // frame 1 too: the stop line names the TypeScript function, not wasm2c's C name.
  assert.match(gdb, new RegExp(`^#1  (?:0x[0-9a-f]{8} in )?faultWrite \\(addr=3735879680\\) at kernel/debug/inject\\.ts:${store}\n${store}\t`, "m"), context);
  assert.match(gdb, new RegExp(`^#2  0x[0-9a-f]{8} in injectFault \\(.*\\) at kernel/debug/inject\\.ts:${call}$`, "m"), context);
  assert.match(gdb, /^#\d+ +0x[0-9a-f]{8} in kmain \(.*\) at kernel\/main\.ts:\d+$/m, context);
  assert.match(gdb, /^#\d+ +0x[0-9a-f]{8} in _start \(\)/m, context);

  // slabs and areas read the same state the kernel printed itself.
  const kernelSlabs = section(serial, "slab classes:", /^areas:/);
  const gdbSlabs = section(gdb, "slab classes:", /^areas:/);
  assert.equal(kernelSlabs.length, 13, context);
  assert.deepEqual(gdbSlabs, kernelSlabs);
  const kernelAreas = section(serial, "areas: range", /^inject:/);
  const gdbAreas = section(gdb, "areas: range", /^ +virtual/);
  assert.ok(kernelAreas.length >= 5, context);
  assert.deepEqual(gdbAreas, kernelAreas);

  // vmmap: the identity map starts at page 1; the mirror shows the tables.
  assert.match(gdb, /^  0x00001000-0x[0-9a-f]{8}  0x00001000  rws +\d+$/m, context);
  assert.match(gdb, /^  0xfffff000-0xffffffff  0x[0-9a-f]{8}  rws +1  \(mirror: the page directory\)$/m, context);
  assert.match(gdb, /^  0xffc00000-0xffc00fff  0x[0-9a-f]{8}  rws +1  \(mirror: page tables\)$/m, "the PDE's supervisor bit counts, though the PTE grants user");
  assert.doesNotMatch(gdb, /Python Exception/, context);
  assert.match(gdb, /^slabs: no class 11 \(0-10\)$/m, context);

  // cr: decoded.
  assert.match(gdb, /^cr0 0x8001[0-9a-f]{4}  PE .*WP PG$/m, context);
  assert.match(gdb, /^cr2 0xdead0000  last page fault address$/m, context);
});

test("the commands refuse bad arguments with the monitor's messages, no Python traceback, nothing printed first", async () => {
  const { gdb, serial } = await debugSession("fault=0xdead0000", [
    "continue", "pt zz", "slabs x", "slabs 11", "areas now", "vmmap 1", "cr x", "slabs 3",
  ]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.doesNotMatch(gdb, /Python Exception|Traceback|Error occurred in Python/, context);
  assert.match(gdb, /^pt: not an address: zz \(No symbol "zz" in current context\.\)$/m, context);
  assert.match(gdb, /^slabs: not a number \(decimal or 0x hex\): x$/m, context);
  assert.match(gdb, /^slabs: no class 11 \(0-10\)$/m, context);
  for (const command of ["areas", "vmmap", "cr"]) assert.match(gdb, new RegExp(`^${command} takes no argument`, "m"), context);
  // Only the good `slabs 3` printed the table.
  assert.equal(gdb.split("slab classes:").length - 1, 1, context);
});

test("every command explains itself in help", async () => {
  const { stdout } = await run("gdb", ["-q", "-nx", "-batch", "-x", "tools/gdb/kernel.py",
    "-ex", "help pt", "-ex", "help vmmap", "-ex", "help areas", "-ex", "help slabs", "-ex", "help cr"]);
  for (const start of ["pt ADDR: walk", "vmmap: the mapped", "areas: the area", "slabs: the slab", "cr: CR0"]) {
    assert.ok(stdout.includes(start), `help lacks "${start}":\n${stdout}`);
  }
});

test("GDB at the TypeScript level: break FILE:LINE and NAME, list, next, info args, bt, finish", async () => {
  const file = "kernel/mm/alloc.ts";
  const source = readFileSync(file, "utf8").split("\n");
  const first = sourceLine(file, "export function alloc(size: u32): usize {");
  const stop = sourceLine(file, "let slab = d.partial;");
  const end = sourceLine(file, "export function free(ptr: usize): void {");
  const { gdb, serial } = await debugSession("test=alloc", [
    `break ${file}:${stop}`, "continue", "info args", "print size", "list", "next", "info line *$pc", "bt 2",
    "delete", "break alloc", "continue", "finish",
  ]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  // The breakpoint, the stop and its source line: TypeScript, not generated C.
  // clang inlines alloc into some callers: then the line has one location per copy.
  assert.match(gdb, new RegExp(`^Breakpoint 1 at 0x[0-9a-f]+: (?:file ${escape(file)}, line ${stop}\\.|${escape(file)}:${stop}\\. \\(\\d+ locations\\))$`, "m"), context);
  assert.match(gdb, new RegExp(`^Breakpoint 1(?:\\.\\d+)?, alloc \\(.*\\bsize=1\\b.*\\) at ${escape(file)}:${stop}\n${stop}\t${escape(source[stop - 1])}$`, "m"), context);
  assert.doesNotMatch(gdb, /build\/gen\/kernel\.c/, context);
  // The parameter by its TypeScript name (allocSuite's first alloc is alloc(1)).
  assert.match(gdb, /^size = 1\n(?:instance = <optimized out>\n)?\$1 = 1$/m, context);
  // list: the TypeScript around the stop, the declaration included.
  assert.match(gdb, new RegExp(`^${first}\t${escape(source[first - 1])}$`, "m"), context);
  // next: a later line of the same function.
  const [, after] = /^Line (\d+) of "kernel\/mm\/alloc\.ts"/m.exec(gdb) ?? assert.fail(`no line after next${context}`);
  assert.ok(Number(after) > stop && Number(after) < end, `next went from ${stop} to ${after}${context}`);
  // bt: TypeScript names with their parameters, file:line.
  assert.match(gdb, new RegExp(`^#0  alloc \\(size=\\d+\\) at ${escape(file)}:${after}$`, "m"), context);
  // An inlined copy's caller is an inline frame, shown without an address.
  assert.match(gdb, /^#1  (?:0x[0-9a-f]{8} in )?allocSuite \(\) at kernel\/ktest\/alloc\.ts:\d+$/m, context);
  // break by the short name; finish returns to the caller with alloc's value.
  // (alloc's first statement is the interrupt-context check, inlined from core/panic.ts.)
  // clang inlined some copies of alloc: GDB sets a location in each.
  assert.match(gdb, new RegExp(`^Breakpoint 2 at 0x[0-9a-f]+: (?:file ${escape(file)}, line \\d+\\.|alloc\\. \\(\\d+ locations\\))$`, "m"), context);
  assert.match(gdb, /^Breakpoint 2(?:\.\d+)?, alloc \(/m, context);
  // (The return address may fall on the statement after the call, where no "0x... in" is shown.)
  assert.match(gdb, /^(?:0x[0-9a-f]{8} in )?\w+ \(.*\) at kernel\/ktest\/alloc\.ts:\d+\n\d+\t.*\nValue returned is \$\d+ = \d+$/m, context);
});

for (const { cmdline, kind, frame } of [
  { cmdline: "trap=panic", kind: "PANIC", frame: /^#\d+ +0x[0-9a-f]{8} in panic \(\) at kernel\/core\/panic\.ts:\d+$/m },
  { cmdline: "trap=unreachable", kind: "TRAP", frame: /^#\d+ +0x[0-9a-f]{8} in raiseUnreachable \(.*\) at kernel\/debug\/inject\.ts:\d+$/m },
  { cmdline: "trap=gpf", kind: "FAULT", frame: /^#\d+ +(?:0x[0-9a-f]{8} in )?interruptDispatch \(.*\) at kernel\/(?:trap|core)\/[\w-]+\.ts:\d+$/m },
]) {
  test(`${cmdline}: GDB stops before the kernel leaves QEMU, with the report written and the stack intact`, async () => {
    const { gdb, serial } = await debugSession(cmdline, ["continue", "pt 0x1000", "info registers cr3"]);
    const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
    assert.match(gdb, /^kernel stopped on a failure \(its report is on the serial port\); QEMU stays up until you continue$/m, context);
    assert.match(gdb, /^#0  haltFailure \(\) at kernel\/\S+\.ts:\d+$/m, context);
    assert.match(gdb, frame, context);
    assert.match(serial, new RegExp(`^\\*\\*\\* KERNEL ${kind}: `, "m"), context);
    // The machine is still there: memory and registers read, and only the final kill ends QEMU.
    assert.match(gdb, /^0x00001000: PDE 0, PTE 1, offset 0x000$/m, context);
    assert.match(gdb, /^cr3 +0x[0-9a-f]+/m, context);
    assert.doesNotMatch(gdb, /Remote connection closed/, context);
    assert.match(gdb, /\[Inferior 1 \(process 1\) killed\]/, context);
  });
}

// --- pfstop: GDB and the page faults the kernel handles -------------------------
// test=demand-readonly reads a read-only lazy page (handled) and then writes
// it (fatal). By default GDB stops only at the write; with `pfstop all` at
// the read first, saying it will be handled and in which area.

const FAULT_LINE = /^page fault at (0x[0-9a-f]{8}) \(cr2\): (.*) \(error code (0x[0-9a-f]+)\)$/gm;

test("pfstop fatal (the default) skips the handled fault and stops at the fatal one", async () => {
  const { gdb } = await debugSession("test=demand-readonly", ["continue", "areas"]);
  const stops = [...gdb.matchAll(FAULT_LINE)];
  assert.equal(stops.length, 1, gdb);
  assert.equal(stops[0][2], "protection violation, write, supervisor", gdb);
  assert.doesNotMatch(gdb, /will handle/, gdb);
  assert.match(gdb, /^    0x[0-9a-f]{8}-0x[0-9a-f]{8}  1 page  \(lazy read-only, 1 backed\)$/m, gdb);
});

test("pfstop all stops at the handled fault too, and says in which area", async () => {
  const { gdb, serial } = await debugSession("test=demand-readonly",
    ["pfstop all", "continue", "pt $cr2", "vmmap", "continue", "vmmap", "pfstop"]);
  const stops = [...gdb.matchAll(FAULT_LINE)];
  assert.equal(stops.length, 2, gdb);
  const [handled, fatal] = stops;
  const [, addr] = /^demand-readonly: writing to (0x[0-9a-f]{8})$/m.exec(serial) ?? assert.fail(`${gdb}\n${serial}`);
  assert.equal(handled[1], addr, gdb);
  assert.equal(handled[2], "not present, read, supervisor");
  assert.match(gdb, new RegExp(`^  the kernel will handle it: the first touch of lazy area ${addr}\\+1 \\(0 backed\\);`, "m"), gdb);
  assert.match(gdb, new RegExp(`^  parked for lazy area ${addr}\\+1 \\(0 backed\\): its first touch backs it$`, "m"), gdb);
  assert.equal(fatal[1], addr);
  assert.equal(fatal[2], "protection violation, write, supervisor");
  assert.equal(gdb.match(/will handle/g).length, 1, "the fatal stop does not say it will be handled");
  // vmmap: the parked page is not mapped at the first stop; backed by the second, read-only.
  const [atHandled, atFatal] = gdb.split(/^page fault at .*$/m).slice(1);
  const mapped = new RegExp(`^  ${addr}-0x[0-9a-f]{8}  0x[0-9a-f]{8}  r-s +1$`, "m");
  assert.doesNotMatch(atHandled, new RegExp(`^  ${addr}-`, "m"), gdb);
  assert.match(atFatal, mapped, gdb);
  assert.match(atFatal, /^  page faults handled so far: 1$/m, gdb);
});

test("pfstop off does not stop; pfstop with a wrong word says how to use it", async () => {
  // The first stop is then the failure stop, after the fatal fault's report.
  const { gdb: output } = await debugSession("test=demand-readonly", ["pfstop off", "continue"]);
  assert.match(output, /^pfstop: not stopping at page faults$/m, output);
  assert.doesNotMatch(output, /^page fault at/m, output);
  assert.match(output, /^kernel stopped on a failure/m, output);
  const { stdout, stderr } = await run("gdb", ["-q", "-nx", "-batch", "-x", "tools/gdb/kernel.py",
    "-ex", "help pfstop", "-ex", "pfstop", "-ex", "pfstop sometimes"]).catch((error) => error);
  assert.match(stdout, /^pfstop fatal\|all\|off: which page faults stop GDB\./m, stdout);
  assert.match(stdout, /^pfstop: stopping at page faults the kernel will not handle$/m, "the default is fatal");
  assert.match(stderr, /usage: pfstop fatal\|all\|off/, stderr);
});

test("a fault in interrupt context stays fatal: GDB sets the IRQ depth at a handled fault, and it is reported", async () => {
  // At the stop for the (handled) read, before the handler runs, pretend an
  // IRQ handler is running: the same fault must now be reported.
  const { gdb, serial } = await debugSession("test=demand-readonly", [
    "pfstop all", "continue", "set var kernel_instance.w2c_kernel_core_context_depth = 1", "continue",
  ]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, /^  the kernel will handle it: /m, context);
  const [, addr] = /^page fault at (0x[0-9a-f]{8}) \(cr2\): not present, read/m.exec(gdb) ?? assert.fail(context);
  assert.match(serial, /^\*\*\* KERNEL FAULT: page fault \(#PF, vector 0xe\)$/m, context);
  assert.match(serial, new RegExp(`^    address:     ${addr} \\(cr2\\)$`, "m"), context);
  assert.match(serial, /^    error code:  0x00000000: not present, read, supervisor$/m, context);
  assert.doesNotMatch(serial, /^ok   demand-readonly: the read is handled/m, context);
});

// --- GDB tells the truth in TypeScript -------------------------------------------

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("the interrupted frame shows the line of its own EIP in bt and frame 1, not the line before", async () => {
  // test=demand's first handled fault is a store whose instruction starts its line:
  // looked up at EIP - 1, as for a caller, it was the line of the code before it.
  const { gdb, serial } = await debugSession("test=demand", ["pfstop all", "continue", "bt 2", "frame 1"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  const [, line] = /^  eip 0x[0-9a-f]{8} in kernel\/ktest\/demand\.ts:(\d+) /m.exec(gdb) ?? assert.fail(`no stop${context}`);
  const source = readFileSync("kernel/ktest/demand.ts", "utf8").split("\n")[line - 1];
  assert.match(source, /store<u32>/, `the stop is at the faulting store${context}`);
  assert.match(gdb, /^#0  interrupt_entry \(\) at boot\/interrupts\.asm:\d+$/m, context);
  assert.match(gdb, new RegExp(`^#1  (?:0x[0-9a-f]{8} in )?\\w+ \\(\\) at kernel/ktest/demand\\.ts:${line}$`, "m"), `bt${context}`);
  assert.match(gdb, new RegExp(`^#1  (?:0x[0-9a-f]{8} in )?\\w+ \\(\\) at kernel/ktest/demand\\.ts:${line}\n${line}\t${escapeRe(source)}$`, "m"), `frame 1${context}`);
});

test("GDB names the functions and their parameters as TypeScript does, and finds no other module's name for a lost variable", async () => {
  const { gdb, serial } = await debugSession("fault=0xdead0000", ["continue", "frame 2", "print number", "info symbol injectFault"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, /^#2  0x[0-9a-f]{8} in injectFault \(.*\) at kernel\/debug\/inject\.ts:\d+$/m, context);
  // injectFault's `number` is a local the optimiser kept in a register only;
  // kernel/monitor/commands.ts has a function of that name, which GDB must not show instead.
  assert.match(readFileSync("kernel/debug/inject.ts", "utf8"), /const number = /);
  assert.match(gdb, /^No symbol "number" in current context\.$/m, context);
  assert.doesNotMatch(gdb, /<\w*number>/, context);
  assert.match(gdb, /^injectFault in section \.text$/m, context);
  // A constructor clang inlines keeps the TypeScript parameter names (its `this` first).
  const { stdout } = await run("llvm-dwarfdump", ["--name=w2c_kernel_lib_actions_Action_constructor", "-c", KERNEL], { maxBuffer: 1 << 26 });
  const own = stdout.split(/\n(?=0x)/).findIndex((die) => /DW_TAG_subprogram/.test(die));
  assert.ok(own >= 0, stdout.slice(0, 2000));
  const params = stdout.split(/\n(?=0x)/).slice(own + 1).filter((die) => /DW_TAG_formal_parameter/.test(die)).slice(0, 4)
    .map((die) => /DW_AT_name\s+\("(\w+)"\)/.exec(die)?.[1]);
  assert.match(readFileSync("kernel/lib/actions.ts", "utf8"), /constructor\(\s*readonly name: string,\s*readonly help: string,\s*readonly run: /);
  assert.deepEqual(params, ["this", "name", "help", "run"]);
});

test("break NAME reports the function's own TypeScript file and line, not the first inlined line", async () => {
  const bringUp = sourceLine("kernel/bringup.ts", "export function bringUp(");
  const areaFree = sourceLine("kernel/mm/area.ts", "export function areaFree(");
  const { stdout } = await run("gdb", ["-q", "-nx", "-batch", KERNEL, "-x", "tools/gdb/kernel.py", "-ex", "break bringUp", "-ex", "break areaFree"]);
  const [, a] = /^Breakpoint 1 at 0x[0-9a-f]+: file kernel\/bringup\.ts, line (\d+)\.$/m.exec(stdout) ?? assert.fail(stdout);
  const [, b] = /^Breakpoint 2 at 0x[0-9a-f]+: file kernel\/mm\/area\.ts, line (\d+)\.$/m.exec(stdout) ?? assert.fail(stdout);
  assert.ok(Number(a) > bringUp && Number(a) < bringUp + 10, stdout);
  assert.ok(Number(b) > areaFree && Number(b) < areaFree + 10, stdout);
});

test("break FILE.ts:LINE says when the file name is two files' and where it bound", async () => {
  const { stdout } = await run("gdb", ["-q", "-nx", "-batch", KERNEL, "-x", "tools/gdb/kernel.py",
    "-ex", "break alloc.ts:236", "-ex", "break kernel/mm/alloc.ts:80", "-ex", "break demand.ts:30"]);
  assert.match(stdout, /^note: alloc\.ts names 2 files, kernel\/ktest\/alloc\.ts, kernel\/mm\/alloc\.ts; breakpoint 1 is at kernel\/(?:ktest|mm)\/alloc\.ts:\d+(?:, kernel\/mm\/alloc\.ts:\d+)?\. Give the path to choose one \(break kernel\/ktest\/alloc\.ts:236\)$/m, stdout);
  assert.equal(stdout.match(/^note:/gm).length, 1, `a full path, or a name one file has, binds without a note:\n${stdout}`);
});

test("step stays in TypeScript: it never stops in boot/cpu.h's inlined primitives", async () => {
  // serialPutByte's loop reads the line status with inb; the line after sends with outb.
  const line = sourceLine("kernel/drivers/serial.ts", "while ((inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0) {}");
  const { gdb, serial } = await debugSession("", [`break kernel/drivers/serial.ts:${line}`, "continue", "delete", "step", "step", "step", "step"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, new RegExp(`^Breakpoint 1\\.\\d+, \\w+ \\(.*\\) at kernel/drivers/serial\\.ts:${line}$`, "m"), context);
  assert.doesNotMatch(gdb, /cpu\.h|Z_cpuZ_/, context);
  const after = gdb.slice(gdb.indexOf(`serial.ts:${line}\n`));
  assert.ok((after.match(/^\d+\t/gm) ?? []).length >= 5, `each step stops at a TypeScript line${context}`);
});

test("an argument in a register the call clobbered is not shown with the callee's value", async () => {
  // kmain keeps the multiboot magic in ECX until it calls bringUp; from a
  // stop in bringUp, the caller's ECX is not known (i386 System V: a call clobbers it).
  const { gdb, serial } = await debugSession("", ["break bringUp", "continue", "bt"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, /^#0  bringUp \(magic=732803074, info=\d+\) at kernel\/bringup\.ts:\d+$/m, context);
  assert.match(gdb, /^#1  0x[0-9a-f]{8} in kmain \(magic=(?:<optimized out>|732803074), multibootInfo=\d+\) at kernel\/main\.ts:\d+$/m, context);
  assert.match(gdb, /^#2  0x[0-9a-f]{8} in export kmain \(magic=732803074, /m, context);
});

test("strings print as text and the kernel's records field by field", async () => {
  const name = "alloc(0) returns 0";
  assert.match(readFileSync("kernel/ktest/alloc.ts", "utf8"), new RegExp(`checkEqual\\("${escapeRe(name)}"`));
  const { gdb, serial } = await debugSession("test=alloc", ["break checkEqual", "continue", "info args", "delete", "break slabGrow", "continue", "print d", "whatis d", "print/x d"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, new RegExp(`^name = 0x[0-9a-f]{8} "${escapeRe(name)}"$`, "m"), context);
  // The first slab of the 8-byte class: the kernel's own dump says its size and capacity.
  const layout = JSON.parse(readFileSync(KERNEL.replace(/kernel\.elf$/, "gen/layout.json"), "utf8")).records.SlabDesc;
  const fields = Object.keys(layout.fields).map((f) => `${f} = \\d+`).join(", ");
  assert.match(gdb, new RegExp(`^\\$1 = SlabDesc at 0x[0-9a-f]{8} = \\{${fields}\\}$`, "m"), context);
  assert.match(gdb, /^\$1 = SlabDesc at 0x[0-9a-f]{8} = \{size = 8, /m, context);
  assert.match(gdb, /^type = SlabDesc$/m, context);
  assert.match(gdb, /^\$2 = 0x[0-9a-f]+$/m, "print/x shows the pointer itself");
});

test("the DEBUG=1 kernel keeps its TypeScript locals: info locals names them", async () => {
  const file = "kernel/mm/alloc.ts";
  const stop = sourceLine(file, "let slab = d.partial;");
  const { gdb, serial } = await gdbSession(DEBUG_KERNEL, "test=alloc", [`break ${file}:${stop}`, "continue", "next", "info locals", "print slab"], { qemuArgs: QEMU_ARGS });
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  assert.match(gdb, /^Breakpoint 1(?:\.\d+)?, alloc \(/m, context);
  assert.match(gdb, /^slab = \d+$/m, context);
  assert.match(gdb, /^d = \d+$/m, context);
  assert.doesNotMatch(gdb, /^w2c_l\d+ = /m, context);
  assert.match(gdb, /^\$1 = \d+$/m, context);
});

test("vmmap: the directory's own page is named so, and a lazy area backed page by page is one line", async () => {
  // test=demand's full area: a quarter of free memory, every page touched, its frames from the free list.
  const line = sourceLine("kernel/ktest/demand.ts", 'checkEqual("full: every page backed"');
  const { gdb, serial } = await debugSession("test=demand", [`break kernel/ktest/demand.ts:${line}`, "continue", "areas", "vmmap"]);
  const context = `\n--- gdb ---\n${gdb}\n--- serial ---\n${serial}`;
  const [, start, end, pages] = /^    (0x[0-9a-f]{8})-(0x[0-9a-f]{8})  (\d+) pages  \(lazy, \3 backed\)$/m.exec(gdb) ?? assert.fail(`no lazy area${context}`);
  assert.ok(Number(pages) >= 16, context);
  const map = section(gdb, "  virtual ", /^\[Inferior/);
  const inArea = map.filter((l) => { const m = /^  (0x[0-9a-f]{8})-/.exec(l); return m && Number(m[1]) >= Number(start) && Number(m[1]) <= Number(end); });
  assert.deepEqual(inArea.length, 1, context);
  assert.match(inArea[0], new RegExp(`^  ${start}-${end}  (?:0x[0-9a-f]{8}|scattered ) +rws +${pages}$`), context);
  assert.match(gdb, /^  0xfffff000-0xffffffff  0x[0-9a-f]{8}  rws +1  \(mirror: the page directory\)$/m, context);
  assert.doesNotMatch(gdb, /^  0xfffff000-.*\(mirror: page tables\)$/m, context);
  assert.ok(map.length < 16, `one line per range:\n${map.join("\n")}`);
});
