// kernel/debug/guard.ts: the one rule for writes made by hand: the
// monitor's poke and fault, and fault= on the command line.
//
// A write by hand may land only in memory someone asked the kernel for and
// that holds none of the kernel's own state:
//   - a used area that is not a slab's (the monitor's area and lazy, a large alloc);
//   - inside one block that alloc handed out (not past its end, not a free
//     block, not a slab's header);
//   - a page mapped by hand (HAND_MAP_BASE up) or in user space whose frame
//     is not a page table or directory of any space, not the kernel's own
//     memory and not an area's page;
//   - the VGA text buffer.
// Every other write that would land overwrites the kernel itself: its code
// and data, the GDT, the IDT and the TSSes (the double-fault task), its
// stacks, the frame descriptors, the area records, a slab's header or free
// list, the page tables (through the mirror), the page directories (their
// views). Those are refused with the
// name of what would be overwritten, because what follows such a write (a
// reset with no word, or a run that "halts cleanly" on corrupted state)
// could not be reported. The monitor's `poke!` writes anyway, and says it
// may stop the kernel.
//
// A write that cannot land is always allowed: to a page that is not
// present (and not parked) or read-only it faults before anything changes
// (a #PF is a fault: the store has not happened, SDM vol. 3, 6.5), which is
// what fault= is for. A parked page of a lazy area lands: its fault backs
// the page and the store is retried (mm/fault.ts).
//
// Two more refusals, for any write by hand: a word that straddles two pages
// where the first would take the write and the second would fault (the
// first page could change before the fault: a lazy page would be backed),
// and a write to a read-only lazy area (its fault backs the page, then the
// retried write faults again). A word across two pages that both take it
// must stay in one area, and in a slab in one block.

