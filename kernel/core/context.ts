// kernel/core/context.ts: whether the CPU is serving a hardware interrupt.
//
// The rule. An IRQ handler may run at any instruction of the kernel with IF
// set, in the middle of an allocator's update. So a handler may only read
// its device, update its own driver's counters and the input queue
// (drivers/input.ts), and print. It must never allocate or free (alloc,
// free, areaAlloc, areaAllocLazy, areaFree), map or unmap (pageMap,
// pageUnmap), or take or give back a frame (frameAlloc, frameRelease): each
// of those calls refuseInInterrupt (core/panic.ts) at its entry, which stops
// the kernel naming it before anything changes (one global load and a
// branch). A page fault in interrupt context is never handled
// (mm/fault.ts), and a refusal there never resumes (core/resume.ts).
//
// core/irq.ts counts itself in and out around every IRQ handler. CPU
// exceptions do not count: they run for the code that faulted.

let depth: u32 = 0;

/** Entering an IRQ handler (interrupt gates keep IF clear, so depth is 0 or 1). */
export function interruptEnter(): void { depth++; }
/** Leaving it. */
export function interruptLeave(): void { depth--; }
/** True while an IRQ handler runs. */
@inline export function inInterrupt(): bool { return depth != 0; }
