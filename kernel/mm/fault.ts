// kernel/mm/fault.ts: the page faults the kernel handles.
//
// core/exceptions.ts asks pageFaultHandled about every page fault before it
// reports one. The answer "yes" means a page was backed and the faulting
// instruction is to be retried (the CPU restarts it: a #PF is a fault, SDM
// vol. 3, 6.5 and 6.15, and EIP points at it); "no" leads to the report
// that stops the kernel, exactly as before.
//
// The rule. A fault is handled only when all of these hold:
//   - the error code says: not present, supervisor, data access (SDM vol. 3,
//     4.7): a protection violation (a write to a read-only page), a reserved
//     bit, a user access or an instruction fetch stay fatal;
//   - it is not a fault while handling a fault, and not in interrupt
//     context (core/context.ts inInterrupt): the handler allocates, and an
//     IRQ handler may have interrupted the allocators halfway;
//   - CR2 is a reserved page of a lazy area (mm/lazy.ts, found in O(1)
//     from the page's not-present entry, which keeps the area's record):
//     an address in no area, in the mirror window or a guard page, or in a
//     plain area stays fatal.
// A lazy fault with no physical page left cannot be handled and cannot be
// refused to anyone (the faulting code has no error path): it is reported
// as "out of memory while backing ADDR in area START+PAGES", followed by
// the fault report, and the kernel stops.

import { readCr2 } from "../arch/x86/cpu";
import { inMirror } from "../arch/x86/paging";
import { print, printDec, printHex, println } from "../core/console";
import { inInterrupt } from "../core/context";
import { InterruptFrame } from "../core/interrupts";
import { MemArea } from "./area";
import { lazyAreaOf, lazyBack, LAZY_BACKED, LAZY_OUT_OF_MEMORY } from "./lazy";

// Error-code bits that make a fault fatal whatever the address (SDM vol. 3, 4.7, figure 4-12):
// P (protection violation), U/S (user access), RSVD (reserved bit), I/D (instruction fetch).
@inline const PF_FATAL_BITS: u32 = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4);

let handled: u32 = 0;
let handling = false;
let touchWhileHandling: u32 = 0;
const touched = memory.data(4);   // where the injected read lands, so it is kept

/** Page faults handled (pages backed on first touch) since boot. */
export function pageFaultsHandled(): u32 { return handled; }

/** Whether the kernel handled the page fault in `frame`; then the faulting instruction is retried. */
export function pageFaultHandled(frame: InterruptFrame): bool {
  if ((frame.errorCode & PF_FATAL_BITS) != 0) return false;
  if (handling || inInterrupt()) return false;
  const addr = readCr2();
  if (inMirror(addr)) return false;
  handling = true;
  if (touchWhileHandling != 0) store<u8>(touched, load<u8>(touchWhileHandling));
  const result = lazyBack(addr);
  handling = false;
  if (result == LAZY_BACKED) {
    handled++;
    return true;
  }
  if (result == LAZY_OUT_OF_MEMORY) printOutOfMemory(addr);
  return false;
}

/**
 * Fault injection (test=demand-nested): the next handled fault first reads
 * `addr`, as a handler with a bug would; an unmapped `addr` then faults
 * while a fault is being handled. 0 turns it off.
 */
export function pageFaultTouchWhileHandling(addr: u32): void {
  touchWhileHandling = addr;
}

function printOutOfMemory(addr: u32): void {
  const a = changetype<MemArea>(lazyAreaOf(addr));
  print("out of memory while backing ");
  printHex(addr);
  print(" in area ");
  printHex(a.start);
  print("+");
  printDec(a.pages);
  println();
}
