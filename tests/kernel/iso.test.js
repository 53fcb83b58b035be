// build/kernel.iso (`make iso`): the GRUB 2 image booted from a CD in QEMU,
// as a PC's BIOS boots it.
//
// GRUB shows its menu on the serial port too (boot/grub/grub.cfg), so the
// test reads it there and picks an entry by its hotkey, as a user at a serial
// console would. Under GRUB the command line is only the words after the file
// name (no file name first, as QEMU's -kernel puts there), and the boot
// loader's name is GRUB's: both are checked on what the kernel printed.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { explain, judgeSuite, KERNEL, TIMEOUT_MS } from "./kernel.js";
import { machineArgs, runQemu, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

/** The image next to the kernel under test: build/kernel.iso, or build/debug/kernel.iso. */
const ISO = join(dirname(KERNEL), "kernel.iso");

// GRUB's countdown line: the menu is drawn and waits for a key.
const MENU_SHOWN = /executed automatically in \d+s/;

/**
 * Boots the ISO from the CD drive (`disk`: from a hard disk holding the image
 * as it is, as a USB stick written with dd is seen by the BIOS); with
 * `hotkey`, presses it on the serial port once the menu shows; with `reply`
 * ({ when, text }), types `text` once the serial text matches `when`.
 * Resolves to { serial, status, signal, timedOut, stderr }.
 */
async function bootIso({ disk = false, hotkey = null, reply = null, timeoutMs = TIMEOUT_MS } = {}) {
  assert.ok(existsSync(ISO), `${ISO} is missing: make iso (make test builds it)`);
  const from = disk ? ["-drive", `file=${ISO},format=raw,if=ide,snapshot=on`, "-boot", "c"] : ["-cdrom", ISO, "-boot", "d"];
  let pressed = hotkey === null;
  let replied = reply === null;
  return runQemu([...from, ...machineArgs()], {
    timeoutMs,
    input: true,
    onSerial(child, serial) {
      if (!pressed && MENU_SHOWN.test(serial)) {
        pressed = true;
        child.stdin.write(hotkey);
      }
      if (!replied && reply.when.test(serial)) {
        replied = true;
        child.stdin.write(reply.text);
      }
    },
  });
}

/** What the kernel printed after GRUB handed over: from its banner on. */
function kernelText(run) {
  const at = run.serial.indexOf("tskernel: an i386 kernel");
  assert.ok(at >= 0, `the kernel never started:\n${explain(run)}`);
  return run.serial.slice(at);
}

/** The kernel's "boot loader:" and "command line:" lines. */
function loaderLines(text) {
  return {
    loader: /^boot loader: +(.*)$/m.exec(text)?.[1],
    cmdline: /^command line:(.*)$/m.exec(text)?.[1].trim(),
  };
}

// The boots are independent: they run side by side (GRUB's countdown
// makes the first one the longest).
describe("kernel.iso", { concurrency: true }, () => {
  test("the default entry boots through GRUB 2 to a clean halt, with an empty command line", async () => {
    const run = await bootIso();
    assert.equal(run.status, STATUS_SUCCESS, explain(run));
    assert.match(run.serial, /GNU GRUB +version 2\./, "GRUB's menu shows on the serial port");
    const text = kernelText(run);
    assert.match(text, /^kernel halted cleanly$/m, explain(run));
    const { loader, cmdline } = loaderLines(text);
    assert.match(loader ?? "", /^GRUB 2\./, explain(run));
    assert.equal(cmdline, "", `GRUB passes no file name and no word for the plain entry\n${explain(run)}`);
  });

  test("the self-test entry (hotkey t) passes exactly test=cpu, and the suite runs", async () => {
    const run = judgeSuite("cpu", await bootIso({ hotkey: "t" }));
    assert.ok(run.ok, explain(run));
    const { loader, cmdline } = loaderLines(kernelText(run));
    assert.match(loader ?? "", /^GRUB 2\./);
    assert.equal(cmdline, "test=cpu", "the first word is the entry's own word, not a file name");
  });

  // The monitor entry boots into the prompt; `halt` typed on the serial port ends the run.
  test("the monitor entry (hotkey m) passes exactly the word monitor, and the monitor answers", async () => {
    const run = await bootIso({ hotkey: "m", reply: { when: /\ntsk> /, text: "halt\r" } });
    const { loader, cmdline } = loaderLines(kernelText(run));
    assert.match(loader ?? "", /^GRUB 2\./);
    assert.equal(cmdline, "monitor", explain(run));
    assert.match(run.serial, /^tsk> halt\nkernel halted cleanly$/m, explain(run));
    assert.equal(run.status, STATUS_SUCCESS, explain(run));
  });

  test("written to a disk as it is (a USB stick), it boots too: the plain entry (hotkey b)", async () => {
    const run = await bootIso({ disk: true, hotkey: "b" });
    assert.equal(run.status, STATUS_SUCCESS, explain(run));
    const text = kernelText(run);
    assert.match(text, /^kernel halted cleanly$/m, explain(run));
    const { loader, cmdline } = loaderLines(text);
    assert.match(loader ?? "", /^GRUB 2\./, explain(run));
    assert.equal(cmdline, "", explain(run));
  });
});

test("the ISO line of docs/build.md boots the menu's first entry headless and ends with status 33", async () => {
  const line = readFileSync("docs/build.md", "utf8").split("\n").find((l) => l.startsWith("qemu-system-i386 -cdrom "));
  assert.ok(line, "docs/build.md has no qemu-system-i386 -cdrom line");
  const [, ...args] = line.trim().split(/\s+/);
  const run = await runQemu(args.map((a) => (a === "build/kernel.iso" ? ISO : a)), { timeoutMs: TIMEOUT_MS });
  assert.equal(run.status, STATUS_SUCCESS, `${line}\n${explain(run)}`);
  assert.match(run.serial, /^kernel halted cleanly$/m, explain(run));
});
