// kernel/ktest/cpu.ts: `test=cpu`, the CPU set-up as the CPU itself reports it:
// descriptor tables read back with SGDT/SIDT, live segment registers, the
// gates the IDT really holds, a breakpoint that returns, and the spurious
// IRQ path against the real PIC state.

import { check, checkEqual, suite } from "./harness";
import { int3, readCs, readDs, readSs, readTr, sgdt, sidt } from "../arch/x86/cpu";
import { VECTOR_DOUBLE_FAULT, VECTOR_PAGE_FAULT } from "../arch/x86/exceptions";
import {
  descriptorBase, descriptorLimit, gdtEntry, SEL_DOUBLE_FAULT_TSS, SEL_KERNEL_CODE, SEL_KERNEL_DATA,
  SEL_KERNEL_TSS, SEL_USER_CODE, SEL_USER_DATA,
} from "../arch/x86/gdt";
import { gateOffset, idtBase, idtEntry, IDT_VECTORS } from "../arch/x86/idt";
import { InterruptFrame } from "../arch/x86/interrupt-frame";
import { interruptStubs } from "../arch/x86/layout";
import { kernelTss } from "../arch/x86/tss";
import { spuriousIrqCount, unexpectedIrqCount } from "../core/irq";
import { breakpointCount, interruptDispatch } from "../trap/dispatch";
import { picMask, PIC_VECTOR_BASE } from "../drivers/pic";

const pseudoDescriptor = memory.data(8);
const fakeFrame = memory.data(offsetof<InterruptFrame>());

@inline const ACCESS_SHIFT: u64 = 40;

function cpuSuite(): void {
  gdt();
  segments();
  idt();
  breakpoint();
  spuriousIrq();
}

function access(selector: u16): u32 {
  return <u32>((gdtEntry(selector) >> ACCESS_SHIFT) & 0xFF);
}

// The CPU sets a code/data descriptor's Accessed bit (type bit 0) when it
// loads the segment (SDM vol. 3, 3.4.5.1); the kernel wrote it clear.
@inline const SEG_ACCESSED: u32 = 1;
function accessAsWritten(selector: u16): u32 {
  return access(selector) & ~SEG_ACCESSED;
}

function gdt(): void {
  sgdt(pseudoDescriptor);
  checkEqual("SGDT limit covers 7 descriptors", load<u16>(pseudoDescriptor), 7 * 8 - 1);
  const table = <usize>load<u32>(pseudoDescriptor + 2);
  checkEqual("SGDT base holds the kernel code descriptor", load<u64>(table + SEL_KERNEL_CODE), gdtEntry(SEL_KERNEL_CODE));
  checkEqual("kernel code segment: base 0", descriptorBase(gdtEntry(SEL_KERNEL_CODE)), 0);
  checkEqual("kernel code segment: limit 4 GiB - 1", descriptorLimit(gdtEntry(SEL_KERNEL_CODE)), 0xFFFFFFFF);
  checkEqual("kernel data segment: limit 4 GiB - 1", descriptorLimit(gdtEntry(SEL_KERNEL_DATA)), 0xFFFFFFFF);
  checkEqual("kernel code access: present, ring 0, execute/read", accessAsWritten(SEL_KERNEL_CODE), 0x9A);
  checkEqual("kernel data access: present, ring 0, read/write", accessAsWritten(SEL_KERNEL_DATA), 0x92);
  checkEqual("user code access: present, ring 3, execute/read", accessAsWritten(SEL_USER_CODE), 0xFA);
  checkEqual("user data access: present, ring 3, read/write", accessAsWritten(SEL_USER_DATA), 0xF2);
  checkEqual("kernel TSS descriptor points at the kernel TSS", descriptorBase(gdtEntry(SEL_KERNEL_TSS)), changetype<usize>(kernelTss));
  checkEqual("kernel TSS is busy once loaded (type 0xB)", access(SEL_KERNEL_TSS), 0x8B);
  checkEqual("double-fault TSS is available (type 0x9)", access(SEL_DOUBLE_FAULT_TSS), 0x89);
}

function segments(): void {
  checkEqual("CS holds the kernel code selector", readCs(), SEL_KERNEL_CODE);
  checkEqual("DS holds the kernel data selector", readDs(), SEL_KERNEL_DATA);
  checkEqual("SS holds the kernel data selector", readSs(), SEL_KERNEL_DATA);
  checkEqual("TR holds the kernel TSS selector", readTr(), SEL_KERNEL_TSS);
}

function idt(): void {
  sidt(pseudoDescriptor);
  checkEqual("SIDT limit covers 256 gates", load<u16>(pseudoDescriptor), IDT_VECTORS * 8 - 1);
  checkEqual("SIDT base is the kernel's IDT", load<u32>(pseudoDescriptor + 2), idtBase());
  const pf = idtEntry(VECTOR_PAGE_FAULT);
  checkEqual("page fault gate leads to its stub", gateOffset(pf), load<u32>(interruptStubs() + VECTOR_PAGE_FAULT * 4));
  checkEqual("page fault gate: kernel code selector", <u32>((pf >> 16) & 0xFFFF), SEL_KERNEL_CODE);
  checkEqual("page fault gate: present 32-bit interrupt gate", <u32>((pf >> 40) & 0xFF), 0x8E);
  const df = idtEntry(VECTOR_DOUBLE_FAULT);
  checkEqual("double fault gate: task gate", <u32>((df >> 40) & 0xFF), 0x85);
  checkEqual("double fault gate: double-fault TSS selector", <u32>((df >> 16) & 0xFFFF), SEL_DOUBLE_FAULT_TSS);
  checkEqual("IRQ 0 arrives on vector 32", gateOffset(idtEntry(PIC_VECTOR_BASE)), load<u32>(interruptStubs() + PIC_VECTOR_BASE * 4));
  check("vector 48 has no gate", (idtEntry(48) >> 47 & 1) == 0);
  checkEqual("every PIC line is masked", picMask(), 0xFFFF);
}

function breakpoint(): void {
  const before = breakpointCount();
  int3();
  checkEqual("a breakpoint returns and execution continues", breakpointCount(), before + 1);
}

// The dispatcher reads the PICs' in-service registers: with no IRQ being
// served, IRQ 7 must be taken for spurious and IRQ 3 reported as unexpected.
function spuriousIrq(): void {
  const frame = changetype<InterruptFrame>(fakeFrame);
  const spurious = spuriousIrqCount();
  const unexpected = unexpectedIrqCount();
  frame.vector = PIC_VECTOR_BASE + 7;
  interruptDispatch(fakeFrame);
  checkEqual("IRQ 7 with no in-service bit is recognised as spurious", spuriousIrqCount(), spurious + 1);
  frame.vector = PIC_VECTOR_BASE + 3;
  interruptDispatch(fakeFrame);
  checkEqual("a masked IRQ 3 that arrives anyway is counted as unexpected", unexpectedIrqCount(), unexpected + 1);
  checkEqual("...and is not taken for spurious", spuriousIrqCount(), spurious + 1);
}

// The suites of this file (kernel/ktest/harness.ts), registered last: a
// registration runs at start-up, after everything above is initialised.
suite("cpu", "the GDT, segments, IDT gates, a breakpoint and a spurious IRQ, as the CPU reports them", cpuSuite);
