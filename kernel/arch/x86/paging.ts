// kernel/arch/x86/paging.ts: 32-bit paging with a recursive page-directory
// entry, the "mirror".
//
// Paging (SDM vol. 3, 4.3, "32-bit paging") splits a linear address into
//
//   31            22 21            12 11                    0
//  +----------------+----------------+-----------------------+
//  |  PDE index     |  PTE index     |  offset in the page   |
//  +----------------+----------------+-----------------------+
//
// CR3 holds the physical address of the directory; PDE i holds the physical
// address of page table i, and PTE j of that table the physical page.
//
// The mirror. PDE number MIRROR_INDEX (N) points back at the directory
// itself. A linear address whose PDE index is N then walks: directory ->
// (entry N) directory again, used as a page table -> (entry I) the page
// table I, used as the page. So the 4 MiB window at N x 4 MiB shows every
// page table, and the directory among them:
//
//   N x 4 MiB + I x 4 KiB   is page table I   (mirrorTable(I))
//   N x 4 MiB + N x 4 KiB   is the directory   (mirrorDirectory())
//
// With N = 1023: tables appear from 0xFFC00000, the directory at 0xFFFFF000,
// and the PTE for any address V is at 0xFFC00000 + (V >> 12) x 4.
//
//   0xFFFFFFFF +------------------------+
//              | directory (= table N)  |  0xFFFFF000
//              | table N-1              |
//              | ...                    |
//              | table 0                |  0xFFC00000 = N x 4 MiB
//              +------------------------+
//              | mapped by hand         |  the monitor's map, the paging suite
//              +------------------------+  HAND_MAP_BASE = 0xC0000000
//              | kernel areas (mm/area) |
//              +------------------------+  identity map end
//              | identity map: VA == PA |  0 .. end of the page descriptors
//   0x00000000 +------------------------+  (page 0 and the stack guards unmapped)
//
// In the identity map the kernel's code and read-only data (layout
// kernelStart .. kernelReadonlyEnd: .multiboot, .text, .rodata, .ksyms) are
// read-only: with CR0.WP set a supervisor write to them faults too (SDM vol.
// 3, 4.6.1), so a stray store is reported instead of rewriting the kernel.
// Everything else there is writable. Page 0 (null), the page below the
// kernel stack and the page below the double-fault stack are not mapped.
//
// After pagingInit every change goes through the mirror: no code needs the
// physical address of a table to change it. Each table has a count of its
// entries in use (present, or reserved: below); mapping into an empty PDE allocates the table, unmapping
// its last entry frees it. A single-page change invalidates just that page
// (INVLPG), never the whole TLB. pageMap and pageUnmap refuse to run in
// interrupt context (core/context.ts).
//
// Reserved entries. When P = 0 the CPU ignores every other bit of a PTE
// (SDM vol. 3, 4.3 and table 4-6), so software may keep a word there. A
// reserved entry is "not present, PTE_RESERVED_MARK set, the rest a 4-byte
// aligned word of the caller's" (mm/area.ts keeps a lazy area's record
// there, so a fault in it finds its area from the PTE alone, in O(1)). A
// reserved entry counts in its table's entries in use, so the table stays;
// pageMapReserved turns it into a mapping, pageUnreserve clears it. Every
// walker must test P first: a reserved entry maps nothing.

import { invlpg, readCr0, writeCr0, writeCr3 } from "./cpu";
import { print, printHex, println } from "../../core/console";
import { tssSetAddressSpace } from "../../core/gdt";
import { doubleFaultStackGuard, kernelReadonlyEnd, kernelStart, stackGuard } from "../../core/layout";
import { refuseInInterrupt } from "../../core/context";
import { panicAt } from "../../core/panic";
import { alignUp, pageAlloc, pageIsInUseAligned, pageReleaseInUse, pageRetainInUse, PAGE_SIZE } from "../../mm/mem";

// Entry bits, PDE and PTE alike (SDM vol. 3, tables 4-5 and 4-6).
@inline export const PTE_PRESENT: u32 = 1 << 0;        // P
@inline export const PTE_WRITABLE: u32 = 1 << 1;       // R/W: writes allowed
@inline export const PTE_USER: u32 = 1 << 2;           // U/S: ring 3 may access
@inline export const PTE_WRITE_THROUGH: u32 = 1 << 3;  // PWT
@inline export const PTE_CACHE_DISABLE: u32 = 1 << 4;  // PCD
@inline export const PTE_ACCESSED: u32 = 1 << 5;       // A: set by the CPU
@inline export const PTE_DIRTY: u32 = 1 << 6;          // D: set by the CPU on write (PTE only)
@inline export const PTE_GLOBAL: u32 = 1 << 8;         // G (PTE only, with CR4.PGE)
@inline export const PTE_ADDRESS: u32 = 0xFFFFF000;    // the physical frame
@inline export const PTE_FLAGS: u32 = 0x00000FFF;

