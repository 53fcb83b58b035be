// kernel/core/halt.ts: stopping the kernel, cleanly or after a failure.
//
// Both leave QEMU through isa-debug-exit with a status the host can tell
// apart, and on real hardware stop the CPU with interrupts masked.

import { cli, hlt } from "../arch/x86/cpu";
import { debugExit, EXIT_FAILURE, EXIT_SUCCESS } from "../drivers/debugexit";

/** The kernel is done and all went well (also: a test suite passed). Does not return. */
export function haltSuccess(): void {
  debugExit(EXIT_SUCCESS);
  stopCpu();
}

/** The kernel cannot go on: trap, panic, fault, failed suite. Does not return. */
export function haltFailure(): void {
  debugExit(EXIT_FAILURE);
  stopCpu();
}

function stopCpu(): void {
  while (true) {
    cli();
    hlt();
  }
}
