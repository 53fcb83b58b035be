// `make debug` as a person uses it: GDB on one terminal, where Ctrl-C
// interrupts the kernel; the monitor on a second (`make console`, the serial
// socket); and an exit status that says whether the kernel stopped on a
// failure.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL, QEMU_ARGS } from "./kernel.js";

const WAIT_MS = 60_000;

/** A process whose output is collected, with `seen(pattern, from)` to wait for a part of it. */
function started(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (out += chunk));
  const ended = new Promise((resolve) => child.on("close", resolve));
  const seen = async (pattern, from = 0) => {
    for (let waited = 0; !pattern.test(out.slice(from)); waited += 100) {
      if (waited > WAIT_MS) throw new Error(`no ${pattern} in:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return out.length;
  };
  return { child, ended, seen, output: () => out };
}

/** `make debug` on a terminal of its own (script(1)), its serial socket in a directory of the test's. */
function makeDebug(cmdline, dir) {
  const make = `make --no-print-directory debug${KERNEL.includes("/debug/") ? " DEBUG=1" : ""}`;
  const env = { CMDLINE: cmdline, QEMU_ARGS, TERM: "dumb", SERIAL_SOCKET: join(dir, "serial.sock"), SERIAL_LOG: join(dir, "serial.log") };
  return started("script", ["-qfec", make, "/dev/null"], env);
}

/** Runs `body(debug, dir)` against `make debug CMDLINE=cmdline`, then ends the session and removes its directory. */
async function debugging(cmdline, body) {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-debug-"));
  const debug = makeDebug(cmdline, dir);
  try {
    await body(debug, dir);
  } finally {
    debug.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** At GDB's first prompt, `continue` to the stop at the page fault of fault=0xdead0000; where the output is then. */
async function continueToFault(debug) {
  const at = await debug.seen(/\(gdb\) $/);
  debug.child.stdin.write("continue\n");
  return debug.seen(/^page fault at 0xdead0000 \(cr2\)[\s\S]*\(gdb\) $/m, at);
}

test("make debug on a terminal: Ctrl-C interrupts the kernel in GDB, and QEMU, node and make live on", () => debugging("monitor", async (debug) => {
  // A 0x03 written to script(1)'s terminal is a Ctrl-C there: SIGINT to the
  // terminal's foreground process group. The monitor keeps the kernel
  // running (waiting for input, interrupts on).
  // The port is one the system found free, printed for a GDB of one's own.
  await debug.seen(/QEMU waits for GDB on 127\.0\.0\.1:\d+;/);
  const port = Number(/QEMU waits for GDB on 127\.0\.0\.1:(\d+);/.exec(debug.output())[1]);
  let at = await debug.seen(/\(gdb\) $/);
  assert.match(debug.output(), new RegExp(`^Remote debugging using 127\\.0\\.0\\.1:${port}\r?$`, "m"), debug.output());
  debug.child.stdin.write("\x03"); // at the prompt: GDB's own Quit
  at = await debug.seen(/Quit\r?\n\(gdb\) $/, at);
  debug.child.stdin.write("continue\n");
  at = await debug.seen(/Continuing\./, at);
  debug.child.stdin.write("\x03"); // while the kernel runs: interrupt it
  at = await debug.seen(/Program received signal SIGINT, Interrupt\.[\s\S]*\(gdb\) $/, at);
  debug.child.stdin.write("info registers eip\n");
  at = await debug.seen(/eip +0x[0-9a-f]+[\s\S]*\(gdb\) $/, at);
  debug.child.stdin.write("quit\n");
  const status = await debug.ended;
  assert.equal(status, 0, `make debug ended with status ${status}:\n${debug.output()}`);
  assert.doesNotMatch(debug.output(), /Remote connection closed|make: \*\*\*|Interrupt$/m, debug.output());
}));

test("make debug: the monitor is typed at from make console while GDB holds the terminal", () => debugging("monitor", async (debug, dir) => {
  // The walkthrough of docs/debugging.md: a breakpoint at pageMap in GDB,
  // then `map 0xd0000000` typed on the console stops there.
  const socket = join(dir, "serial.sock");
  let console_ = null;
  try {
    await debug.seen(new RegExp(`the kernel's serial port \\(the monitor\\) is ${socket.replace(/[.]/g, "\\.")}:`));
    let at = await debug.seen(/\(gdb\) $/);
    debug.child.stdin.write("break pageMap if vaddr == 0xd0000000\n");
    at = await debug.seen(/Breakpoint 1 at[\s\S]*\(gdb\) $/, at);
    // The console first, while QEMU waits: what the kernel prints with no one
    // connected is only in the log.
    console_ = started("make", ["--no-print-directory", "console"], { SERIAL_SOCKET: socket });
    await console_.seen(/^console: on the kernel's serial port/m);
    debug.child.stdin.write("continue\n");
    at = await debug.seen(/Continuing\./, at);
    await console_.seen(/tsk> /);
    console_.child.stdin.write("map 0xd0000000\n");
    at = await debug.seen(/Breakpoint 1(\.\d+)?, [\s\S]*vaddr=3489660928[\s\S]*\(gdb\) $/, at);
    debug.child.stdin.write("print/x $eip\n");
    at = await debug.seen(/\$1 = 0x[0-9a-f]+[\s\S]*\(gdb\) $/, at);
    debug.child.stdin.write("delete\ncontinue\n");
    await console_.seen(/^map: 0xd0000000 -> 0x[0-9a-f]{8}, writable\r?$/m);
    console_.child.stdin.write("halt\n");
    await console_.ended;
    assert.match(console_.output(), /^run: |^kernel halted cleanly\r?$/m, console_.output());
    assert.match(console_.output(), /^console: the machine ended$/m, console_.output());
    at = await debug.seen(/\(gdb\) $/, at);
    debug.child.stdin.write("quit\n");
    const status = await debug.ended;
    assert.equal(status, 0, `make debug ended with status ${status} after a clean halt:\n${debug.output()}`);
  } finally {
    console_?.child.kill("SIGKILL");
  }
}));

test("make debug exits with a failure after the kernel stopped on a fault", () => debugging("fault=0xdead0000", async (debug) => {
  let at = await continueToFault(debug);
  debug.child.stdin.write("continue\n"); // on to the report, and haltFailure
  at = await debug.seen(/kernel stopped on a failure[\s\S]*\(gdb\) $/, at);
  debug.child.stdin.write("quit\n");
  const status = await debug.ended;
  assert.notEqual(status, 0, `make debug ended with status 0 after a page fault report:\n${debug.output()}`);
  assert.match(debug.output(), /^debug: the kernel stopped on a failure \(its report is on the serial port\) \(the serial output is in .*serial\.log\)\r?$/m, debug.output());
}));

test("make debug quit at a page fault the kernel will not handle exits with a failure", () => debugging("fault=0xdead0000", async (debug) => {
  await continueToFault(debug);
  debug.child.stdin.write("quit\n");
  const status = await debug.ended;
  assert.notEqual(status, 0, `make debug ended with status 0 while stopped at a fatal page fault:\n${debug.output()}`);
  assert.match(debug.output(), /^debug: the kernel stopped at a page fault at 0xdead0000 that it will not handle/m, debug.output());
}));

test("make console without a kernel says to start make debug", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-debug-"));
  try {
    const console_ = started("node", ["tools/run/console.mjs"], { SERIAL_SOCKET: join(dir, "none.sock") });
    const status = await console_.ended;
    assert.equal(status, 1);
    assert.match(console_.output(), /^console: .*none\.sock: no kernel listens there: start `make debug` first$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
