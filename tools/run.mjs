// tools/run.mjs: `make run`. Boots the kernel with serial on this terminal,
// then says how it ended; the exit status is 0 only for a clean halt.
//
//   CMDLINE="test=console" QEMU_ARGS="-m 8M" node tools/run.mjs build/kernel.elf
//
// From a terminal (stdin is a TTY) the kernel boots into its monitor: the
// word `monitor` is added to the command line, QEMU puts the terminal in raw
// mode (no local echo: the kernel echoes what it reads), `halt` ends the run
// with status 33, and Ctrl-C stops QEMU. Without a terminal (scripts, CI)
// the command line is CMDLINE alone, as before.

import { spawn } from "node:child_process";
import { describeStatus, qemuArgs, STATUS_SUCCESS } from "./qemu.mjs";

const kernel = process.argv[2] ?? "build/kernel.elf";
const interactive = process.stdin.isTTY === true;
const cmdline = `${process.env.CMDLINE ?? ""}${interactive ? " monitor" : ""}`.trim();
const args = qemuArgs({ kernel, cmdline, qemuArgs: process.env.QEMU_ARGS ?? "" });
// Ctrl-C reaches QEMU and this process alike: let QEMU end, then say so.
let interrupted = false;
process.on("SIGINT", () => (interrupted = true));
const child = spawn("qemu-system-i386", args, { stdio: "inherit" });
child.on("error", (error) => {
  console.error(`run: cannot start qemu-system-i386: ${error.message}`);
  process.exit(1);
});
child.on("close", (status, signal) => {
  const how = interrupted && status !== STATUS_SUCCESS ? "stopped by Ctrl-C" : describeStatus(status, signal);
  console.error(`\nrun: ${how} (QEMU status ${status})`);
  process.exit(status === STATUS_SUCCESS ? 0 : 1);
});
