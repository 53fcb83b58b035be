// tools/run/sessions.mjs: scripted sessions with a booted kernel, for the
// tests and the docs' transcripts (tools/build/docs.mjs).
//
//   monitorSession  boots with `monitor` and types lines at its prompt
//   gdbSession      boots halted with QEMU's GDB stub and runs GDB in batch
//                   mode with tools/gdb/kernel.py

import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { qemuArgs, runQemu } from "./qemu.mjs";

export const PROMPT = "tsk> ";
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

/**
 * Boots `kernel` with `cmdline` (which should hold `monitor`) and types each
 * of `lines` once the prompt before it is out (a function gives the line
 * from the serial output so far). Resolves to the run of
 * runQemu: the serial output holds the prompts and the kernel's echo of
 * each line.
 */
export function monitorSession(kernel, lines, { cmdline = "monitor", qemuArgs: extra = "", timeoutMs = 60_000 } = {}) {
  let sent = 0;
  return runQemu(qemuArgs({ kernel, cmdline, qemuArgs: extra }), {
    timeoutMs,
    input: true,
    onSerial(child, serial) {
      const prompts = serial.split(PROMPT).length - 1;
      while (sent < lines.length && prompts > sent) {
        const line = lines[sent++];
        child.stdin.write((typeof line === "function" ? line(serial) : line) + "\n");
      }
    },
  });
}

/**
 * Boots `kernel` halted with the GDB stub, runs GDB in batch mode with
 * tools/gdb/kernel.py and `commands`, then kills the machine. Resolves to
 * { gdb, serial }: GDB's output and the kernel's serial output.
 */
export async function gdbSession(kernel, cmdline, commands, { qemuArgs: extra = "" } = {}) {
  const port = await freePort();
  const args = [...qemuArgs({ kernel, cmdline, qemuArgs: extra }), "-S", "-gdb", `tcp:127.0.0.1:${port}`];
  const qemu = spawn("qemu-system-i386", args, { stdio: ["ignore", "pipe", "pipe"] });
  let serial = "";
  qemu.stdout.on("data", (chunk) => (serial += chunk.toString("latin1")));
  const exited = new Promise((resolve) => qemu.on("close", resolve));
  try {
    const gdbArgs = ["-q", "-nx", "-batch", kernel, "-x", "tools/gdb/kernel.py", "-ex", `target remote 127.0.0.1:${port}`];
    for (const c of [...commands, "kill"]) gdbArgs.push("-ex", c);
    const { stdout, stderr } = await run("gdb", gdbArgs, { timeout: 60_000 });
    return { gdb: stdout + stderr, serial: (await exited, serial.replace(/\r\n/g, "\n")) };
  } finally {
    qemu.kill("SIGKILL");
  }
}
