// kernel/arch/x86/tss.ts: the two task-state segments.
//
// The kernel's TSS: the CPU saves the interrupted state into it on a task
// switch (the double fault below), and its SS0:ESP0 is the stack a ring 3 ->
// ring 0 transition switches to. The double-fault task's TSS: the #DF gate
// is a task gate (arch/x86/idt.ts), so the CPU switches to this task and its
// own stack, and a kernel stack overflow, which faults again on every push,
// can still be reported. Their descriptors are in the GDT (arch/x86/gdt.ts).

import { readCr3 } from "./cpu";
import { doubleFaultStackTop, doubleFaultTask } from "./layout";

/**
 * A 32-bit task-state segment (SDM vol. 3, 7.2.1, figure 7-2). On a task
 * switch the CPU saves the outgoing task's registers into its TSS and loads
 * the incoming task's from its own.
 */
@unmanaged export class TaskStateSegment {
  link: u32;
  esp0: u32; ss0: u32;
  esp1: u32; ss1: u32;
  esp2: u32; ss2: u32;
  cr3: u32;
  eip: u32; eflags: u32;
  eax: u32; ecx: u32; edx: u32; ebx: u32;
  esp: u32; ebp: u32; esi: u32; edi: u32;
  es: u32; cs: u32; ss: u32; ds: u32; fs: u32; gs: u32;
  ldt: u32;
  trap: u16;
  /** Offset of the I/O permission bitmap; past the limit means none. */
  iomapBase: u16;
}
@inline export const TSS_BYTES: u32 = 104;
@inline const EFLAGS_RESERVED_1: u32 = 0x2;             // bit 1 is always set

const kernelTssMemory = memory.data(<i32>TSS_BYTES, 16);
const doubleFaultTssMemory = memory.data(<i32>TSS_BYTES, 16);

/** The kernel's TSS: the state interrupted by a double fault is saved here. */
export const kernelTss = changetype<TaskStateSegment>(kernelTssMemory);
/** The double-fault task's TSS. */
export const doubleFaultTss = changetype<TaskStateSegment>(doubleFaultTssMemory);

/** Where the kernel's TSS is (for its GDT descriptor). */
export function kernelTssAddress(): usize { return kernelTssMemory; }
/** Where the double-fault task's TSS is. */
export function doubleFaultTssAddress(): usize { return doubleFaultTssMemory; }

/**
 * Fills both TSSes: the kernel's with its stack segment `dataSelector`; the
 * double-fault task's so that it starts at double_fault_task
 * (boot/interrupts.asm) on its own stack, interrupts off, in the kernel's
 * segments, in the address space of CR3 now.
 */
export function tssInit(dataSelector: u16, codeSelector: u16): void {
  memory.fill(kernelTssMemory, 0, TSS_BYTES);
  kernelTss.ss0 = dataSelector;
  kernelTss.iomapBase = <u16>TSS_BYTES;
  memory.fill(doubleFaultTssMemory, 0, TSS_BYTES);
  const t = doubleFaultTss;
  t.eip = <u32>doubleFaultTask();
  t.esp = <u32>doubleFaultStackTop();
  t.eflags = EFLAGS_RESERVED_1;
  t.cs = codeSelector;
  t.ss = t.ds = t.es = t.fs = t.gs = dataSelector;
  t.iomapBase = <u16>TSS_BYTES;
  tssSetAddressSpace(readCr3());
}

/**
 * The page directory the double-fault task runs in. The CPU loads CR3 from
 * the TSS on the task switch, so kernel/mm/space.ts calls this with each
 * CR3 it loads: the report then walks the space that was running.
 */
export function tssSetAddressSpace(cr3: u32): void {
  doubleFaultTss.cr3 = cr3;
}
