// kernel/drivers/debugexit.ts: QEMU's isa-debug-exit device, the way out of the VM.
//
// With `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, writing v to port
// 0xF4 ends QEMU with host exit status (v << 1) | 1. The host side
// (tools/run/qemu.mjs) knows the two statuses below. On a machine without the
// device the write does nothing and the caller halts the CPU instead.

import { outb } from "../arch/x86/cpu";

@inline const DEBUG_EXIT_PORT: u16 = 0xF4;

/** Clean halt or passing test suite: QEMU exits with status 0x10 << 1 | 1 = 33. */
@inline export const EXIT_SUCCESS: u8 = 0x10;
/** Trap, panic, fault or failing test suite: QEMU exits with status 0x11 << 1 | 1 = 35. */
@inline export const EXIT_FAILURE: u8 = 0x11;

/** Asks QEMU to exit with `code`; returns only when the device is absent. */
export function debugExit(code: u8): void {
  outb(DEBUG_EXIT_PORT, code);
}
