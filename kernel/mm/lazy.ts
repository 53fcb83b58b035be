// kernel/mm/lazy.ts: backing a lazy area's page on its first touch.
//
// areaAllocLazy (mm/area.ts) parks a lazy area's pages without backing
// them; each parked page keeps its area's record in its not-present entry.
// lazyBack is what a page fault there comes to (mm/fault.ts has the rule):
// it finds the record from the page alone in O(1) (areaOf reads the entry),
// backs the one page, zeroed, with the area's rights, and counts it. It
// decides, it does not report. Host-testable: it reaches pages only through
// mm/backing.ts.
//
// Only a parked page of a lazy area is backed. Anything else (an address in
// no area, in a plain or slab area, a page already backed) is
// LAZY_NOT_MINE, and no frame left is LAZY_OUT_OF_MEMORY; neither changes
// anything.

import { PAGE_MASK } from "../arch/x86/paging";
import { AREA_LAZY, AREA_READ_ONLY, areaOf, MemArea } from "./area";
import { backParkedPage, pageBacked } from "./backing";

@inline export const LAZY_NOT_MINE: u32 = 0;
@inline export const LAZY_BACKED: u32 = 1;
@inline export const LAZY_OUT_OF_MEMORY: u32 = 2;

let pagesBacked: u32 = 0;

/** Pages backed on first touch since boot. */
export function lazyPagesBacked(): u32 { return pagesBacked; }

/** The lazy area whose page at `addr` is parked and not backed, or 0. O(1). */
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
  if (!backParkedPage(addr & ~PAGE_MASK, (a.flags & AREA_READ_ONLY) == 0)) return LAZY_OUT_OF_MEMORY;
  pagesBacked++;
  return LAZY_BACKED;
}
