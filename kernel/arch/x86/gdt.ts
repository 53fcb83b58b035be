// kernel/arch/x86/gdt.ts: the global descriptor table, flat model.
//
// Every code and data segment has base 0 and limit 4 GiB, so segmentation
// is a no-op and only paging translates addresses (SDM vol. 3, 3.2.1 "Basic
// Flat Model"). Beside the four code and data segments (kernel and user)
// sit the descriptors of the two task-state segments (arch/x86/tss.ts).
//
// A segment descriptor (SDM vol. 3, 3.4.5, figure 3-8), as one u64:
//
//   63      56 55  52 51   48 47      40 39      32 31          16 15          0
//  +----------+------+-------+----------+----------+--------------+-------------+
//  |base 31:24|flags |lim19:16| access  |base 23:16|  base 15:0   | limit 15:0  |
//  +----------+------+-------+----------+----------+--------------+-------------+
//   flags = G (4 KiB granularity) | D/B (32-bit) | L | AVL
//   access = P | DPL(2) | S | type(4)

import { lgdt, loadSegments, ltr } from "./cpu";
import { doubleFaultTssAddress, kernelTssAddress, tssInit, TSS_BYTES } from "./tss";

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

const gdt = memory.data(GDT_ENTRIES * 8, 8);
const gdtr = memory.data(8, 4);                         // limit u16 at +0, base u32 at +2

/** Where the GDT is, and its size in bytes (debug/guard.ts names it). */
export function gdtAddress(): usize { return gdt; }
@inline export const GDT_BYTES: u32 = <u32>GDT_ENTRIES * 8;

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
  setEntry(SEL_KERNEL_TSS, tssDescriptor(kernelTssAddress()));
  setEntry(SEL_DOUBLE_FAULT_TSS, tssDescriptor(doubleFaultTssAddress()));
  tssInit(SEL_KERNEL_DATA, SEL_KERNEL_CODE);

  store<u16>(gdtr, <u16>(GDT_ENTRIES * 8 - 1));
  store<u32>(gdtr + 2, <u32>gdt);
  lgdt(gdtr);
  loadSegments(SEL_KERNEL_CODE, SEL_KERNEL_DATA);
  ltr(SEL_KERNEL_TSS);
}

function tssDescriptor(tss: usize): u64 {
  return segmentDescriptor(<u32>tss, TSS_BYTES - 1, SEG_PRESENT | SEG_TSS32_AVAILABLE, 0);
}

function setEntry(selector: u16, descriptor: u64): void {
  store<u64>(gdt + <usize>(selector & ~7), descriptor);
}
