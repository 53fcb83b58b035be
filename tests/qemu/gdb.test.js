// GDB against the kernel over QEMU's stub: the page-fault stop and the
// commands of tools/gdb/kernel.py, checked against what the kernel itself
// prints in the same boot (dump=alloc runs before the fault).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { qemuArgs } from "../../tools/qemu.mjs";
import { KERNEL, QEMU_ARGS } from "./kernel.js";

const run = promisify(execFile);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Boots halted with the GDB stub, runs GDB in batch mode with `commands`, returns both outputs. */
async function debugSession(cmdline, commands) {
  const port = await freePort();
  const args = [...qemuArgs({ kernel: KERNEL, cmdline, qemuArgs: QEMU_ARGS }), "-S", "-gdb", `tcp:127.0.0.1:${port}`];
  const qemu = spawn("qemu-system-i386", args, { stdio: ["ignore", "pipe", "pipe"] });
  let serial = "";
  qemu.stdout.on("data", (chunk) => (serial += chunk.toString("latin1")));
  const exited = new Promise((resolve) => qemu.on("close", resolve));
  try {
    const gdbArgs = ["-q", "-nx", "-batch", KERNEL, "-x", "tools/gdb/kernel.py", "-ex", `target remote 127.0.0.1:${port}`];
    for (const c of [...commands, "kill"]) gdbArgs.push("-ex", c);
    const { stdout, stderr } = await run("gdb", gdbArgs, { timeout: 60_000 });
    return { gdb: stdout + stderr, serial: (await exited, serial.replace(/\r\n/g, "\n")) };
  } finally {
    qemu.kill("SIGKILL");
  }
}

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
  assert.match(gdb, /^  eip 0x[0-9a-f]{8} in kernel\/debug\/inject\.ts faultWrite\+0x[0-9a-f]+$/m, context);
  const ours = section(gdb, "backtrace from the fault:", /^\(pt /).join("\n");
  assert.match(ours, /#0 +0x[0-9a-f]{8}  kernel\/debug\/inject\.ts faultWrite\+.*\n.*#1 +0x[0-9a-f]{8}  kernel\/debug\/inject\.ts injectFault\+.*\n.*#2 +0x[0-9a-f]{8}  kernel\/main\.ts kmain\+/, context);

  // pt: the walk stops at the PDE.
  assert.match(gdb, /^  pde 0x00000000 at 0xfffffde8 \(not present\)\n  the walk stops at the PDE: 0xdead0000 is not mapped$/m, context);

  // GDB's own bt goes through the interrupt stub into the function that faulted.
  assert.match(gdb, /^#0  interrupt_entry \(\)/m, context);
  assert.match(gdb, /^#1  0x[0-9a-f]{8} in w2c_kernel_debug_inject_faultWrite /m, context);
  assert.match(gdb, /^#\d+ +0x[0-9a-f]{8} in w2c_kernel_main_kmain /m, context);
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
  assert.match(gdb, /^  0xfffff000-0xffffffff  0x[0-9a-f]{8}  rws +1  \(mirror: page tables\)$/m, context);
  assert.match(gdb, /^  0xffc00000-0xffc00fff  0x[0-9a-f]{8}  rws +1  \(mirror: page tables\)$/m, "the PDE's supervisor bit counts, though the PTE grants user");
  assert.doesNotMatch(gdb, /Python Exception/, context);
  assert.match(gdb, /slabs: classes are 0 to 9, and 10 \(or records\) for the record cache/, context);

  // cr: decoded.
  assert.match(gdb, /^cr0 0x8001[0-9a-f]{4}  PE .*WP PG$/m, context);
  assert.match(gdb, /^cr2 0xdead0000  last page fault address$/m, context);
});

test("every command explains itself in help", async () => {
  const { stdout } = await run("gdb", ["-q", "-nx", "-batch", "-x", "tools/gdb/kernel.py",
    "-ex", "help pt", "-ex", "help vmmap", "-ex", "help areas", "-ex", "help slabs", "-ex", "help cr"]);
  for (const start of ["pt ADDR: walk", "vmmap: the mapped", "areas: the area", "slabs: the slab", "cr: CR0"]) {
    assert.ok(stdout.includes(start), `help lacks "${start}":\n${stdout}`);
  }
});

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
  assert.match(gdb, new RegExp(`^  reserved for lazy area ${addr}\\+1 \\(0 backed\\): its first touch backs it$`, "m"), gdb);
  assert.equal(fatal[1], addr);
  assert.equal(fatal[2], "protection violation, write, supervisor");
  assert.equal(gdb.match(/will handle/g).length, 1, "the fatal stop does not say it will be handled");
  // vmmap: the reserved page is not mapped at the first stop; backed by the second, read-only.
  const [atHandled, atFatal] = gdb.split(/^page fault at .*$/m).slice(1);
  const mapped = new RegExp(`^  ${addr}-0x[0-9a-f]{8}  0x[0-9a-f]{8}  r-s +1$`, "m");
  assert.doesNotMatch(atHandled, new RegExp(`^  ${addr}-`, "m"), gdb);
  assert.match(atFatal, mapped, gdb);
  assert.match(atFatal, /^  page faults handled so far: 1$/m, gdb);
});

test("pfstop off does not stop; pfstop with a wrong word says how to use it", async () => {
  // The kernel runs to its end and QEMU leaves, so the session's closing `kill` fails: read the output anyway.
  const output = await debugSession("test=demand-readonly", ["pfstop off", "continue"]).then(
    ({ gdb }) => gdb, (error) => `${error.stdout}${error.stderr}`);
  assert.match(output, /^pfstop: not stopping at page faults$/m, output);
  assert.doesNotMatch(output, /^page fault at/m, output);
  assert.match(output, /Remote connection closed|exited/, "the kernel ran to its end");
  const { stdout, stderr } = await run("gdb", ["-q", "-nx", "-batch", "-x", "tools/gdb/kernel.py",
    "-ex", "help pfstop", "-ex", "pfstop", "-ex", "pfstop sometimes"]).catch((error) => error);
  assert.match(stdout, /^pfstop fatal\|all\|off: which page faults stop GDB\./m, stdout);
  assert.match(stdout, /^pfstop: stopping at page faults the kernel will not handle$/m, "the default is fatal");
  assert.match(stderr, /usage: pfstop fatal\|all\|off/, stderr);
});
