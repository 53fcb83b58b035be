// kernel/trap/report.ts: the report of an exception the kernel cannot
// handle: what happened, where, the registers, the page walk for a page
// fault, the backtrace, then the kernel stops (core/report.ts frames it).
//
//   *** KERNEL FAULT: page fault (#PF, vector 0xe)
//       address:     0xdead0000 (cr2)
//       error code:  0x00000002: not present, write, supervisor
//       pde:         ...
//       eip:         0x... in kernel/debug/inject.ts:89 faultWrite+0x3
//       eax=... (the registers, then eflags and the control registers)
//   backtrace:
//       ...
//   *** kernel stopped
//
// A double fault is reported from the double-fault task's own stack
// (arch/x86/tss.ts), from the state the task switch saved into the kernel's
// TSS; a stack pointer in the guard page below the kernel stack means the
// stack overflowed. That path must stay shallow (core/report.ts).

import { readCr0, readCr2, readCr3, readCr4 } from "../arch/x86/cpu";
import { exceptionName, PF_FETCH, PF_PRESENT, PF_RESERVED, PF_USER, PF_WRITE, VECTOR_DOUBLE_FAULT, VECTOR_PAGE_FAULT } from "../arch/x86/exceptions";
import { InterruptFrame, interruptedEsp } from "../arch/x86/interrupt-frame";
import { stackBottom, stackGuard } from "../arch/x86/layout";
import { kernelTss } from "../arch/x86/tss";
import { print, printHex, println } from "../core/console";
import { reportBegin, reportEnd } from "../core/report";
import { printBacktrace, printSymbol } from "../core/symbols";
import { pagingPrintWalk } from "../mm/pages";

/** Reports the exception in `frame` and stops the kernel. Does not return. */
export function reportException(frame: InterruptFrame): void {
  reportBegin("FAULT", frame.vector, frame.eip, readCr2());
  printTitle(frame.vector);
  if (frame.vector == VECTOR_PAGE_FAULT) printPageFault(frame.errorCode, readCr2());
  else {
    print("    error code:  ");
    printHex(frame.errorCode);
    println();
  }
  print("    eip:         ");
  printHex(frame.eip);
  print(" in ");
  printSymbol(frame.eip);
  println();
  printRegisters(frame.eax, frame.ebx, frame.ecx, frame.edx, frame.esi, frame.edi, frame.ebp, interruptedEsp(frame));
  printControlRegisters(frame.eflags);
  printBacktrace(frame.eip, frame.ebp);
  reportEnd();
}

function printTitle(vector: u32): void {
  print(exceptionName(vector));
  print(", vector ");
  printHex(vector, 0);
  println(")");
}

function printPageFault(code: u32, address: u32): void {
  print("    address:     ");
  printHex(address);
  println(" (cr2)");
  print("    error code:  ");
  printHex(code);
  print(": ");
  print((code & PF_PRESENT) != 0 ? "protection violation" : "not present");
  print((code & PF_WRITE) != 0 ? ", write" : ", read");
  print((code & PF_USER) != 0 ? ", user" : ", supervisor");
  if ((code & PF_RESERVED) != 0) print(", reserved bit set");
  if ((code & PF_FETCH) != 0) print(", instruction fetch");
  println();
  pagingPrintWalk(address);
}

function printRegisters(eax: u32, ebx: u32, ecx: u32, edx: u32, esi: u32, edi: u32, ebp: u32, esp: u32): void {
  print("    eax="); printHex(eax); print(" ebx="); printHex(ebx);
  print(" ecx="); printHex(ecx); print(" edx="); printHex(edx); println();
  print("    esi="); printHex(esi); print(" edi="); printHex(edi);
  print(" ebp="); printHex(ebp); print(" esp="); printHex(esp); println();
}

function printControlRegisters(eflags: u32): void {
  print("    eflags="); printHex(eflags); print(" cr0="); printHex(readCr0());
  print(" cr3="); printHex(readCr3()); print(" cr4="); printHex(readCr4()); println();
}

/** Reports the double fault, on the double-fault task's stack (see the header). Does not return. */
export function reportDoubleFault(): void {
  const t = kernelTss;
  reportBegin("FAULT", VECTOR_DOUBLE_FAULT, t.eip, readCr2());
  printTitle(VECTOR_DOUBLE_FAULT);
  if (<usize>t.esp >= stackGuard() && <usize>t.esp < stackBottom() + 64) {
    print("    kernel stack overflow: esp ");
    printHex(t.esp);
    print(" is at the guard page ");
    printHex(stackGuard());
    println(" below the kernel stack");
  }
  print("    eip:         ");
  printHex(t.eip);
  print(" in ");
  printSymbol(t.eip);
  println();
  printRegisters(t.eax, t.ebx, t.ecx, t.edx, t.esi, t.edi, t.ebp, t.esp);
  printControlRegisters(t.eflags);
  printBacktrace(t.eip, t.ebp);
  reportEnd();
}
