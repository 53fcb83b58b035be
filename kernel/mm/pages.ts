// kernel/mm/pages.ts: the kernel's virtual pages: which frame backs each,
// through the page tables, changed only through the mirror.
//
// pagingInit builds the first directory: the identity map of mm/regions.ts
// (VA == PA from page 1 to the end of the frame descriptors, the kernel's
// code and read-only data read-only, page 0 and the two stack guard pages
// left out), and the mirror (arch/x86/mirror.ts) in PDE 1023. With CR0.WP a
// supervisor write to a read-only page faults too (SDM vol. 3, 4.6.1), so a
// stray store into the kernel's code is reported instead of rewriting it.
//
// After pagingInit every change goes through the mirror. Each table has a
// count of its entries in use (present or parked): the first entry of an
// empty PDE creates its table, the last one to go frees it. A single-page
// change invalidates just that page (INVLPG), never the whole TLB.
//
// Parked entries. A page of a lazy area has no frame yet; its entry is
// parked instead (arch/x86/paging.ts PTE_PARKED): not present, keeping a
// word of the caller's (mm/area.ts keeps the area's record there, so a fault
// on the page finds its area in O(1)). A parked entry counts in its table,
// so the table stays; pageMapParked turns it into a mapping, pageUnpark
// clears it. Every walker tests P first: a parked entry maps nothing.
//
// Misuse stops the kernel before anything changes, naming the function and
// the address: an unaligned address, one in the mirror or the identity map,
// a page already mapped or parked, a frame not in use. Running out of frames
// for a table returns false and changes nothing. None of these may run in
// interrupt context (core/context.ts).

import { invlpg, readCr0, writeCr0, writeCr3 } from "../arch/x86/cpu";
import { doubleFaultStackGuard, kernelReadonlyEnd, kernelStart, stackGuard } from "../arch/x86/layout";
import { inMirror, MIRROR_INDEX, mirrorTable, pdeAddress, pteAddress } from "../arch/x86/mirror";
import {
  CR0_PG, CR0_WP, ENTRIES_PER_TABLE, entryFlags, entryFrame, entryParked, makeEntry, PAGE_MASK, PAGE_SIZE, PDE_GRANTS, PDE_SHIFT,
  pdeIndex, pteIndex, PTE_ACCESSED, PTE_DIRTY, PTE_PARKED, PTE_PARKED_WORD, PTE_PRESENT, PTE_USER, PTE_WRITABLE,
} from "../arch/x86/paging";
import { tssSetAddressSpace } from "../arch/x86/tss";
import { print, printHex, println } from "../core/console";
import { panicAt, refuseInInterrupt } from "../core/panic";
import { alignUp, frameAlloc, frameIsInUseAligned, frameReleaseInUse, frameRetainInUse } from "./frames";
import { directoriesShare } from "./directories";
import { inIdentityMap, isKernelTable, regionsSetIdentityEnd, USER_BASE, USER_END } from "./regions";

/** pageTranslate's answer for an address with no mapping (no 32-bit physical address equals it). */
@inline export const PAGE_NOT_MAPPED: u64 = 1 << 32;

// Entries in use in each page table (present or parked), by PDE index.
const tableEntries = memory.data(<i32>ENTRIES_PER_TABLE * 2, 4);
let directoryPhysical: u32 = 0;
let enabled = false;

@inline function tableCount(table: u32): u32 { return load<u16>(tableEntries + <usize>table * 2); }
@inline function setTableCount(table: u32, n: u32): void { store<u16>(tableEntries + <usize>table * 2, <u16>n); }

// The counts of the user tables are each address space's own: mm/space.ts
// keeps them while another space runs, and swaps them with these two.
@inline const USER_COUNTS_FROM: u32 = USER_BASE >>> PDE_SHIFT;
/** Bytes of the user tables' counts (pageUserCountsSave, pageUserCountsLoad). */
@inline export const USER_COUNTS_BYTES: u32 = ((USER_END - USER_BASE) >>> PDE_SHIFT) * 2;

/** Copies the running space's user-table counts to `to` (USER_COUNTS_BYTES). */
export function pageUserCountsSave(to: usize): void {
  memory.copy(to, tableEntries + <usize>USER_COUNTS_FROM * 2, USER_COUNTS_BYTES);
}

/** Makes the counts at `from` the running space's (mm/space.ts, with its CR3). */
export function pageUserCountsLoad(from: usize): void {
  memory.copy(tableEntries + <usize>USER_COUNTS_FROM * 2, from, USER_COUNTS_BYTES);
}

/** Entries in use (present or parked) in page table `table`; 0 when it does not exist. */
export function pageTableEntries(table: u32): u32 { return tableCount(table); }
/** The physical address of the kernel's page directory (CR3). */
export function pageDirectory(): u32 { return directoryPhysical; }

