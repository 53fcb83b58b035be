// kernel/mm/backing.ts: physical memory behind virtual areas, and the tag
// that says which area a page belongs to.
//
// The area allocator (mm/area.ts) reaches paging and physical pages only
// through these functions. In the kernel, a page is backed by
// pageAlloc + pageMap, and its tag is the owner word of its physical page
// descriptor, found through the mirror in O(1).
//
// A page of a lazy area is reserved instead (reservePage): its page-table
// entry is not present and keeps the tag itself (paging.ts pageReserve), so
// pageTag answers for it in O(1) too, and backReservedPage later puts a
// zeroed physical page behind it (mm/lazy.ts, on its first touch). The host unit tests are
// built with `--use HOST_TEST=1`, which swaps in a test double
// (tests/unit/page-double.js) over an arena of wasm memory; the choice
// is made at compile time, so the kernel carries no trace of it.

import {
  entryReserved, pageEntry, pageMap, pageMapReserved, pageReserve, pageSetFlags, pageSetReservedWord, pageUnreserve,
  pdeAddress, pteAddress, PTE_ADDRESS, PTE_PRESENT, PTE_RESERVED_WORD, PTE_WRITABLE,
} from "../arch/x86/paging";
import { pageAlloc, pageOwnerMapped, pageRelease, pageSetOwner, PAGE_SIZE } from "./mem";
import { pageUnmap } from "../arch/x86/paging";

@external("host", "backPage") declare function hostBackPage(vaddr: u32): bool;
@external("host", "unbackPage") declare function hostUnbackPage(vaddr: u32): void;
@external("host", "pageTag") declare function hostPageTag(vaddr: u32): u32;
@external("host", "setPageTag") declare function hostSetPageTag(vaddr: u32, tag: u32): void;
@external("host", "reservePage") declare function hostReservePage(vaddr: u32, tag: u32): bool;
@external("host", "unreservePage") declare function hostUnreservePage(vaddr: u32): void;
@external("host", "backReservedPage") declare function hostBackReservedPage(vaddr: u32, writable: bool): bool;
@external("host", "pageBacked") declare function hostPageBacked(vaddr: u32): bool;

/** Puts a fresh physical page behind `vaddr`, writable. False, changing nothing, when memory ran out. */
export function backPage(vaddr: u32): bool {
  if (isDefined(HOST_TEST)) return hostBackPage(vaddr);
  const page = pageAlloc();
  if (page == 0) return false;
  const mapped = pageMap(vaddr, page, PTE_WRITABLE);
  pageRelease(page); // the mapping holds the page now; without one, this frees it
  return mapped;
}

/** Unmaps `vaddr` and releases its physical page. */
export function unbackPage(vaddr: u32): void {
  if (isDefined(HOST_TEST)) {
    hostUnbackPage(vaddr);
    return;
  }
  pageUnmap(vaddr);
}

/**
 * The tag of the backed or reserved page at `vaddr`, or 0 when it is
 * neither (or not tagged). Inlined: it is how free finds a block's slab. The
 * caller keeps `vaddr` inside the area range, where every present entry
 * maps a page in use (mm/mem.ts pageOwnerMapped).
 */
@inline export function pageTag(vaddr: u32): u32 {
  if (isDefined(HOST_TEST)) return hostPageTag(vaddr);
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0) return 0;
  const entry = load<u32>(pteAddress(vaddr));
  if ((entry & PTE_PRESENT) != 0) return pageOwnerMapped(entry & PTE_ADDRESS);
  return entryReserved(entry) ? entry & PTE_RESERVED_WORD : 0;
}

/** Tags the backed or reserved page at `vaddr`. */
export function setPageTag(vaddr: u32, tag: u32): void {
  if (isDefined(HOST_TEST)) {
    hostSetPageTag(vaddr, tag);
    return;
  }
  const entry = pageEntry(vaddr);
  if (entryReserved(entry)) pageSetReservedWord(vaddr, tag);
  else pageSetOwner(entry & PTE_ADDRESS, tag);
}

/** Whether a physical page is behind `vaddr`. */
export function pageBacked(vaddr: u32): bool {
  if (isDefined(HOST_TEST)) return hostPageBacked(vaddr);
  return (pageEntry(vaddr) & PTE_PRESENT) != 0;
}

/**
 * Reserves `vaddr` for a lazy area, tagged `tag` (a record: 4-byte aligned,
 * not 0), with no physical page. False, changing nothing, when a page table
 * was needed and memory ran out.
 */
export function reservePage(vaddr: u32, tag: u32): bool {
  if (isDefined(HOST_TEST)) return hostReservePage(vaddr, tag);
  return pageReserve(vaddr, tag);
}

/** Drops the reservation of `vaddr` (a page of a lazy area that was never backed). */
export function unreservePage(vaddr: u32): void {
  if (isDefined(HOST_TEST)) {
    hostUnreservePage(vaddr);
    return;
  }
  pageUnreserve(vaddr);
}

/**
 * Puts a zeroed physical page behind the reserved `vaddr`, writable or
 * read-only, keeping its tag. False, changing nothing, when no physical page
 * is left. The page is zeroed through `vaddr` while writable, and only then
 * made read-only (CR0.WP holds the kernel to R/W too, SDM vol. 3, 4.6).
 */
export function backReservedPage(vaddr: u32, writable: bool): bool {
  if (isDefined(HOST_TEST)) {
    if (!hostBackReservedPage(vaddr, writable)) return false;
    memory.fill(vaddr, 0, PAGE_SIZE);
    return true;
  }
  const tag = pageTag(vaddr);
  const page = pageAlloc();
  if (page == 0) return false;
  pageMapReserved(vaddr, page, PTE_WRITABLE);
  pageRelease(page); // the mapping holds the page now
  pageSetOwner(page, tag);
  memory.fill(vaddr, 0, PAGE_SIZE);
  if (!writable) pageSetFlags(vaddr, 0);
  return true;
}
