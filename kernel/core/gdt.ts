// kernel/core/gdt.ts: the global descriptor table, flat model, and the TSSes.
//
// Every code and data segment has base 0 and limit 4 GiB, so segmentation
// is a no-op and only paging translates addresses (SDM vol. 3, 3.2.1 "Basic
// Flat Model"). Two task-state segments: the kernel's (its ESP0 will serve
// ring 3 -> 0 transitions, and the CPU saves the interrupted state into it
// on a task switch) and the double-fault task's, whose own stack lets a
// stack overflow be reported (see core/idt.ts).
//
// A segment descriptor (SDM vol. 3, 3.4.5, figure 3-8), as one u64:
//
//   63      56 55  52 51   48 47      40 39      32 31          16 15          0
//  +----------+------+-------+----------+----------+--------------+-------------+
//  |base 31:24|flags |lim19:16| access  |base 23:16|  base 15:0   | limit 15:0  |
//  +----------+------+-------+----------+----------+--------------+-------------+
//   flags = G (4 KiB granularity) | D/B (32-bit) | L | AVL
//   access = P | DPL(2) | S | type(4)

import { lgdt, loadSegments, ltr, readCr3 } from "../arch/x86/cpu";
import { doubleFaultStackTop, doubleFaultTask } from "./layout";

// Selectors: index * 8 | table indicator (0 = GDT) | requested privilege level.
@inline export const SEL_KERNEL_CODE: u16 = 0x08;
@inline export const SEL_KERNEL_DATA: u16 = 0x10;
@inline export const SEL_USER_CODE: u16 = 0x18 | 3;
@inline export const SEL_USER_DATA: u16 = 0x20 | 3;
@inline export const SEL_KERNEL_TSS: u16 = 0x28;
@inline export const SEL_DOUBLE_FAULT_TSS: u16 = 0x30;
@inline const GDT_ENTRIES: i32 = 7;

// Access byte bits.
@inline export const SEG_PRESENT: u8 = 0x80;
@inline export const SEG_DPL3: u8 = 0x60;
@inline export const SEG_CODE_DATA: u8 = 0x10;          // S: code/data, not system
@inline export const SEG_CODE_READ: u8 = 0x0A;          // type: execute/read
@inline export const SEG_DATA_WRITE: u8 = 0x02;         // type: read/write
@inline export const SEG_TSS32_AVAILABLE: u8 = 0x09;    // system type: 32-bit TSS
// Flags nibble.
@inline export const SEG_GRANULARITY_4K: u8 = 0x8;
@inline export const SEG_SIZE_32: u8 = 0x4;

@inline const FLAT_LIMIT: u32 = 0xFFFFF;                // 2^20 units of 4 KiB = 4 GiB
@inline const KERNEL_CODE_ACCESS: u8 = SEG_PRESENT | SEG_CODE_DATA | SEG_CODE_READ;
@inline const KERNEL_DATA_ACCESS: u8 = SEG_PRESENT | SEG_CODE_DATA | SEG_DATA_WRITE;
@inline const FLAT_FLAGS: u8 = SEG_GRANULARITY_4K | SEG_SIZE_32;

/** Encodes one segment descriptor (figure 3-8 above). `limit` is 20 bits. */
export function segmentDescriptor(base: u32, limit: u32, access: u8, flags: u8): u64 {
  return (<u64>(limit & 0xFFFF))
    | (<u64>(base & 0xFFFFFF) << 16)
    | (<u64>access << 40)
    | (<u64>((limit >> 16) & 0xF) << 48)
    | (<u64>(flags & 0xF) << 52)
    | (<u64>(base >> 24) << 56);
}

/** The base address a descriptor encodes. */
export function descriptorBase(d: u64): u32 {
  return <u32>((d >> 16) & 0xFFFFFF) | (<u32>(d >> 56) << 24);
}

/** The limit in bytes minus one a descriptor encodes (4 KiB units scaled). */
export function descriptorLimit(d: u64): u32 {
  const raw = <u32>(d & 0xFFFF) | (<u32>((d >> 48) & 0xF) << 16);
  return ((d >> 55) & 1) != 0 ? (raw << 12) | 0xFFF : raw;
}

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
@inline const TSS_BYTES: u32 = 104;
@inline const EFLAGS_RESERVED_1: u32 = 0x2;             // bit 1 is always set