/**
 * Builds the directory and the identity map of [0, end) (see the header),
 * installs the mirror, loads CR3 and turns on CR0.PG and CR0.WP. Returns
 * false when there were not enough frames for the tables.
 */
export function pagingInit(end: u32): bool {
  const identityEnd = <u32>alignUp(end, PAGE_SIZE);
  regionsSetIdentityEnd(identityEnd);
  const directory = frameAlloc();
  if (directory == 0) return false;
  memory.fill(directory, 0, PAGE_SIZE);
  memory.fill(tableEntries, 0, ENTRIES_PER_TABLE * 2);
  const guard = <u32>stackGuard();
  const doubleFaultGuard = <u32>doubleFaultStackGuard();
  const readonlyStart = <u32>kernelStart();
  const readonlyEnd = <u32>kernelReadonlyEnd();
  for (let addr: u32 = PAGE_SIZE; addr < identityEnd; addr += PAGE_SIZE) {
    if (addr == guard || addr == doubleFaultGuard) continue;
    const flags = addr >= readonlyStart && addr < readonlyEnd ? 0 : PTE_WRITABLE;
    // Before paging is on, tables are reached at their physical addresses.
    const table = pdeIndex(addr);
    let pde = load<u32>(directory + table * 4);
    if (pde == 0) {
      const frame = frameAlloc();
      if (frame == 0) return false;
      memory.fill(frame, 0, PAGE_SIZE);
      pde = makeEntry(frame, PDE_GRANTS);
      store<u32>(directory + table * 4, pde);
    }
    store<u32>(entryFrame(pde) + pteIndex(addr) * 4, makeEntry(addr, flags));
    setTableCount(table, tableCount(table) + 1);
  }
  store<u32>(directory + MIRROR_INDEX * 4, makeEntry(directory, PTE_WRITABLE));
  directoryPhysical = directory;
  tssSetAddressSpace(directory);
  writeCr3(directory);
  writeCr0(readCr0() | CR0_PG | CR0_WP);
  enabled = true;
  return true;
}

/**
 * Maps the page at `vaddr` to the frame at `paddr` with `flags`
 * (PTE_WRITABLE, PTE_USER, ...; present is implied). The mapping holds a
 * reference to the frame (frameRetain). Returns false, changing nothing,
 * when a new page table was needed and no frame was left. Stops the kernel
 * on misuse (see the header), before changing anything.
 */
export function pageMap(vaddr: u32, paddr: u32, flags: u32): bool {
  refuseInInterrupt("pageMap", vaddr);
  if (((vaddr | paddr) & PAGE_MASK) != 0) panicAt("pageMap", "unaligned address", (vaddr & PAGE_MASK) != 0 ? vaddr : paddr);
  if (inMirror(vaddr)) panicAt("pageMap", "address in the mirror window", vaddr);
  if (inIdentityMap(vaddr)) panicAt("pageMap", "address in the identity map", vaddr);
  if (!frameIsInUseAligned(paddr)) panicAt("pageMap", "frame not allocated (free or reserved)", paddr);
  const table = pdeIndex(vaddr);
  const pde = pdeAddress(vaddr);
  // The PTE address is computed where it is used, not kept across the
  // table's creation: held in a register there, it was spilled to the stack.
  const hasTable = (load<u32>(pde) & PTE_PRESENT) != 0;
  if (hasTable && (load<u32>(pteAddress(vaddr)) & (PTE_PRESENT | PTE_PARKED)) != 0) {
    panicAt("pageMap", "address already mapped or parked", vaddr);
  }
  // The reference first: its check (a frame's count is full) refuses before
  // a table is made; a table that cannot be had gives it back.
  frameRetainInUse(paddr); // checked above
  if (!hasTable && !tableCreate(table, pde)) {
    frameReleaseInUse(paddr); // the caller's reference remains
    return false;
  }
  // makeEntry, less the masking of an address already checked to be aligned.
  store<u32>(pteAddress(vaddr), paddr | entryFlags(flags) | PTE_PRESENT);
  setTableCount(table, tableCount(table) + 1);
  invlpg(vaddr);
  return true;
}

// A fresh page table for directory entry `table`: allocate, install, then
// zero it through its place in the mirror window.
function tableCreate(table: u32, pde: u32): bool {
  const frame = frameAlloc();
  if (frame == 0) return false;
  const entry = makeEntry(frame, PDE_GRANTS);
  store<u32>(pde, entry);
  const window = mirrorTable(table);
  invlpg(window);
  memory.fill(window, 0, PAGE_SIZE);
  setTableCount(table, 0);
  // A kernel table is every directory's (mm/directories.ts), zeroed first.
  if (isKernelTable(table)) directoriesShare(table, entry);
  return true;
}