/**
 * A directory entry allows everything and leaves the decision to the page
 * table entries: the CPU takes the stricter of the two (SDM vol. 3, 4.6), so
 * a table shared by kernel and user mappings needs no change when the first
 * user mapping arrives.
 */
@inline export const PDE_GRANTS: u32 = PTE_PRESENT | PTE_WRITABLE | PTE_USER;

@inline export const CR0_WP: u32 = 1 << 16;            // supervisor writes honour R/W
@inline export const CR0_PG: u32 = 1 << 31;            // paging on

@inline export const ENTRIES_PER_TABLE: u32 = 1024;
@inline export const PDE_SHIFT: u32 = 22;              // 4 MiB per PDE
@inline export const PTE_SHIFT: u32 = 12;              // 4 KiB per PTE

/** The directory entry that points back at the directory (N above). */
@inline export const MIRROR_INDEX: u32 = 1023;
/** Where the page tables appear: N x 4 MiB. */
@inline export const MIRROR_BASE: u32 = MIRROR_INDEX << PDE_SHIFT;
/**
 * Where the kernel's areas (mm/area.ts) end and the window for pages mapped
 * by hand begins, up to the mirror: the monitor's `map`, the paging suite.
 * An area owns every page of its range, free or used, and maps them itself;
 * a page mapped or unmapped there by hand would break the area allocator's
 * next take or release. So mappings by hand stay in this window.
 */
@inline export const HAND_MAP_BASE: u32 = 0xC0000000;

/** pageTranslate's answer for an address with no mapping (no 32-bit physical address equals it). */
@inline export const PAGE_NOT_MAPPED: u64 = 1 << 32;

/** A page directory or table entry for the frame at `paddr` (4 KiB aligned) with `flags`, present. */
@inline export function makeEntry(paddr: u32, flags: u32): u32 { return (paddr & PTE_ADDRESS) | (flags & PTE_FLAGS) | PTE_PRESENT; }
/** The physical frame an entry points at. */
@inline export function entryFrame(entry: u32): u32 { return entry & PTE_ADDRESS; }
/** The flag bits of an entry. */
@inline export function entryFlags(entry: u32): u32 { return entry & PTE_FLAGS; }

@inline export function pdeIndex(vaddr: u32): u32 { return vaddr >>> PDE_SHIFT; }
@inline export function pteIndex(vaddr: u32): u32 { return (vaddr >>> PTE_SHIFT) & (ENTRIES_PER_TABLE - 1); }

/** Where page table `table` appears in the mirror window of directory entry `mirror`. */
@inline export function mirrorTable(table: u32, mirror: u32 = MIRROR_INDEX): u32 {
  return (mirror << PDE_SHIFT) + (table << PTE_SHIFT);
}
/** Where the directory appears in the mirror window of entry `mirror`. */
@inline export function mirrorDirectory(mirror: u32 = MIRROR_INDEX): u32 {
  return mirrorTable(mirror, mirror);
}
/** The linear address of the PDE that maps `vaddr`. */
@inline export function pdeAddress(vaddr: u32): u32 { return mirrorDirectory() + pdeIndex(vaddr) * 4; }
/**
 * The linear address of the PTE that maps `vaddr` (valid only while its PDE
 * is present): mirrorTable(pdeIndex(vaddr)) + pteIndex(vaddr) x 4, which is
 * MIRROR_BASE + (vaddr >> 12) x 4, one shift.
 */
@inline export function pteAddress(vaddr: u32): u32 { return MIRROR_BASE + (vaddr >>> PTE_SHIFT) * 4; }

/** Whether `vaddr` lies in the mirror window, which only paging itself may touch. */
@inline export function inMirror(vaddr: u32): bool { return pdeIndex(vaddr) == MIRROR_INDEX; }

// Entries in use in each page table (present, or reserved by pageReserve), by PDE index.
const tableEntries = memory.data(<i32>ENTRIES_PER_TABLE * 2, 4);
let directoryPhysical: u32 = 0;
let identityEnd: u32 = 0;
let enabled = false;

