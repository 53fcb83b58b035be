// kernel/mm/backing.ts: physical memory behind virtual areas, and the tag
// that says which area a page belongs to.
//
// The area allocator (mm/area.ts) reaches paging and physical pages only
// through these four functions. In the kernel, a page is backed by
// pageAlloc + pageMap, and its tag is the owner word of its physical page
// descriptor, found through the mirror in O(1). The host unit tests are
// built with `--use HOST_TEST=1`, which swaps in a test double
// (tests/unit/as-pect.config.js) over an arena of wasm memory; the choice
// is made at compile time, so the kernel carries no trace of it.

import { pageEntry, pageMap, pdeAddress, pteAddress, PTE_ADDRESS, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { pageAlloc, pageOwnerMapped, pageRelease, pageSetOwner } from "./mem";
import { pageUnmap } from "../arch/x86/paging";

@external("host", "backPage") declare function hostBackPage(vaddr: u32): bool;
@external("host", "unbackPage") declare function hostUnbackPage(vaddr: u32): void;
@external("host", "pageTag") declare function hostPageTag(vaddr: u32): u32;
@external("host", "setPageTag") declare function hostSetPageTag(vaddr: u32, tag: u32): void;

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
 * The tag of the backed page at `vaddr`, or 0 when it is not backed (or not
 * tagged). Inlined: it is how free finds a block's slab. The caller keeps
 * `vaddr` inside the area range, where every present entry maps a page in
 * use (mm/mem.ts pageOwnerMapped).
 */
@inline export function pageTag(vaddr: u32): u32 {
  if (isDefined(HOST_TEST)) return hostPageTag(vaddr);
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0) return 0;
  const entry = load<u32>(pteAddress(vaddr));
  return (entry & PTE_PRESENT) != 0 ? pageOwnerMapped(entry & PTE_ADDRESS) : 0;
}

/** Tags the backed page at `vaddr`. */
export function setPageTag(vaddr: u32, tag: u32): void {
  if (isDefined(HOST_TEST)) {
    hostSetPageTag(vaddr, tag);
    return;
  }
  pageSetOwner(pageEntry(vaddr) & PTE_ADDRESS, tag);
}