/**
 * Removes the mapping of the page at `vaddr` and drops its reference to the
 * frame; frees the page table when this was its last entry. Returns the
 * frame that was mapped. Stops the kernel, before changing anything, when
 * `vaddr` is unaligned, in the mirror window or the identity map, not
 * mapped, or mapped to a frame the allocator did not hand out.
 */
export function pageUnmap(vaddr: u32): u32 {
  refuseInInterrupt("pageUnmap", vaddr);
  if ((vaddr & PAGE_MASK) != 0) panicAt("pageUnmap", "unaligned address", vaddr);
  if (inMirror(vaddr)) panicAt("pageUnmap", "address in the mirror window", vaddr);
  if (inIdentityMap(vaddr)) panicAt("pageUnmap", "address in the identity map", vaddr);
  const pde = pdeAddress(vaddr);
  if ((load<u32>(pde) & PTE_PRESENT) == 0) panicAt("pageUnmap", "address not mapped (no page table)", vaddr);
  const pte = pteAddress(vaddr);
  const entry = load<u32>(pte);
  if ((entry & PTE_PRESENT) == 0) panicAt("pageUnmap", "address not mapped", vaddr);
  const paddr = entryFrame(entry);
  if (!frameIsInUseAligned(paddr)) panicAt("pageUnmap", "maps a frame that was never allocated (identity map?)", vaddr);
  store<u32>(pte, 0);
  invlpg(vaddr);
  const table = pdeIndex(vaddr);
  const left = <u16>(tableCount(table) - 1);   // the counts are u16, and so is the test
  setTableCount(table, left);
  if (left == 0) tableFree(table, pde);
  frameReleaseInUse(paddr); // checked above
  return paddr;
}

/**
 * Sets the flags of the identity-mapped page at `vaddr` (PTE_WRITABLE, ...;
 * present is implied; the frame stays `vaddr`), for a change of rights the
 * kernel means to make to its own low memory (debug/inject.ts makes the VGA
 * text page read-only). Stops the kernel, changing nothing, when `vaddr` is
 * unaligned, outside the identity map, or one of its unmapped pages (page 0,
 * the stack guards).
 */
export function pageSetIdentityFlags(vaddr: u32, flags: u32): void {
  if ((vaddr & PAGE_MASK) != 0) panicAt("pageSetIdentityFlags", "unaligned address", vaddr);
  if (!inIdentityMap(vaddr)) panicAt("pageSetIdentityFlags", "address outside the identity map", vaddr);
  const pte = pteAddress(vaddr);
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0 || (load<u32>(pte) & PTE_PRESENT) == 0) {
    panicAt("pageSetIdentityFlags", "address not mapped (page 0 or a stack guard)", vaddr);
  }
  store<u32>(pte, makeEntry(vaddr, flags));
  invlpg(vaddr);
}

function tableFree(table: u32, pde: u32): void {
  const frame = entryFrame(load<u32>(pde));
  store<u32>(pde, 0);
  if (isKernelTable(table)) directoriesShare(table, 0);
  invlpg(mirrorTable(table));
  frameReleaseInUse(frame); // a table's frame, allocated by tableCreate
}

// ---------------------------------------------------------------------------
// Parked entries (see the header): not present, a word for software.

/**
 * Parks the page at `vaddr`, keeping `word` (4-byte aligned, not 0) in its
 * entry; creates the page table when needed. Returns false, changing
 * nothing, when a table was needed and no frame was left. Stops the kernel,
 * before changing anything, where pageMap would, and when `word` is not a
 * word an entry can hold.
 */
export function pagePark(vaddr: u32, word: u32): bool {
  if ((vaddr & PAGE_MASK) != 0) panicAt("pagePark", "unaligned address", vaddr);
  if (inMirror(vaddr)) panicAt("pagePark", "address in the mirror window", vaddr);
  if (inIdentityMap(vaddr)) panicAt("pagePark", "address in the identity map", vaddr);
  if (word == 0 || (word & ~PTE_PARKED_WORD) != 0) panicAt("pagePark", "word is 0 or not 4-byte aligned", word);
  const table = pdeIndex(vaddr);
  const pde = pdeAddress(vaddr);
  if ((load<u32>(pde) & PTE_PRESENT) == 0) {
    if (!tableCreate(table, pde)) return false;
  } else if (load<u32>(pteAddress(vaddr)) != 0) {
    panicAt("pagePark", "address already mapped or parked", vaddr);
  }
  // Nothing was present, so no TLB entry needs invalidating (SDM vol. 3, 4.10.2.3).
  store<u32>(pteAddress(vaddr), word | PTE_PARKED);
  setTableCount(table, tableCount(table) + 1);
  return true;
}