@inline function tableCount(table: u32): u32 { return load<u16>(tableEntries + <usize>table * 2); }
@inline function setTableCount(table: u32, n: u32): void { store<u16>(tableEntries + <usize>table * 2, <u16>n); }

/** The per-table entry counts: ENTRIES_PER_TABLE u16s (for bench/peer.c). */
export function pageTableCounts(): usize { return tableEntries; }
/** Present entries in page table `table` (0 when it does not exist). */
export function pageTableEntries(table: u32): u32 { return tableCount(table); }
/** Whether paging is on. */
export function pagingEnabled(): bool { return enabled; }
/** The physical address of the kernel's page directory (CR3). */
export function pageDirectory(): u32 { return directoryPhysical; }
/** The end of the identity-mapped range (where mm/area's range starts). */
export function identityMapEnd(): u32 { return identityEnd; }

/**
 * Builds the directory, identity-maps [0, end) except page 0 (so a null
 * pointer faults) and the two stack guard pages, the kernel image's code and
 * read-only data read-only, installs the mirror, loads CR3 and turns on
 * CR0.PG and CR0.WP. Returns false when physical memory ran out for the
 * tables.
 */
export function pagingInit(end: u32): bool {
  identityEnd = <u32>alignUp(end, PAGE_SIZE);
  const directory = pageAlloc();
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
      const page = pageAlloc();
      if (page == 0) return false;
      memory.fill(page, 0, PAGE_SIZE);
      pde = makeEntry(page, PDE_GRANTS);
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
 * Maps the page at `vaddr` to the physical page `paddr` with `flags`
 * (PTE_WRITABLE, PTE_USER, ...; present is implied). The mapping holds a
 * reference to the physical page (pageRetain). Returns false, changing
 * nothing, when a new page table was needed and no physical page was left.
 * Stops the kernel on misuse, before changing anything: unaligned
 * addresses, an address in the mirror window or in the identity map (page 0
 * and the stack guard stay unmapped), an address already mapped or reserved (pageReserve), or a
 * physical page that is free or reserved.
 */
export function pageMap(vaddr: u32, paddr: u32, flags: u32): bool {
  refuseInInterrupt("pageMap", vaddr);
  if (((vaddr | paddr) & (PAGE_SIZE - 1)) != 0) panicAt("pageMap", "unaligned address", (vaddr & (PAGE_SIZE - 1)) != 0 ? vaddr : paddr);
  if (inMirror(vaddr)) panicAt("pageMap", "address in the mirror window", vaddr);
  if (vaddr < identityEnd) panicAt("pageMap", "address in the identity map", vaddr);
  if (!pageIsInUseAligned(paddr)) panicAt("pageMap", "physical page not allocated (free or reserved)", paddr);
  const table = pdeIndex(vaddr);
  const pde = pdeAddress(vaddr);
  // The PTE address is computed where it is used, not kept across the
  // table's creation: held in a register there, it was spilled to the stack.
  if ((load<u32>(pde) & PTE_PRESENT) == 0) {
    if (!tableCreate(table, pde)) return false;
  } else if ((load<u32>(pteAddress(vaddr)) & (PTE_PRESENT | PTE_RESERVED_MARK)) != 0) {
    panicAt("pageMap", "address already mapped or reserved", vaddr);
  }
  pageRetainInUse(paddr); // checked above
  // makeEntry, less the masking of an address already checked to be aligned.
  store<u32>(pteAddress(vaddr), paddr | entryFlags(flags) | PTE_PRESENT);
  setTableCount(table, tableCount(table) + 1);
  invlpg(vaddr);
  return true;
}

// A fresh page table for directory entry `table`: allocate, install, then
// zero it through its place in the mirror window.
function tableCreate(table: u32, pde: u32): bool {
  const page = pageAlloc();
  if (page == 0) return false;
  store<u32>(pde, makeEntry(page, PDE_GRANTS));
  const window = mirrorTable(table);
  invlpg(window);
  memory.fill(window, 0, PAGE_SIZE);
  setTableCount(table, 0);
  return true;
}

/**
 * Removes the mapping of the page at `vaddr` and drops its reference to the
 * physical page; frees the page table when this was its last entry. Returns
 * the physical address that was mapped. Stops the kernel, before changing
 * anything, when `vaddr` is unaligned, in the mirror window or the identity
 * map, not mapped, or mapped to a page the allocator did not hand out.
 */
export function pageUnmap(vaddr: u32): u32 {
  refuseInInterrupt("pageUnmap", vaddr);
  if ((vaddr & (PAGE_SIZE - 1)) != 0) panicAt("pageUnmap", "unaligned address", vaddr);
  if (inMirror(vaddr)) panicAt("pageUnmap", "address in the mirror window", vaddr);
  if (vaddr < identityEnd) panicAt("pageUnmap", "address in the identity map", vaddr);
  const pde = pdeAddress(vaddr);
  if ((load<u32>(pde) & PTE_PRESENT) == 0) panicAt("pageUnmap", "address not mapped (no page table)", vaddr);
  const pte = pteAddress(vaddr);
  const entry = load<u32>(pte);
  if ((entry & PTE_PRESENT) == 0) panicAt("pageUnmap", "address not mapped", vaddr);
  const paddr = entryFrame(entry);
  if (!pageIsInUseAligned(paddr)) panicAt("pageUnmap", "maps a page that was never allocated (identity map?)", vaddr);
  store<u32>(pte, 0);
  invlpg(vaddr);
  const table = pdeIndex(vaddr);
  const left = <u16>(tableCount(table) - 1);   // the counts are u16, and so is the test
  setTableCount(table, left);
  if (left == 0) tableFree(table, pde);
  pageReleaseInUse(paddr); // checked above
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
  if ((vaddr & (PAGE_SIZE - 1)) != 0) panicAt("pageSetIdentityFlags", "unaligned address", vaddr);
  if (vaddr >= identityEnd) panicAt("pageSetIdentityFlags", "address outside the identity map", vaddr);
  const pte = pteAddress(vaddr);
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0 || (load<u32>(pte) & PTE_PRESENT) == 0) {
    panicAt("pageSetIdentityFlags", "address not mapped (page 0 or a stack guard)", vaddr);
  }
  store<u32>(pte, makeEntry(vaddr, flags));
  invlpg(vaddr);
}