import { kernelImageEnd, kernelReadonlyEnd, kernelStart, asRegionStart, asRegionEnd, doubleFaultStackBottom, doubleFaultStackTop, stackBottom, stackTop } from "../arch/x86/layout";
import { gdtAddress, GDT_BYTES } from "../arch/x86/gdt";
import { idtAddress, IDT_VECTORS } from "../arch/x86/idt";
import { inMirror, mirrorDirectory, pdeAddress, pteAddress } from "../arch/x86/mirror";
import { ENTRIES_PER_TABLE, entryFrame, entryParked, PAGE_MASK, PAGE_SIZE, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { doubleFaultTssAddress, kernelTssAddress, TSS_BYTES } from "../arch/x86/tss";
import { VGA_BUFFER } from "../drivers/vga";
import { AREA_READ_ONLY, AREA_SLAB, areaOf, areaRangeEnd, areaRangeStart, areaTag, isRecordSlab, MemArea } from "../mm/area";
import { frameDescriptors, frameDescriptorsEnd, frameTag } from "../mm/frames";
import { lazyAreaOf } from "../mm/lazy";
import { directoryAt, directoryView, DIRECTORIES_MAX } from "../mm/directories";
import { identityMapEnd, inDirectoryViews } from "../mm/regions";
import { slabOf, SLAB_BITMAP, SLAB_TAG } from "../mm/slab";

@inline const VGA_END: u32 = 0xC0000;
@inline const LOW_MEMORY_END: u32 = 0x100000;

/**
 * What a write of `bytes` bytes at `addr` would overwrite of the kernel's
 * own (see the header), or "" when the rule allows it.
 */
export function guardRefusal(addr: u32, bytes: u32): string {
  const last = addr + bytes - 1;
  if (last < addr) return "memory past the top of the address space";
  const first = pieceRefusal(addr, (addr & ~PAGE_MASK) == (last & ~PAGE_MASK) ? bytes : PAGE_SIZE - (addr & PAGE_MASK));
  if (first.length != 0 || (addr & ~PAGE_MASK) == (last & ~PAGE_MASK)) return first;
  const second = last & ~PAGE_MASK;
  const rest = pieceRefusal(second, last - second + 1);
  if (rest.length != 0 || !writeLands(addr) || !writeLands(last)) return rest;
  return acrossPages(addr, last);
}

// Both pages of a word that straddles them would take it: each piece is
// allowed, but the word must stay in one area, and in a slab in one block.
function acrossPages(addr: u32, last: u32): string {
  if (addr < areaRangeStart() || last >= areaRangeEnd()) return "";
  const record = areaOf(addr);
  if (record != areaOf(last)) return "the area after this one";
  if (changetype<MemArea>(record).kind != AREA_SLAB) return "";
  const s = slabOf(<usize>(areaTag(addr) - SLAB_TAG));
  if ((addr - <u32>s.base) >> <u32>s.shift != (last - <u32>s.base) >> <u32>s.shift) return "the block after this one";
  return "";
}

/**
 * Whether a write of `bytes` at `addr` straddles two pages of which the
 * first would take it and the second would fault (see the header).
 */
export function guardSplits(addr: u32, bytes: u32): bool {
  const last = addr + bytes - 1;
  if ((addr & ~PAGE_MASK) == (last & ~PAGE_MASK)) return false;
  return writeLands(addr) && !writeLands(last);
}

/**
 * Whether a kernel write to `addr` would reach memory: present and writable
 * in both the PDE and the PTE (SDM vol. 3, 4.6), or a parked page, which
 * the page-fault handler backs.
 */
export function writeLands(addr: u32): bool {
  const pde = load<u32>(pdeAddress(addr));
  if ((pde & PTE_PRESENT) == 0) return false;
  const pte = load<u32>(pteAddress(addr));
  if (entryParked(pte)) return true;
  return (pte & PTE_PRESENT) != 0 && (pde & pte & PTE_WRITABLE) != 0;
}

// The rule for `bytes` bytes at `addr`, all in one page.
function pieceRefusal(addr: u32, bytes: u32): string {
  if (!writeLands(addr)) return "";
  // A read-only lazy area's page: the write's fault would back it, then the
  // retried write would fault again, with a frame taken meanwhile.
  const lazy = lazyAreaOf(addr);
  if (lazy != 0 && (changetype<MemArea>(lazy).flags & AREA_READ_ONLY) != 0) return "a read-only lazy area (the write would back a page, then fault)";
  if (inMirror(addr)) return addr >= mirrorDirectory() ? "the page directory (through the mirror)" : "a page table (through the mirror)";
  if (addr < identityMapEnd()) return kernelMemory(addr, bytes);
  if (addr >= areaRangeStart() && addr < areaRangeEnd()) return areaMemory(addr, bytes);
  if (inDirectoryViews(addr)) return "a page directory (its view, mm/directories.ts)";
  // The window mapped by hand and user space: a page mapped by hand may map
  // any frame in use.
  return mappedFrame(addr);
}

@inline function overlaps(addr: u32, bytes: u32, start: usize, length: usize): bool {
  return <usize>addr < start + length && <usize>addr + <usize>bytes > start;
}

// The identity map: everything in it is the kernel's, but the screen.
function kernelMemory(addr: u32, bytes: u32): string {
  if (addr >= <u32>VGA_BUFFER && addr + bytes <= VGA_END) return "";
  if (overlaps(addr, bytes, gdtAddress(), GDT_BYTES)) return "the GDT";
  if (overlaps(addr, bytes, idtAddress(), IDT_VECTORS * 8)) return "the IDT";
  if (overlaps(addr, bytes, kernelTssAddress(), TSS_BYTES)) return "the kernel's TSS";
  if (overlaps(addr, bytes, doubleFaultTssAddress(), TSS_BYTES)) return "the double-fault task's TSS";
  if (overlaps(addr, bytes, stackBottom(), stackTop() - stackBottom())) return "the kernel stack";
  if (overlaps(addr, bytes, doubleFaultStackBottom(), doubleFaultStackTop() - doubleFaultStackBottom())) return "the double-fault stack";
  if (overlaps(addr, bytes, frameDescriptors(), frameDescriptorsEnd() - frameDescriptors())) return "the frame descriptors";
  if (overlaps(addr, bytes, asRegionStart(), asRegionEnd() - asRegionStart())) return "the AssemblyScript data and heap";
  if (overlaps(addr, bytes, kernelStart(), kernelReadonlyEnd() - kernelStart())) return "the kernel's code";
  if (overlaps(addr, bytes, kernelReadonlyEnd(), kernelImageEnd() - kernelReadonlyEnd())) return "the kernel's data (.data, .bss)";
  if (addr < LOW_MEMORY_END) return "low memory (the BIOS's data)";
  return "the identity map (the kernel's own memory)";
}

// A page of a used area: allowed in a plain or lazy area, and inside one
// block handed out in a slab's.
function areaMemory(addr: u32, bytes: u32): string {
  const record = areaOf(addr);
  if (record == 0) return "a page of the area range that no area owns";
  if (changetype<MemArea>(record).kind != AREA_SLAB) return "";
  const header = <usize>(areaTag(addr) - SLAB_TAG);
  if (isRecordSlab(header)) return "the area allocator's records";
  const s = slabOf(header);
  const offset = addr - <u32>s.base;
  const index = offset >> <u32>s.shift;
  if (index >= <u32>s.capacity) return <usize>addr + <usize>bytes <= header ? "the slack before a slab's header" : "a slab's header";
  if ((load<u32>(header + SLAB_BITMAP + ((index >> 5) << 2)) & (1 << (index & 31))) == 0) return "a free block (its first word links the slab's free list)";
  if (((offset + bytes - 1) >> <u32>s.shift) != index) return "the block after this one";
  return "";
}

// A page of the window mapped by hand or of user space: allowed unless its
// frame is the kernel's: in the identity map, a page directory or a page
// table of any space (every directory's entries are read through its view),
// or an area's page.
function mappedFrame(addr: u32): string {
  const frame = entryFrame(load<u32>(pteAddress(addr)));
  if (frame < identityMapEnd()) return "the kernel's own memory (this page maps a frame of the identity map)";
  for (let slot: u32 = 0; slot < DIRECTORIES_MAX; slot++) {
    const view = directoryView(slot);
    if (!directoryAt(view)) continue;
    if (entryFrame(load<u32>(pteAddress(view))) == frame) return "a page directory (this page maps its frame)";
    for (let i: u32 = 0; i < ENTRIES_PER_TABLE; i++) {
      const pde = load<u32>(view + i * 4);
      if ((pde & PTE_PRESENT) != 0 && entryFrame(pde) == frame) return "a page table (this page maps its frame)";
    }
  }
  if (frameTag(frame) != 0) return "an area's page (this page maps its frame)";
  return "";
}