/** The word kept in the parked entry of `vaddr`, or 0 when its entry is not parked. */
export function pageParkedWord(vaddr: u32): u32 {
  const entry = pageEntry(vaddr);
  return entryParked(entry) ? entry & PTE_PARKED_WORD : 0;
}

/** Replaces the word of the parked entry of `vaddr` (the record it names moved). */
export function pageSetParkedWord(vaddr: u32, word: u32): void {
  if (pageParkedWord(vaddr) == 0) panicAt("pageSetParkedWord", "address not parked", vaddr);
  if (word == 0 || (word & ~PTE_PARKED_WORD) != 0) panicAt("pageSetParkedWord", "word is 0 or not 4-byte aligned", word);
  store<u32>(pteAddress(vaddr), word | PTE_PARKED);
}

/** Clears the parked entry of `vaddr`; frees the table when that was its last entry in use. */
export function pageUnpark(vaddr: u32): void {
  if (pageParkedWord(vaddr) == 0) panicAt("pageUnpark", "address not parked", vaddr);
  store<u32>(pteAddress(vaddr), 0);
  const table = pdeIndex(vaddr);
  const left = <u16>(tableCount(table) - 1);
  setTableCount(table, left);
  if (left == 0) tableFree(table, pdeAddress(vaddr));
}

/**
 * Maps the parked page at `vaddr` to the frame at `paddr` with `flags`, in
 * place of its word (the table's count stays). The mapping holds a
 * reference to the frame. Stops the kernel, before changing anything, when
 * `vaddr` is not parked or `paddr` is not a frame in use.
 */
export function pageMapParked(vaddr: u32, paddr: u32, flags: u32): void {
  if (pageParkedWord(vaddr) == 0) panicAt("pageMapParked", "address not parked", vaddr);
  if ((paddr & PAGE_MASK) != 0 || !frameIsInUseAligned(paddr)) panicAt("pageMapParked", "frame not allocated (free or reserved)", paddr);
  frameRetainInUse(paddr);
  store<u32>(pteAddress(vaddr), makeEntry(paddr, flags));
  // Not-present entries are never cached in the TLB (SDM vol. 3, 4.10.2.3): no INVLPG.
}

/** Changes the flags of the present mapping at `vaddr` outside the identity map (the frame stays), and invalidates it. */
export function pageSetFlags(vaddr: u32, flags: u32): void {
  if (inIdentityMap(vaddr) || inMirror(vaddr)) panicAt("pageSetFlags", "address in the identity map or the mirror", vaddr);
  const entry = pageEntry(vaddr);
  if ((entry & PTE_PRESENT) == 0) panicAt("pageSetFlags", "address not mapped", vaddr);
  store<u32>(pteAddress(vaddr), makeEntry(entryFrame(entry), flags));
  invlpg(vaddr);
}

/** The physical address `vaddr` maps to, or PAGE_NOT_MAPPED. */
export function pageTranslate(vaddr: u32): u64 {
  const entry = pageEntry(vaddr);
  if ((entry & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  return <u64>(entryFrame(entry) | (vaddr & PAGE_MASK));
}

/** The PTE for `vaddr`, or 0 when its table does not exist. */
export function pageEntry(vaddr: u32): u32 {
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0) return 0;
  return load<u32>(pteAddress(vaddr));
}

// ---------------------------------------------------------------------------
// Visibility.

/** Prints the PDE and PTE for `vaddr`, read through the mirror (fault reports, the monitor's pt). */
export function pagingPrintWalk(vaddr: u32): void {
  if (!enabled) return;
  const pde = load<u32>(pdeAddress(vaddr));
  print("    pde:         ");
  printHex(pde);
  print(" at ");
  printHex(pdeAddress(vaddr));
  printEntryFlags(pde);
  if ((pde & PTE_PRESENT) == 0) return;
  const pte = load<u32>(pteAddress(vaddr));
  print("    pte:         ");
  printHex(pte);
  print(" at ");
  printHex(pteAddress(vaddr));
  printEntryFlags(pte);
}

/** Writes an entry's flags in words, then a newline. */
export function printEntryFlags(entry: u32): void {
  if (entryParked(entry)) {
    print(" (not present, parked: word ");
    printHex(entry & PTE_PARKED_WORD);
    println(")");
    return;
  }
  if ((entry & PTE_PRESENT) == 0) {
    println(" (not present)");
    return;
  }
  print(" (present");
  print((entry & PTE_WRITABLE) != 0 ? ", writable" : ", read-only");
  print((entry & PTE_USER) != 0 ? ", user" : ", supervisor");
  if ((entry & PTE_ACCESSED) != 0) print(", accessed");
  if ((entry & PTE_DIRTY) != 0) print(", dirty");
  println(")");
}
