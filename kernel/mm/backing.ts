// kernel/mm/backing.ts: the frames behind the areas' pages, and the tag that
// says which area a page belongs to.
//
// The area allocator (mm/area.ts) reaches paging and frames only through
// these functions. In the kernel, a page is backed by frameAlloc + pageMap,
// and its tag is kept in the descriptor of its frame (mm/frames.ts
// frameTag), found through the mirror in O(1).
//
// A page of a lazy area is parked instead (parkPage): its page-table entry
// is not present and keeps the tag itself (mm/pages.ts pagePark), so pageTag
// answers for it in O(1) too, and backParkedPage later puts a zeroed frame
// behind it (mm/lazy.ts, on its first touch). The host unit tests are built
// with `--use HOST_TEST=1`, which swaps in a test double over an arena of
// wasm memory (tests/unit/page-double.js); the choice is made at compile time, so the
// kernel carries no trace of it.

import { pdeAddress, pteAddress } from "../arch/x86/mirror";
import { entryParked, PAGE_SIZE, PTE_ADDRESS, PTE_PARKED_WORD, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { frameAlloc, frameRelease, frameSetTag, frameTag } from "./frames";
import { pageEntry, pageMap, pageMapParked, pagePark, pageSetFlags, pageSetParkedWord, pageUnmap, pageUnpark } from "./pages";

@external("host", "backPage") declare function hostBackPage(vaddr: u32): bool;
@external("host", "unbackPage") declare function hostUnbackPage(vaddr: u32): void;
@external("host", "pageTag") declare function hostPageTag(vaddr: u32): u32;
@external("host", "setPageTag") declare function hostSetPageTag(vaddr: u32, tag: u32): void;
@external("host", "parkPage") declare function hostParkPage(vaddr: u32, tag: u32): bool;
@external("host", "unparkPage") declare function hostUnparkPage(vaddr: u32): void;
@external("host", "backParkedPage") declare function hostBackParkedPage(vaddr: u32, writable: bool): bool;
@external("host", "pageBacked") declare function hostPageBacked(vaddr: u32): bool;

/** Puts a fresh frame behind `vaddr`, writable. False, changing nothing, when memory ran out. */
export function backPage(vaddr: u32): bool {
  if (isDefined(HOST_TEST)) return hostBackPage(vaddr);
  const frame = frameAlloc();
  if (frame == 0) return false;
  const mapped = pageMap(vaddr, frame, PTE_WRITABLE);
  frameRelease(frame); // the mapping holds the frame now; without one, this frees it
  return mapped;
}

/** Unmaps `vaddr` and releases its frame. */
export function unbackPage(vaddr: u32): void {
  if (isDefined(HOST_TEST)) {
    hostUnbackPage(vaddr);
    return;
  }
  pageUnmap(vaddr);
}

/**
 * The tag of the backed or parked page at `vaddr`, or 0 when it is neither
 * (or not tagged). Inlined: it is how free finds a block's slab. The caller
 * keeps `vaddr` inside the area range, where every present entry maps a
 * frame in use (mm/frames.ts frameTag).
 */
@inline export function pageTag(vaddr: u32): u32 {
  if (isDefined(HOST_TEST)) return hostPageTag(vaddr);
  if ((load<u32>(pdeAddress(vaddr)) & PTE_PRESENT) == 0) return 0;
  const entry = load<u32>(pteAddress(vaddr));
  if ((entry & PTE_PRESENT) != 0) return frameTag(entry & PTE_ADDRESS);
  return entryParked(entry) ? entry & PTE_PARKED_WORD : 0;
}

/** Tags the backed or parked page at `vaddr`. */
export function setPageTag(vaddr: u32, tag: u32): void {
  if (isDefined(HOST_TEST)) {
    hostSetPageTag(vaddr, tag);
    return;
  }
  const entry = pageEntry(vaddr);
  if (entryParked(entry)) pageSetParkedWord(vaddr, tag);
  else frameSetTag(entry & PTE_ADDRESS, tag);
}

/** Whether a frame is behind `vaddr`. */
export function pageBacked(vaddr: u32): bool {
  if (isDefined(HOST_TEST)) return hostPageBacked(vaddr);
  return (pageEntry(vaddr) & PTE_PRESENT) != 0;
}

/**
 * Parks `vaddr` for a lazy area, tagged `tag` (a record: 4-byte aligned,
 * not 0), with no frame. False, changing nothing, when a page table was
 * needed and memory ran out.
 */
export function parkPage(vaddr: u32, tag: u32): bool {
  if (isDefined(HOST_TEST)) return hostParkPage(vaddr, tag);
  return pagePark(vaddr, tag);
}

/** Clears the parked entry of `vaddr` (a page of a lazy area that was never backed). */
export function unparkPage(vaddr: u32): void {
  if (isDefined(HOST_TEST)) {
    hostUnparkPage(vaddr);
    return;
  }
  pageUnpark(vaddr);
}

/**
 * Puts a zeroed frame behind the parked `vaddr`, writable or read-only,
 * keeping its tag. False, changing nothing, when no frame is left. The page
 * is zeroed through `vaddr` while writable, and only then made read-only
 * (CR0.WP holds the kernel to R/W too, SDM vol. 3, 4.6).
 */
export function backParkedPage(vaddr: u32, writable: bool): bool {
  if (isDefined(HOST_TEST)) {
    if (!hostBackParkedPage(vaddr, writable)) return false;
    memory.fill(vaddr, 0, PAGE_SIZE);
    return true;
  }
  const tag = pageTag(vaddr);
  const frame = frameAlloc();
  if (frame == 0) return false;
  pageMapParked(vaddr, frame, PTE_WRITABLE);
  frameRelease(frame); // the mapping holds the frame now
  frameSetTag(frame, tag);
  memory.fill(vaddr, 0, PAGE_SIZE);
  if (!writable) pageSetFlags(vaddr, 0);
  return true;
}
