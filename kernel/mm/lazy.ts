// kernel/mm/lazy.ts: backing a lazy area's page on its first touch.
//
// areaReserve (mm/area.ts) reserves a lazy area's pages without backing
// them; each reserved page keeps its area's record in its not-present
// page-table entry. lazyBack is what a page fault there comes to: it finds
// the record from the page alone in O(1) (areaOf reads the entry), backs
// the one page, zeroed, with the area's rights, and counts it. It decides,
// it does not report: mm/fault.ts turns its answer into "handled", or the
// report that stops the kernel. Host-testable: it reaches pages only
// through mm/backing.ts.
//
// The rule: only a not-present fault on a reserved page of a lazy area is
// handled. Anything else (an address in no area, in a plain or slab area,
// a page already backed, hence a protection fault) is LAZY_NOT_MINE, and
// no physical page left is LAZY_OUT_OF_MEMORY; neither changes anything.

import { AREA_LAZY, AREA_READ_ONLY, areaOf, MemArea } from "./area";
import { backReservedPage, pageBacked } from "./backing";
import { PAGE_MASK } from "./mem";

@inline export const LAZY_NOT_MINE: u32 = 0;
@inline export const LAZY_BACKED: u32 = 1;
@inline export const LAZY_OUT_OF_MEMORY: u32 = 2;

let pagesBacked: u32 = 0;

/** Pages backed on first touch since boot. */
export function lazyPagesBacked(): u32 { return pagesBacked; }

/** The lazy area whose page at `addr` is reserved and not backed, or 0. O(1). */
export function lazyAreaOf(addr: u32): usize {
  const page = addr & ~PAGE_MASK;
  const record = areaOf(page);
  if (record == 0 || changetype<MemArea>(record).kind != AREA_LAZY || pageBacked(page)) return 0;
  return record;
}

/** Backs the page of a lazy area at `addr`, as its first touch asks: LAZY_BACKED, LAZY_NOT_MINE or LAZY_OUT_OF_MEMORY. */
export function lazyBack(addr: u32): u32 {
  const record = lazyAreaOf(addr);
  if (record == 0) return LAZY_NOT_MINE;
  const a = changetype<MemArea>(record);
  if (!backReservedPage(addr & ~PAGE_MASK, (a.flags & AREA_READ_ONLY) == 0)) return LAZY_OUT_OF_MEMORY;
  pagesBacked++;
  return LAZY_BACKED;
}