const gdt = memory.data(GDT_ENTRIES * 8, 8);
const gdtr = memory.data(8, 4);                         // limit u16 at +0, base u32 at +2
const kernelTssMemory = memory.data(<i32>TSS_BYTES, 16);
const doubleFaultTssMemory = memory.data(<i32>TSS_BYTES, 16);

/** The kernel's TSS: the state interrupted by a double fault is saved here. */
export const kernelTss = changetype<TaskStateSegment>(kernelTssMemory);
/** The double-fault task's TSS. */
export const doubleFaultTss = changetype<TaskStateSegment>(doubleFaultTssMemory);

/** The GDT entry at `selector`. */
export function gdtEntry(selector: u16): u64 {
  return load<u64>(gdt + <usize>(selector & ~7));
}

/**
 * Builds the GDT and both TSSes, loads GDTR, reloads every segment register
 * (CS through a far return) and loads the task register with the kernel TSS.
 */
export function gdtInit(): void {
  setEntry(0, 0);
  setEntry(SEL_KERNEL_CODE, segmentDescriptor(0, FLAT_LIMIT, KERNEL_CODE_ACCESS, FLAT_FLAGS));
  setEntry(SEL_KERNEL_DATA, segmentDescriptor(0, FLAT_LIMIT, KERNEL_DATA_ACCESS, FLAT_FLAGS));
  setEntry(SEL_USER_CODE, segmentDescriptor(0, FLAT_LIMIT, KERNEL_CODE_ACCESS | SEG_DPL3, FLAT_FLAGS));
  setEntry(SEL_USER_DATA, segmentDescriptor(0, FLAT_LIMIT, KERNEL_DATA_ACCESS | SEG_DPL3, FLAT_FLAGS));
  setEntry(SEL_KERNEL_TSS, tssDescriptor(kernelTssMemory));
  setEntry(SEL_DOUBLE_FAULT_TSS, tssDescriptor(doubleFaultTssMemory));

  memory.fill(kernelTssMemory, 0, TSS_BYTES);
  kernelTss.ss0 = SEL_KERNEL_DATA;
  kernelTss.iomapBase = <u16>TSS_BYTES;
  initDoubleFaultTss();

  store<u16>(gdtr, <u16>(GDT_ENTRIES * 8 - 1));
  store<u32>(gdtr + 2, <u32>gdt);
  lgdt(gdtr);
  loadSegments(SEL_KERNEL_CODE, SEL_KERNEL_DATA);
  ltr(SEL_KERNEL_TSS);
}

// The double-fault task starts at double_fault_task (boot/interrupts.asm) on
// its own stack, with interrupts off, in the kernel's segments.
function initDoubleFaultTss(): void {
  memory.fill(doubleFaultTssMemory, 0, TSS_BYTES);
  const t = doubleFaultTss;
  t.eip = <u32>doubleFaultTask();
  t.esp = <u32>doubleFaultStackTop();
  t.eflags = EFLAGS_RESERVED_1;
  t.cs = SEL_KERNEL_CODE;
  t.ss = t.ds = t.es = t.fs = t.gs = SEL_KERNEL_DATA;
  t.iomapBase = <u16>TSS_BYTES;
  tssSetAddressSpace(readCr3());
}

/**
 * The page directory the double-fault task runs in. The CPU loads CR3 from
 * the TSS on the task switch, so paging must call this whenever it changes
 * the kernel's directory.
 */
export function tssSetAddressSpace(cr3: u32): void {
  doubleFaultTss.cr3 = cr3;
}

function tssDescriptor(tss: usize): u64 {
  return segmentDescriptor(<u32>tss, TSS_BYTES - 1, SEG_PRESENT | SEG_TSS32_AVAILABLE, 0);
}

function setEntry(selector: u16, descriptor: u64): void {
  store<u64>(gdt + <usize>(selector & ~7), descriptor);
}
