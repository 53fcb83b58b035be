// The kernel booted by GRUB, which passes the command line without the
// kernel's path (QEMU's own loader puts the path first): no word may be
// lost, so a typo in the first word is refused here too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { KERNEL, TIMEOUT_MS } from "./kernel.js";
import { machineArgs, runQemu, STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

// A GRUB rescue ISO that boots the kernel at once with `cmdline`.
function grubIso(name, cmdline) {
  const root = path.join("build", "grub-test", name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, "iso", "boot", "grub"), { recursive: true });
  copyFileSync(KERNEL, path.join(root, "iso", "boot", "kernel.elf"));
  writeFileSync(path.join(root, "iso", "boot", "grub", "grub.cfg"),
    `set timeout=0\nset default=0\nmenuentry "tskernel" {\n  multiboot /boot/kernel.elf ${cmdline}\n  boot\n}\n`);
  const iso = path.join(root, "kernel.iso");
  execFileSync("grub-mkrescue", ["-o", iso, path.join(root, "iso")], { stdio: "ignore" });
  return iso;
}

function bootIso(iso) {
  return runQemu(["-cdrom", iso, ...machineArgs()], { timeoutMs: TIMEOUT_MS });
}

const log = (run) => `QEMU status ${run.status}\n--- serial log ---\n${run.serial}--- end ---`;

test("under GRUB the first word is read: tset=paging is refused", async () => {
  const run = await bootIso(grubIso("typo", "tset=paging"));
  assert.match(run.serial, /^boot loader: +GRUB/m, log(run));
  assert.match(run.serial, /^command line: +tset=paging$/m, "GRUB passes the words alone");
  assert.match(run.serial, /^command line: tset=paging is not a known word; known: /m, log(run));
  assert.equal(run.status, STATUS_FAILURE, log(run));
});

test("under GRUB test=console runs the suite", async () => {
  const run = await bootIso(grubIso("console", "test=console"));
  assert.match(run.serial, /^suite console: \d+ passed, 0 failed$/m, log(run));
  assert.equal(run.status, STATUS_SUCCESS, log(run));
});
