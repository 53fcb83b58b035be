// kernel/core/context.ts: whether the CPU is serving a hardware interrupt.
//
// interruptDispatch (core/interrupts.ts) counts itself in and out around
// every IRQ handler; CPU exceptions do not count (they run in the context of
// the code that faulted). The allocators and paging call refuseInInterrupt
// at each entry point: an IRQ handler may run at any instruction, in the
// middle of an allocator's update, so an allocator called from one would
// work on a half-changed structure. The check is one global load and a
// branch, and stops the kernel before anything changes.

import { panicAt } from "./panic";

let depth: u32 = 0;

/** Entering an IRQ handler (interrupt gates keep IF clear, so depth is 0 or 1). */
export function interruptEnter(): void { depth++; }
/** Leaving it. */
export function interruptLeave(): void { depth--; }
/** True while an IRQ handler runs. */
export function inInterrupt(): bool { return depth != 0; }

/**
 * Stops the kernel with "`functionName`: called in interrupt context at
 * `address`" (the entry point's own argument) when an IRQ handler called it.
 */
@inline export function refuseInInterrupt(functionName: string, address: usize): void {
  if (depth != 0) panicAt(functionName, "called in interrupt context", address);
}
