// kernel/trap/dispatch.ts: where every interrupt and exception arrives.
//
// boot/interrupts.asm calls interruptDispatch for vectors 0-47 and 0x80
// with the frame it built (arch/x86/interrupt-frame.ts); the double-fault
// task calls doubleFault. int 0x80 is a system call (proc/syscall.ts). IRQs
// (vectors 32-47) go to their handlers (core/irq.ts). An exception raised in
// ring 3 ends the program there (proc/user.ts userFault). For an exception
// in the kernel, in this order:
//
//   breakpoint (#BP)        announced; execution continues after the INT3
//   page fault (#PF)        mm/fault.ts may handle it (the first touch of a
//                           lazy page): the instruction is retried
//   a probe's access        arch/x86/probe.ts resumes at the probe's fix-up
//   anything else           a kernel bug: reported (trap/report.ts), and
//                           the kernel stops

import { fromUser, InterruptFrame } from "../arch/x86/interrupt-frame";
import { VECTOR_SYSCALL } from "../arch/x86/idt";
import { EXCEPTION_VECTORS, VECTOR_BREAKPOINT, VECTOR_MACHINE_CHECK, VECTOR_NMI, VECTOR_PAGE_FAULT } from "../arch/x86/exceptions";
import { probeFixup } from "../arch/x86/probe";
import { print, printHex, println } from "../core/console";
import { irqDispatch } from "../core/irq";
import { printSymbol } from "../core/symbols";
import { PIC_VECTOR_BASE } from "../drivers/pic";
import { pageFaultHandled } from "../mm/fault";
import { syscallDispatch } from "../proc/syscall";
import { userFault } from "../proc/user";
import { reportDoubleFault, reportException } from "./report";

let breakpoints: u32 = 0;

/** How many breakpoints the kernel has continued from. */
export function breakpointCount(): u32 { return breakpoints; }

/** Entry from boot/interrupts.asm for vectors 0-47 and 0x80. */
export function interruptDispatch(frameAddress: usize): void {
  const frame = changetype<InterruptFrame>(frameAddress);
  if (frame.vector == VECTOR_SYSCALL && fromUser(frame)) {
    syscallDispatch(frame);
    return;
  }
  if (frame.vector < EXCEPTION_VECTORS || frame.vector == VECTOR_SYSCALL) {
    // The program's, not the kernel's: it is ended. But an NMI or a machine
    // check is the machine's, wherever it arrives.
    if (fromUser(frame) && frame.vector != VECTOR_NMI && frame.vector != VECTOR_MACHINE_CHECK) userFault(frame);
    handleException(frame);
    return;
  }
  irqDispatch(frame.vector - PIC_VECTOR_BASE);
}

/** Entry from the double-fault task (boot/interrupts.asm). Does not return. */
export function doubleFault(): void {
  reportDoubleFault();
}

// Returns only when the kernel can resume.
function handleException(frame: InterruptFrame): void {
  if (frame.vector == VECTOR_BREAKPOINT) {
    // #BP is a trap: the saved EIP is past the one-byte INT3 (SDM vol. 3,
    // 6.15, interrupt 3); the report names the INT3 itself.
    breakpoints++;
    print("breakpoint at ");
    printHex(frame.eip - 1);
    print(" in ");
    printSymbol(frame.eip - 1);
    println(", continuing");
    return;
  }
  if (frame.vector == VECTOR_PAGE_FAULT && pageFaultHandled(frame)) return;
  if (probeFixup(frame)) return;
  reportException(frame);
}
