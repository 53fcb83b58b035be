// tools/run.mjs: `make run`. Boots the kernel with serial on this terminal,
// then says how it ended; the exit status is 0 only for a clean halt.
//
//   CMDLINE="test=console" QEMU_ARGS="-m 8M" node tools/run.mjs build/kernel.elf

import { spawnSync } from "node:child_process";
import { describeStatus, qemuArgs, STATUS_SUCCESS } from "./qemu.mjs";

const kernel = process.argv[2] ?? "build/kernel.elf";
const args = qemuArgs({ kernel, cmdline: process.env.CMDLINE ?? "", qemuArgs: process.env.QEMU_ARGS ?? "" });
const result = spawnSync("qemu-system-i386", args, { stdio: "inherit" });
if (result.error) {
  console.error(`run: cannot start qemu-system-i386: ${result.error.message}`);
  process.exit(1);
}
console.error(`\nrun: ${describeStatus(result.status, result.signal)} (QEMU status ${result.status})`);
process.exit(result.status === STATUS_SUCCESS ? 0 : 1);
