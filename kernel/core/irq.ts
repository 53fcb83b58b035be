// kernel/core/irq.ts: the IRQ lines: which handler serves each, and the
// switch that turns interrupts on.
//
// A line gets its handler with irqInstall, which then unmasks it;
// interruptsOn (STI) comes after every handler the kernel wants is
// installed, so nothing arrives before its handler is ready. The boot runs
// with IF clear and every line masked; the monitor (kernel/monitor/) turns
// interrupts on, and its `test` turns them off again (interruptsOff) so a
// suite sees the machine as the boot left it.
//
// irqDispatch (from kernel/trap/dispatch.ts) runs the line's handler between
// interruptEnter and interruptLeave (core/context.ts, where the rule for
// what a handler may do is written), then acknowledges it (EOI). A spurious
// IRQ 7 or 15 is counted and not acknowledged (drivers/pic.ts); one on a
// line with no handler is reported, acknowledged and counted.

import { cli, sti } from "../arch/x86/cpu";
import { picEndOfInterrupt, picIsSpurious, picMaskAll, picUnmask, PIC_IRQ_COUNT } from "../drivers/pic";
import { print, printDec, println } from "./console";
import { interruptEnter, interruptLeave } from "./context";

// The handler of each line: a function reference, 0 for none.
const handlers = memory.data(<i32>PIC_IRQ_COUNT * 4, 4);

let spuriousIrqs: u32 = 0;
let unexpectedIrqs: u32 = 0;

/** How many spurious IRQs (7 or 15 with no in-service bit) have been ignored. */
export function spuriousIrqCount(): u32 { return spuriousIrqs; }
/** How many IRQs arrived on a line with no handler. */
export function unexpectedIrqCount(): u32 { return unexpectedIrqs; }

/**
 * An IRQ handler: it is passed its line's number. Its type is its own (no
 * other function of the kernel takes a u32 and returns nothing through a
 * reference), so tools/check/heap.mjs can tell which functions the dispatch
 * below may call.
 */
export type IrqHandler = (irq: u32) => void;

/** Makes `handler` serve IRQ `irq`, then unmasks the line. */
export function irqInstall(irq: u32, handler: IrqHandler): void {
  store<usize>(handlers + <usize>irq * 4, changetype<usize>(handler));
  picUnmask(irq);
}

/** STI: from here IRQs on unmasked lines run their handlers. */
export function interruptsOn(): void {
  sti();
}

/** CLI, and every line masked again: the state the boot runs in. */
export function interruptsOff(): void {
  cli();
  picMaskAll();
}

/** Serves IRQ `irq` (0-15), which arrived on its vector. */
export function irqDispatch(irq: u32): void {
  if (picIsSpurious(irq)) {
    spuriousIrqs++;
    return;
  }
  const handler = load<usize>(handlers + <usize>irq * 4);
  if (handler != 0) {
    interruptEnter();
    changetype<IrqHandler>(handler)(irq);
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
