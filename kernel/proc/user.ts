// kernel/proc/user.ts: running code in ring 3, and coming back from it.
//
// userRun(eip, esp) enters ring 3 in the running address space
// (mm/space.ts) and returns once the code there is done: it asked to exit
// (the exit call, proc/syscall.ts), or the CPU raised an exception in ring
// 3, which ends it (userFault, from trap/dispatch.ts) with one line saying
// what it was. Either way the kernel goes on: a fault in ring 3 is the
// program's, never the kernel's.
//
// How it comes back. userRun saves a resume point (arch/x86/cpu.ts
// resumeSave), then boot/user.asm stores the stack pointer into TSS.esp0 and
// IRETs to ring 3. Every interrupt or exception from ring 3 then arrives on
// the kernel stack just below userRun's frame (the CPU switches to SS0:ESP0,
// SDM vol. 3, 6.12.1); the exit call and userFault jump back to the resume
// point, which drops that interrupt frame and returns from userRun.
//
// The rule ring 3 brings: every number and pointer a program passes is
// hostile (proc/syscall.ts checks each against user space and what is
// mapped there, and never lets one fault the kernel), and an exception in
// ring 3 ends the program, not the kernel. Interrupts stay off while ring 3
// runs (EFLAGS.IF clear in boot/user.asm): no scheduler preempts it yet.

import { loadSegments, readCr2, resumeJump, resumeSave, userEnter } from "../arch/x86/cpu";
import { exceptionName, VECTOR_PAGE_FAULT } from "../arch/x86/exceptions";
import { SEL_KERNEL_CODE, SEL_KERNEL_DATA } from "../arch/x86/gdt";
import { InterruptFrame } from "../arch/x86/interrupt-frame";
import { kernelTssAddress } from "../arch/x86/tss";
import { print, printHex, println } from "../core/console";
import { panicAt } from "../core/panic";


// TaskStateSegment.esp0 (arch/x86/tss.ts): after the link word.
@inline const TSS_ESP0: usize = 4;
@inline const RESUME_WORDS: i32 = 7;

const returnPoint = memory.data(RESUME_WORDS * 4);
let status: i32 = 0;
let faulted = false;
let inUser = false;

/** Whether code entered by userRun is running (or was interrupted in ring 3). */
export function userRunning(): bool { return inUser; }
/** Whether the last code userRun ran was ended by an exception (its status is then 0) rather than its exit call. */
export function userFaulted(): bool { return faulted; }

/**
 * Runs ring-3 code at `eip` with stack `esp` in the running space until it
 * exits (returns its status) or faults (returns 0, and userFaulted()). Kept out of line
 * (tools/build/noinline.mjs): resumeSave returns into this frame a second
 * time, and nothing is kept live across that call but what it sets.
 */
export function userRun(eip: u32, esp: u32): i32 {
  if (inUser) panicAt("userRun", "ring 3 is already running", eip);
  if (resumeSave(returnPoint) != 0) {
    loadSegments(SEL_KERNEL_CODE, SEL_KERNEL_DATA); // ring 3's data selectors are still loaded
    inUser = false;
    return status;
  }
  inUser = true;
  faulted = false;
  userEnter(eip, esp, kernelTssAddress() + TSS_ESP0);
  return 0; // not reached: userEnter does not return
}

/** The exit call: ends the ring-3 code with `code`. Does not return. */
export function userExit(code: i32): void {
  if (!inUser) panicAt("userExit", "no code runs in ring 3", <usize>code);
  status = code;
  resumeJump(returnPoint);
}

/** An exception raised in ring 3: says what it was, and ends the code. Does not return. */
export function userFault(frame: InterruptFrame): void {
  print("ring 3: ");
  print(exceptionName(frame.vector)); // "page fault (#PF"
  print(", vector ");
  printHex(frame.vector, 2);
  print(") at eip ");
  printHex(frame.eip);
  if (frame.vector == VECTOR_PAGE_FAULT) {
    print(", cr2 ");
    printHex(readCr2());
  }
  print(" (error code ");
  printHex(frame.errorCode);
  print(", esp ");
  printHex(frame.userEsp);
  println("); the program is ended, the kernel goes on");
  if (!inUser) panicAt("userFault", "no code runs in ring 3", frame.eip);
  status = 0;
  faulted = true;
  resumeJump(returnPoint);
}
