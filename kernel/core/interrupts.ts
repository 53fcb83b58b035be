// kernel/core/interrupts.ts: where every interrupt and exception arrives.
//
// boot/interrupts.asm calls interruptDispatch with the frame it built; the
// double-fault task calls doubleFault. Exceptions go to core/exceptions.ts,
// which reports and stops unless the exception is one the kernel resumes
// from (a breakpoint, a probe's expected fault). IRQs are all masked, so one
// that arrives is either spurious (counted and ignored) or unexpected
// (reported, acknowledged, and counted).
//
// interruptDepth counts the IRQ handlers running: a page fault with a depth
// above 0 happened in interrupt context, where mm/fault.ts never handles one.

import { picEndOfInterrupt, picIsSpurious, PIC_VECTOR_BASE } from "../drivers/pic";
import { print, printDec, println } from "./console";
import { handleDoubleFault, handleException } from "./exceptions";

/**
 * The stack frame of an interrupted context, as boot/interrupts.asm builds
 * it (lowest address first). Writing a field changes what IRET resumes.
 *
 *   +0  edi esi ebp esp ebx edx ecx eax   (PUSHAD; esp is the stub's, see interruptedEsp)
 *   +32 vector
 *   +36 errorCode                         (0 when the CPU pushes none)
 *   +40 eip cs eflags                     (pushed by the CPU)
 */
@unmanaged export class InterruptFrame {
  edi: u32; esi: u32; ebp: u32; esp: u32;
  ebx: u32; edx: u32; ecx: u32; eax: u32;
  vector: u32;
  errorCode: u32;
  eip: u32; cs: u32; eflags: u32;
}

// PUSHAD saved ESP after the CPU's three words, the error code and the vector.
@inline const FRAME_WORDS_ABOVE_PUSHAD: u32 = 5;

/** The stack pointer of the interrupted code (same privilege level: no SS:ESP pushed). */
export function interruptedEsp(frame: InterruptFrame): u32 {
  return frame.esp + FRAME_WORDS_ABOVE_PUSHAD * 4;
}

@inline const EXCEPTION_VECTORS: u32 = 32;

let irqDepth: u32 = 0;
let spuriousIrqs: u32 = 0;
let unexpectedIrqs: u32 = 0;

/** How many spurious IRQs (7 or 15 with no in-service bit) have been ignored. */
export function spuriousIrqCount(): u32 { return spuriousIrqs; }
/** How many IRQs arrived although every line is masked. */
export function unexpectedIrqCount(): u32 { return unexpectedIrqs; }

/** IRQ handlers running now (0 outside interrupt context). */
export function interruptDepth(): u32 { return irqDepth; }

/** Entry from boot/interrupts.asm for vectors 0-47. */
export function interruptDispatch(frameAddress: usize): void {
  const frame = changetype<InterruptFrame>(frameAddress);
  if (frame.vector < EXCEPTION_VECTORS) {
    handleException(frame);
    return;
  }
  irqDepth++;
  handleIrq(frame.vector - PIC_VECTOR_BASE);
  irqDepth--;
}

function handleIrq(irq: u32): void {
  if (picIsSpurious(irq)) {
    spuriousIrqs++;
    return;
  }
  unexpectedIrqs++;
  print("interrupts: unexpected IRQ ");
  printDec(irq);
  println(" although every line is masked");
  picEndOfInterrupt(irq);
}

/** Entry from the double-fault task (boot/interrupts.asm). Does not return. */
export function doubleFault(): void {
  handleDoubleFault();
}
