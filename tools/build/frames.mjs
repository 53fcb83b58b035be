// tools/build/frames.mjs: call frame information that does not lie about the
// registers a call clobbers.
//
//   node tools/build/frames.mjs KERNEL.elf
//
// The i386 System V ABI (2.2.2) lets a called function change EAX, ECX and
// EDX. clang's .debug_frame says nothing about them, and GDB then takes an
// unsaid register of a caller's frame to be the one the callee holds now.
// A parameter clang keeps in one of them until a call (kmain's magic, in
// ECX until bringUp is called) then shows in the caller's frame with the
// callee's value: `kmain (magic=0)`. Each of clang's CIEs gets
// DW_CFA_undefined for the three (DWARF 5, 6.4.2.3), so GDB shows such a
// parameter as <optimized out> (or its value at entry, where the call site
// records it), never a wrong value. boot/interrupts.asm's own CIE (augmentation
// "zS": interrupt_entry restores every register) is left as it is. Only the
// debug section changes: not one byte the kernel runs.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DW_CFA_undefined = 0x07;
const DW_CFA_nop = 0x00;
const CLOBBERED = [0, 1, 2]; // EAX, ECX, EDX: i386 DWARF register numbers (System V i386 ABI, 2.5)
const CIE_ID = 0xffffffff;

const [elfPath] = process.argv.slice(2);
if (!elfPath) {
  console.error("usage: frames.mjs KERNEL.elf");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "frames-"));
try {
  const before = join(dir, "before"), after = join(dir, "after");
  execFileSync("llvm-objcopy", [`--dump-section=.debug_frame=${before}`, elfPath, join(dir, "unused")]);
  const { bytes, cies, marked } = markClobbered(readFileSync(before));
  writeFileSync(after, bytes);
  execFileSync("llvm-objcopy", [`--update-section=.debug_frame=${after}`, elfPath]);
  console.log(`frames: EAX, ECX and EDX undefined after a call in ${marked} of ${cies} CIEs`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** .debug_frame with each augmentation-less CIE's rules extended, and every FDE pointing at its CIE's new offset. */
function markClobbered(b) {
  const entries = [];
  for (let at = 0; at < b.length; ) {
    const length = b.readUInt32LE(at);
    if (length === 0xffffffff) throw new Error("frames: 64-bit DWARF in .debug_frame");
    if (length === 0) break; // a terminator
    const id = b.readUInt32LE(at + 4);
    entries.push({ at, id, body: b.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  const moved = new Map();
  const parts = [];
  let size = 0, cies = 0, marked = 0;
  for (const e of entries) {
    let body = e.body;
    if (e.id === CIE_ID) {
      cies++;
      moved.set(e.at, size);
      if (body[5] === 0) { // version byte, then an empty augmentation string
        const rules = CLOBBERED.flatMap((r) => [DW_CFA_undefined, r]);
        const padding = (4 - ((body.length + rules.length) % 4)) % 4; // whole 4-byte units (address size)
        body = Buffer.concat([body, Buffer.from(rules), Buffer.alloc(padding, DW_CFA_nop)]);
        marked++;
      }
    } else {
      if (!moved.has(e.id)) throw new Error(`frames: the FDE at ${e.at} names no CIE before it (${e.id})`);
      body = Buffer.from(body);
      body.writeUInt32LE(moved.get(e.id), 0);
    }
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length);
    parts.push(header, body);
    size += 4 + body.length;
  }
  return { bytes: Buffer.concat(parts), cies, marked };
}
