// kernel/core/exceptions.ts: what the kernel does with each CPU exception.
//
// A breakpoint (#BP) is announced and execution continues after the INT3.
// A page fault that mm/fault.ts handles (the first touch of a lazy area's
// page) returns to the faulting instruction, which is retried; the rule for
// which faults those are is in the header of mm/fault.ts.
// A fault at an address registered by a probe (core/probe.ts) resumes at the
// probe's fix-up. Anything else is a kernel bug: it is reported with every
// detail a person debugging it needs, and the kernel stops. An exception
// that arrives while a report is being printed (this one's or a panic's)
// gets the one-line serial report of core/report.ts instead.
//
// Page fault error code (SDM vol. 3, 4.7, figure 4-12):
//   bit 0 P     0 = page not present, 1 = protection violation
//   bit 1 W/R   0 = read, 1 = write
//   bit 2 U/S   0 = supervisor mode, 1 = user mode
//   bit 3 RSVD  a reserved bit was set in a paging-structure entry
//   bit 4 I/D   the access was an instruction fetch

import { readCr0, readCr2, readCr3, readCr4 } from "../arch/x86/cpu";
import { pagingPrintWalk } from "../arch/x86/paging";
import { print, printHex, println } from "./console";
import { kernelTss } from "./gdt";
import { InterruptFrame, interruptedEsp } from "./interrupts";
import { stackBottom, stackGuard } from "./layout";
import { pageFaultHandled } from "../mm/fault";
import { probeFixup } from "./probe";
import { reportBegin, reportEnd } from "./report";
import { printBacktrace, printSymbol } from "./symbols";

@inline export const VECTOR_DIVIDE: u32 = 0;
@inline export const VECTOR_BREAKPOINT: u32 = 3;
@inline export const VECTOR_INVALID_OPCODE: u32 = 6;
@inline export const VECTOR_DOUBLE_FAULT: u32 = 8;
@inline export const VECTOR_GENERAL_PROTECTION: u32 = 13;
@inline export const VECTOR_PAGE_FAULT: u32 = 14;

@inline export const PF_PRESENT: u32 = 1 << 0;
@inline export const PF_WRITE: u32 = 1 << 1;
@inline export const PF_USER: u32 = 1 << 2;
@inline export const PF_RESERVED: u32 = 1 << 3;
@inline export const PF_FETCH: u32 = 1 << 4;

const NAMES = [
  "divide error (#DE", "debug (#DB", "non-maskable interrupt (NMI", "breakpoint (#BP",
  "overflow (#OF", "bound range exceeded (#BR", "invalid opcode (#UD", "device not available (#NM",
  "double fault (#DF", "coprocessor segment overrun (", "invalid TSS (#TS", "segment not present (#NP",
  "stack-segment fault (#SS", "general protection fault (#GP", "page fault (#PF", "reserved (",
  "x87 floating-point error (#MF", "alignment check (#AC", "machine check (#MC", "SIMD floating-point (#XM",
  "virtualization (#VE", "control protection (#CP", "reserved (", "reserved (",
  "reserved (", "reserved (", "reserved (", "reserved (",
  "hypervisor injection (#HV", "VMM communication (#VC", "security (#SX", "reserved (",
];

/** "page fault (#PF": the start of an exception's title. */
export function exceptionName(vector: u32): string {
  return vector < <u32>NAMES.length ? NAMES[vector] : "interrupt (";
}

let breakpoints: u32 = 0;

/** How many breakpoints the kernel has continued from. */
export function breakpointCount(): u32 { return breakpoints; }

/** Handles exception `frame.vector`; returns only when the kernel can resume. */
export function handleException(frame: InterruptFrame): void {
  if (frame.vector == VECTOR_BREAKPOINT) {
    breakpoints++;
    print("breakpoint at ");
    printHex(frame.eip);
    print(" in ");
    printSymbol(frame.eip);
    println(", continuing");
    return;
  }
  if (frame.vector == VECTOR_PAGE_FAULT && pageFaultHandled(frame)) return;
  if (probeFixup(frame)) return;

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

/**
 * The double fault, on the double-fault task's own stack. The state at the
 * fault was saved by the task switch into the kernel TSS. A stack pointer in
 * the guard page below the kernel stack means the stack overflowed.
 */
export function handleDoubleFault(): void {
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
