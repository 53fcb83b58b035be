// kernel/mm/fault.ts: the page-fault policy: which page faults the kernel
// handles.
//
// kernel/trap/dispatch.ts asks pageFaultHandled about every page fault
// before it reports one. "Yes" means a page was backed and the faulting
// instruction is to be retried (the CPU restarts it: a #PF is a fault, SDM
// vol. 3, 6.5 and 6.15, and EIP points at it); "no" leads to the report
// that stops the kernel.
//
// The rule. A fault is handled only when all of these hold:
//   - the error code says: not present, supervisor, data access (SDM vol. 3,
//     4.7): a protection violation (a write to a read-only page), a reserved
//     bit, a user access or an instruction fetch stay fatal;
//   - it is not a fault while handling a fault, and not in interrupt
//     context (core/context.ts inInterrupt): the handler allocates, and an
//     IRQ handler may have interrupted the allocators halfway;
//   - CR2 is a parked page of a lazy area (mm/lazy.ts, found in O(1)
//     from the page's not-present entry, which keeps the area's record):
//     an address in no area, in the mirror window or a guard page, or in a
//     plain area stays fatal.
// A lazy fault with no frame left cannot be handled and cannot be
// refused to anyone (the faulting code has no error path): it is reported
// as "out of memory while backing ADDR in area START+PAGES", followed by
// the fault report, and the kernel stops; unless the access was a probe's
// (arch/x86/probe.ts: the monitor's peek and poke), whose caller has an
// error path: the probe fails, and nothing was backed.

import { readCr2 } from "../arch/x86/cpu";
import { PF_FETCH, PF_PRESENT, PF_RESERVED, PF_USER } from "../arch/x86/exceptions";
import { InterruptFrame } from "../arch/x86/interrupt-frame";
import { inMirror } from "../arch/x86/mirror";
import { print, printDec, printHex, println } from "../core/console";
import { inInterrupt } from "../core/context";
import { MemArea } from "./area";
import { lazyAreaOf, lazyBack, LAZY_BACKED, LAZY_OUT_OF_MEMORY } from "./lazy";

// Error-code bits that make a fault fatal whatever the address (arch/x86/exceptions.ts):
// a protection violation, a user access, a reserved bit, an instruction fetch.
@inline export const PF_FATAL_BITS: u32 = PF_PRESENT | PF_USER | PF_RESERVED | PF_FETCH;

let handled: u32 = 0;
let handling = false;

/** Page faults handled (pages backed on first touch) since boot. */
export function pageFaultsHandled(): u32 { return handled; }

/** Whether the kernel handled the page fault in `frame`; then the faulting instruction is retried. */
export function pageFaultHandled(frame: InterruptFrame): bool {
  if ((frame.errorCode & PF_FATAL_BITS) != 0) return false;
  if (handling || inInterrupt()) return false;
  const addr = readCr2();
  if (inMirror(addr)) return false;
  handling = true;
  const result = lazyBack(addr);
  handling = false;
  if (result == LAZY_BACKED) {
    handled++;
    return true;
  }
  if (result == LAZY_OUT_OF_MEMORY) printOutOfMemory(addr);
  return false;
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
