// tools/debug.mjs: `make debug`. Starts QEMU halted with its GDB stub on
// localhost:1234 (serial to build/serial.log), then GDB with the kernel's
// symbols and tools/gdb/kernel.py, attached. Quitting GDB ends QEMU.
//
//   CMDLINE="test=console" QEMU_ARGS="-m 8M" node tools/debug.mjs build/kernel.elf

import { spawn, spawnSync } from "node:child_process";
import { qemuArgs } from "./qemu.mjs";

const kernel = process.argv[2] ?? "build/kernel.elf";
const serialLog = "build/serial.log";
const args = qemuArgs({
  kernel,
  cmdline: process.env.CMDLINE ?? "",
  qemuArgs: process.env.QEMU_ARGS ?? "",
  serial: `file:${serialLog}`,
});
const qemu = spawn("qemu-system-i386", [...args, "-s", "-S"], { stdio: ["ignore", "inherit", "inherit"] });
console.error(`debug: QEMU waits for GDB on localhost:1234; kernel serial output goes to ${serialLog}`);

const gdb = spawnSync("gdb", ["-q", kernel, "-x", "tools/gdb/kernel.py", "-ex", "target remote localhost:1234"], {
  stdio: "inherit",
});
qemu.kill("SIGKILL");
process.exit(gdb.status ?? 1);
