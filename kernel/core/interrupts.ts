// kernel/core/interrupts.ts: where every interrupt and exception arrives.
//
// boot/interrupts.asm calls interruptDispatch with the frame it built; the
// double-fault task calls doubleFault. Exceptions go to core/exceptions.ts,
// which reports and stops unless the exception is one the kernel resumes
// from (a breakpoint, a probe's expected fault).
//
// IRQs. A line gets its handler with irqInstall, which then unmasks it;
// interruptsOn (STI) comes after every handler the kernel wants is
// installed, so nothing arrives before its handler is ready. The boot runs
// with IF clear and every line masked; the monitor (kernel/monitor/) turns
// interrupts on (so does misuse=irq-alloc), and its `test` turns them off
// again (interruptsOff) so a suite sees the machine as the boot left it. An IRQ
// with a handler is acknowledged (EOI) after its handler returns; a
// spurious IRQ 7 or 15 is counted and not acknowledged (drivers/pic.ts); one
// with no handler is reported, acknowledged and counted.
//
// Interrupt context: an IRQ handler may interrupt any instruction of the
// kernel with IF set, including an allocator halfway through an update. So
// a handler may only read a device, update its own driver's counters and
// the input queue (drivers/input.ts), and print. It must never allocate or
// free (alloc, free, areaAlloc, areaReserve, areaFree), map or unmap (pageMap, pageUnmap)
// or take or give back a physical page (pageAlloc, pageRelease): each of
// those refuses, with a panic naming it (core/context.ts), when called
// between interruptEnter and interruptLeave below. CPU exceptions do not
// count as interrupt context: they run for the code that faulted.

import { cli, sti } from "../arch/x86/cpu";
import { picEndOfInterrupt, picIsSpurious, picMaskAll, picUnmask, PIC_IRQ_COUNT, PIC_VECTOR_BASE } from "../drivers/pic";
import { interruptEnter, interruptLeave } from "./context";
import { keyboardIrq } from "../drivers/keyboard";
import { pitTick } from "../drivers/pit";
import { serialIrq } from "../drivers/serial";
import { alloc } from "../mm/alloc";
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

let spuriousIrqs: u32 = 0;
let unexpectedIrqs: u32 = 0;

/** How many spurious IRQs (7 or 15 with no in-service bit) have been ignored. */
export function spuriousIrqCount(): u32 { return spuriousIrqs; }
/** How many IRQs arrived on a line with no handler. */
export function unexpectedIrqCount(): u32 { return unexpectedIrqs; }

// The handlers, by number. Calls are direct (irqServe), not through a
// function table: an indirect call would hide from clang that every kernel
// function runs with the one wasm2c instance, and cost every allocator call.
/** No handler: the line's IRQs are reported as unexpected. */
@inline export const IRQ_HANDLER_NONE: u8 = 0;
/** drivers/pit.ts pitTick. */
@inline export const IRQ_HANDLER_TIMER: u8 = 1;
/** drivers/keyboard.ts keyboardIrq. */
@inline export const IRQ_HANDLER_KEYBOARD: u8 = 2;
/** drivers/serial.ts serialIrq. */
@inline export const IRQ_HANDLER_COM1: u8 = 3;
/** irqAllocMisuse below: breaks the rule on purpose (misuse=irq-alloc). */
@inline export const IRQ_HANDLER_ALLOC_MISUSE: u8 = 4;

// The handler of each line, one byte per line.
const handlers = memory.data(<i32>PIC_IRQ_COUNT);

/** Makes `handler` (IRQ_HANDLER_...) serve IRQ `irq`, then unmasks the line. */
export function irqInstall(irq: u32, handler: u8): void {
  store<u8>(handlers + <usize>irq, handler);
  picUnmask(irq);
}

function irqServe(handler: u8): void {
  if (handler == IRQ_HANDLER_TIMER) pitTick();
  else if (handler == IRQ_HANDLER_KEYBOARD) keyboardIrq();
  else if (handler == IRQ_HANDLER_COM1) serialIrq();
  else if (handler == IRQ_HANDLER_ALLOC_MISUSE) irqAllocMisuse();
}

let allocatedInIrq = false;

/** The handler that allocates, which alloc must refuse (see the rule above). */
export function irqAllocMisuse(): void {
  alloc(16);
  allocatedInIrq = true;
}

/** True once irqAllocMisuse's alloc returned: the rule was not enforced. */
export function irqAllocMisuseReturned(): bool { return allocatedInIrq; }

/** STI: from here IRQs on unmasked lines run their handlers. */
export function interruptsOn(): void {
  sti();
}

/** CLI, and every line masked again: the state the boot runs in. */
export function interruptsOff(): void {
  cli();
  picMaskAll();
}

/** Entry from boot/interrupts.asm for vectors 0-47. */
export function interruptDispatch(frameAddress: usize): void {
  const frame = changetype<InterruptFrame>(frameAddress);
  if (frame.vector < EXCEPTION_VECTORS) {
    handleException(frame);
    return;
  }
  const irq = frame.vector - PIC_VECTOR_BASE;
  if (picIsSpurious(irq)) {
    spuriousIrqs++;
    return;
  }
  const handler = load<u8>(handlers + <usize>irq);
  if (handler != IRQ_HANDLER_NONE) {
    interruptEnter();
    irqServe(handler);
    interruptLeave();
    picEndOfInterrupt(irq);
    return;
  }
  unexpectedIrqs++;
  print("interrupts: unexpected IRQ ");
  printDec(irq);
  println(" on a line with no handler");
  picEndOfInterrupt(irq);
}

/** Entry from the double-fault task (boot/interrupts.asm). Does not return. */
export function doubleFault(): void {
  handleDoubleFault();
}