function tableFree(table: u32, pde: u32): void {
  const page = entryFrame(load<u32>(pde));
  store<u32>(pde, 0);
  invlpg(mirrorTable(table));
  pageReleaseInUse(page); // a table page, allocated by tableCreate
}

// ---------------------------------------------------------------------------
// Reserved entries (see the header): not present, a word for software.

/** Marks a not-present entry as reserved: bit 1 (R/W when present; ignored when P = 0). */
@inline export const PTE_RESERVED_MARK: u32 = 1 << 1;
/** The bits of a reserved entry that hold the caller's word. */
@inline export const PTE_RESERVED_WORD: u32 = ~(PTE_PRESENT | PTE_RESERVED_MARK);

/** Whether `entry` is a reserved entry (not present, marked). */
@inline export function entryReserved(entry: u32): bool {
  return (entry & (PTE_PRESENT | PTE_RESERVED_MARK)) == PTE_RESERVED_MARK;
}

/**
 * Reserves the page at `vaddr`, keeping `word` (4-byte aligned, not 0) in
 * its entry; creates the page table when needed. Returns false, changing
 * nothing, when a table was needed and no physical page was left. Stops the
 * kernel, before changing anything, where pageMap would, and when `word` is
 * not a word an entry can hold.
 */
export function pageReserve(vaddr: u32, word: u32): bool {
  if ((vaddr & (PAGE_SIZE - 1)) != 0) panicAt("pageReserve", "unaligned address", vaddr);
  if (inMirror(vaddr)) panicAt("pageReserve", "address in the mirror window", vaddr);
  if (vaddr < identityEnd) panicAt("pageReserve", "address in the identity map", vaddr);
  if (word == 0 || (word & ~PTE_RESERVED_WORD) != 0) panicAt("pageReserve", "word is 0 or not 4-byte aligned", word);
  const table = pdeIndex(vaddr);
  const pde = pdeAddress(vaddr);
  if ((load<u32>(pde) & PTE_PRESENT) == 0) {
    if (!tableCreate(table, pde)) return false;
  } else if (load<u32>(pteAddress(vaddr)) != 0) {
    panicAt("pageReserve", "address already mapped or reserved", vaddr);
  }
  // Nothing was present, so no TLB entry needs invalidating (SDM vol. 3, 4.10.2.3).
  store<u32>(pteAddress(vaddr), word | PTE_RESERVED_MARK);
  setTableCount(table, tableCount(table) + 1);
  return true;
}

/** The word kept in the reserved entry of `vaddr`, or 0 when its entry is not a reserved one. */
export function pageReservedWord(vaddr: u32): u32 {
  const entry = pageEntry(vaddr);
  return entryReserved(entry) ? entry & PTE_RESERVED_WORD : 0;
}

/** Replaces the word of the reserved entry of `vaddr` (the record it names moved). */
export function pageSetReservedWord(vaddr: u32, word: u32): void {
  if (pageReservedWord(vaddr) == 0) panicAt("pageSetReservedWord", "address not reserved", vaddr);
  if (word == 0 || (word & ~PTE_RESERVED_WORD) != 0) panicAt("pageSetReservedWord", "word is 0 or not 4-byte aligned", word);
  store<u32>(pteAddress(vaddr), word | PTE_RESERVED_MARK);
}

/** Clears the reserved entry of `vaddr`; frees the table when that was its last entry in use. */
export function pageUnreserve(vaddr: u32): void {
  if (pageReservedWord(vaddr) == 0) panicAt("pageUnreserve", "address not reserved", vaddr);
  store<u32>(pteAddress(vaddr), 0);
  const table = pdeIndex(vaddr);
  const left = <u16>(tableCount(table) - 1);
  setTableCount(table, left);
  if (left == 0) tableFree(table, pdeAddress(vaddr));
}

/**
 * Maps the reserved page at `vaddr` to the physical page `paddr` with
 * `flags`, in place of its reservation (the table's count stays). The
 * mapping holds a reference to the page. Stops the kernel, before changing
 * anything, when `vaddr` is not reserved or `paddr` is not a page in use.
 */
export function pageMapReserved(vaddr: u32, paddr: u32, flags: u32): void {
  if (pageReservedWord(vaddr) == 0) panicAt("pageMapReserved", "address not reserved", vaddr);
  if ((paddr & (PAGE_SIZE - 1)) != 0 || !pageIsInUseAligned(paddr)) panicAt("pageMapReserved", "physical page not allocated (free or reserved)", paddr);
  pageRetainInUse(paddr);
  store<u32>(pteAddress(vaddr), makeEntry(paddr, flags));
  // Not-present entries are never cached in the TLB (SDM vol. 3, 4.10.2.3): no INVLPG.
}

/** Changes the flags of the present mapping at `vaddr` in the area range (the frame stays), and invalidates it. */
export function pageSetFlags(vaddr: u32, flags: u32): void {
  if (vaddr < identityEnd || inMirror(vaddr)) panicAt("pageSetFlags", "address in the identity map or the mirror", vaddr);
  const entry = pageEntry(vaddr);
  if ((entry & PTE_PRESENT) == 0) panicAt("pageSetFlags", "address not mapped", vaddr);
  store<u32>(pteAddress(vaddr), makeEntry(entryFrame(entry), flags));
  invlpg(vaddr);
}

/** The physical address `vaddr` maps to, or PAGE_NOT_MAPPED. */
export function pageTranslate(vaddr: u32): u64 {
  const entry = pageEntry(vaddr);
  if ((entry & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  return <u64>(entryFrame(entry) | (vaddr & (PAGE_SIZE - 1)));
}

/** The PTE for `vaddr`, or 0 when its table does not exist. */
export function pageEntry(vaddr: u32): u32 {
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0) return 0;
  return load<u32>(pteAddress(vaddr));
}

/**
 * The page walk a software walker does over a directory kept in ordinary
 * memory, where physical address p is found at `physBase + p`: the physical
 * address for `vaddr`, or PAGE_NOT_MAPPED. The host tests use it to prove
 * the mirror identities for any MIRROR_INDEX.
 */
export function softwareWalk(physBase: usize, directory: u32, vaddr: u32): u64 {
  const pde = load<u32>(physBase + directory + pdeIndex(vaddr) * 4);
  if ((pde & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  const pte = load<u32>(physBase + entryFrame(pde) + pteIndex(vaddr) * 4);
  if ((pte & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  return <u64>(entryFrame(pte) | (vaddr & (PAGE_SIZE - 1)));
}

/** Prints the PDE and PTE for `vaddr`, read through the mirror (for fault reports). */
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
  if (entryReserved(entry)) {
    print(" (not present, reserved: word ");
    printHex(entry & PTE_RESERVED_WORD);
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
