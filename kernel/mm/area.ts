// kernel/mm/area.ts: the area allocator, page-sized virtual areas, and the
// slabs' areas.
//
// The kernel's virtual range [areaBase, areaTop), from the end of the
// identity map up to HAND_MAP_BASE (mm/regions.ts), is cut into areas that
// tile it: every page lies in exactly one area, used or free. Each area has
// a MemArea record and sits on one list of its kind: used, or the free bin
// of its size (bin k holds free areas of 2^k to 2^(k+1) - 1 pages). Besides,
// every record is linked to the areas just below and just above it in
// address order (lower, upper), so an area's neighbours are found without a
// search. A used area's pages are backed by frames (mm/backing.ts), each
// page tagged with the area's record (or, for a slab, with its header:
// mm/slab.ts), so the record of any address is found in O(1) from the
// address alone.
//
// Policy: segregated fit. areaAlloc(n) takes the front of the first free
// area of the lowest non-empty bin whose every area is large enough (bins
// from ceil(log2 n) up, found in one step from a bitmap of non-empty bins);
// only when there is none does it look, first fit, through bin
// floor(log2 n), whose areas may be too small. areaFree merges the area
// with a free neighbour below and above (their address links, no walk) and
// puts the result in its bin. Both are O(1), except that last search,
// bounded by the areas in one bin; and a request's pages cost one mapping
// each. An area that fits is never refused, and the front of a larger one
// is used, so the range stays in few, large pieces.
//
// Areas are not zeroed: areaAlloc hands out pages as the frame allocator
// left them (whatever their last user wrote), as the slabs do their blocks;
// callers that need zeros write them (bench/README.md says what zeroing
// would cost).
//
// Lazy areas (areaAllocLazy) take their range like any other, but no page is
// backed: each page is parked instead (mm/backing.ts parkPage), keeping the
// record in its not-present entry, and its first touch faults; mm/fault.ts
// has the rule for which faults are handled. So every page of a used area is
// backed or, in a lazy area only, parked; areaRelease unbacks the backed ones
// and unparks the rest. The record has no room for a count of backed pages
// (32 bytes, all used): areaBackedPages counts them from the page tables.
//
// Records, and the recursion. areaAlloc needs a record, and records are
// blocks of a slab (the record cache, 32-byte blocks), whose pages are an
// area. The record cache never lends its last free block to anyone but
// itself:
//  - Bootstrap (areaInit): the first record slab is made on the first page
//    of the range with no record at all (backPage directly), then hands out
//    the record for its own area and the one for the free rest of the range.
//  - Steady state: a new slab of any class (slabGrow) asks recordAlloc for
//    one record and areaTake for pages; areaTake needs no record, and
//    areaAttach at most frees one (a free area used up). recordAlloc grows
//    the record cache when it is down to its last block, and that growth
//    takes the last block for its own record; so growing the cache never
//    asks for a record, and recordAlloc never waits on itself. The depth is
//    bounded: alloc -> slabGrow(class) -> recordAlloc -> slabGrow(records) ->
//    areaTake.
//  - Freeing: releasing an empty slab frees records (at most two merged
//    away), which may empty a record slab, whose release frees records in
//    turn; each step removes a slab, so it ends. Records are freed through
//    recordFree, never through free, which refuses them.
// test=alloc and the host specs drive the record cache through many growths.
//
// Exhaustion (no virtual range, no frame, no record) returns 0 and changes
// nothing; misuse stops the kernel. None of this runs in interrupt context
// (core/context.ts).
//
// A record (32 bytes, a block of the record cache):
//   +0  start   u32   first byte of the area, page aligned
//   +4  pages   u32   length in pages, > 0
//   +8  next    u32   next record on its list (used, or its free bin), 0 at the end
//   +12 prev    u32   previous record on its list, 0 at the head
//   +16 slab    u32   0 for a plain or lazy area; the SlabEntry (header) of a slab's area
//   +20 lower   u32   the area just below, 0 for the lowest
//   +24 upper   u32   the area just above, 0 for the highest
//   +28 bin     u16   free: its bin + 1; used: 0
//   +30 kind    u8    a used area's: AREA_PLAIN, AREA_SLAB or AREA_LAZY
//   +31 flags   u8    AREA_READ_ONLY: a lazy area's pages are backed read-only

import { PAGE_SHIFT, PAGE_SIZE } from "../arch/x86/paging";
import { print, printDec, printHex, println } from "../core/console";
import { panicAt, refuseInInterrupt } from "../core/panic";
import { backPage, pageBacked, pageTag, parkPage, setPageTag, unbackPage, unparkPage } from "./backing";
import {
  descInit, SlabDesc, slabEmpty, slabFirstLiveBlock, slabKeep, slabOf, slabPut, slabRemove, slabSetup, slabTake, DESC_BYTES, SLAB_TAG,
} from "./slab";

@unmanaged export class MemArea {
  start: u32;
  pages: u32;
  next: usize;
  prev: usize;
  slab: usize;
  lower: usize;
  upper: usize;
  bin: u16;
  kind: u8;
  flags: u8;

  @inline get end(): u32 { return this.start + (this.pages << PAGE_SHIFT); }
}
@inline export const MEM_AREA_BYTES: u32 = 32;
@inline const BINS: u32 = 32;

@inline export const AREA_PLAIN: u8 = 0;      // backed when allocated (areaAlloc)
@inline export const AREA_SLAB: u8 = 1;       // a slab's pages (mm/slab.ts), backed
@inline export const AREA_LAZY: u8 = 2;       // parked (areaAllocLazy), backed page by page on first touch
@inline export const AREA_READ_ONLY: u8 = 1;  // flags: a lazy area whose pages are backed read-only

@inline function area(record: usize): MemArea { return changetype<MemArea>(record); }

// The allocator's whole state.
let areaBase: u32 = 0;
let areaTop: u32 = 0;
let areaSpan: u32 = 0;        // areaTop - areaBase
let usedHead: usize = 0;
let lowest: usize = 0;        // the area at areaBase, first in address order
let binMask: u32 = 0;         // bit k set: bin k is not empty
const binHeads = memory.data(<i32>BINS * 4, 4);
let usedAreas: u32 = 0;
let usedPages: u32 = 0;
let freeAreas: u32 = 0;
let freePages: u32 = 0;
// The free area areaTake cut its pages from, for areaAttach to link the new area below.
let takenFrom: usize = 0;

export function areaRangeStart(): u32 { return areaBase; }
export function areaRangeEnd(): u32 { return areaTop; }
export function areaUsedCount(): u32 { return usedAreas; }
export function areaUsedPages(): u32 { return usedPages; }
export function areaFreeCount(): u32 { return freeAreas; }
export function areaFreePages(): u32 { return freePages; }
/** The first record of the used list (walk it by next). */
export function areaUsedList(): usize { return usedHead; }
/** The lowest area, used or free (walk them all in address order by upper; free ones have bin != 0). */
export function areaLowest(): usize { return lowest; }

/**
 * Manages [base, top), both page aligned: makes the record cache's first
 * slab on the first page (the bootstrap, see "Records" above), one used area
 * for it and one free area for the rest. Returns false when not even that
 * page could be backed.
 */
export function areaInit(base: u32, top: u32): bool {
  areaBase = base;
  areaTop = top;
  areaSpan = top - base;
  usedHead = lowest = takenFrom = 0;
  binMask = 0;
  memory.fill(binHeads, 0, BINS * 4);
  usedAreas = usedPages = freeAreas = freePages = 0;
  const records = recordCache();
  descInit(records, RECORD_SHIFT);
  if (!backPage(base)) return false;
  const slab = slabSetup(records, base);
  const own = recordTake();
  areaAttach(own, base, 1, slab);
  slabOf(slab).area = own;
  areaAddFree(recordTake(), base + PAGE_SIZE, (top - base - PAGE_SIZE) >> PAGE_SHIFT);
  return true;
}

/**
 * Allocates `pages` pages of backed, writable virtual memory (not zeroed)
 * and returns its start, or 0 when `pages` is 0 or cannot be had (virtual
 * range, physical pages, records): then nothing has changed. Cost: O(1) to
 * find the place (see the policy above), plus backing each page.
 */
export function areaAlloc(pages: u32): u32 {
  refuseInInterrupt("areaAlloc", pages);
  if (pages == 0 || pages > (areaTop - areaBase) >> PAGE_SHIFT) return 0;
  const mark = recordMark();
  const record = recordAlloc();
  if (record == 0) return 0;
  const start = areaTake(pages);
  if (start == 0) {
    recordUndo(record, mark);
    return 0;
  }
  areaAttach(record, start, pages, 0);
  return start;
}

/**
 * Allocates `pages` pages of virtual memory without backing them: a lazy
 * area, whose pages are backed one by one, zeroed, when first touched
 * (mm/fault.ts), read-only with AREA_READ_ONLY in `flags`. Returns its
 * start, or 0 with nothing changed when `pages` is 0 or cannot be had
 * (virtual range, a record, a page table for the parked entries). Cost: as
 * areaAlloc's, with one page-table entry written per page instead of a
 * page mapped.
 */
export function areaAllocLazy(pages: u32, flags: u8 = 0): u32 {
  refuseInInterrupt("areaAllocLazy", pages);
  if (pages == 0 || pages > (areaTop - areaBase) >> PAGE_SHIFT) return 0;
  const mark = recordMark();
  const record = recordAlloc();
  if (record == 0) return 0;
  const start = areaTake(pages, record);
  if (start == 0) {
    recordUndo(record, mark);
    return 0;
  }
  areaAttach(record, start, pages, 0);
  area(record).kind = AREA_LAZY;
  area(record).flags = flags;
  return start;
}

/**
 * Pages of the used area `record` with a physical page behind them: all of
 * them but in a lazy area, where they are counted from the page tables,
 * O(pages).
 */
export function areaBackedPages(record: usize): u32 {
  const a = area(record);
  if (a.kind != AREA_LAZY) return a.pages;
  let n: u32 = 0;
  for (let i: u32 = 0; i < a.pages; i++) if (pageBacked(a.start + (i << PAGE_SHIFT))) n++;
  return n;
}

/**
 * Frees the area that starts at `addr`: unmaps and releases its pages and
 * merges it with a free neighbour before and after. Stops the kernel when
 * `addr` does not start a used area of its own (unaligned, outside the
 * range, not allocated or already freed, inside an area, a slab's area),
 * before changing anything.
 */
export function areaFree(addr: u32): void {
  refuseInInterrupt("areaFree", addr);
  if ((addr & (PAGE_SIZE - 1)) != 0) panicAt("areaFree", "unaligned address", addr);
  if (addr < areaBase || addr >= areaTop) panicAt("areaFree", "address outside the area range", addr);
  const record = areaOf(addr);
  if (record == 0) panicAt("areaFree", "no area there (never allocated, or already freed)", addr);
  if (area(record).start != addr) panicAt("areaFree", "address inside an area, not at its start", addr);
  if (area(record).slab != 0) panicAt("areaFree", "area belongs to a slab; free its objects instead", addr);
  areaRelease(record);
}

/** The record of the used area containing `addr`, or 0. O(1): the page's tag. */
export function areaOf(addr: u32): usize {
  const tag = areaTag(addr);
  return (tag & SLAB_TAG) != 0 ? slabOf(tag - SLAB_TAG).area : <usize>tag;
}

/**
 * The tag of the page holding `addr`: 0 when no used area holds it, the
 * record of a plain area, or a slab's header plus SLAB_TAG (mm/alloc.ts).
 * Inlined: it is free's first step.
 */
@inline export function areaTag(addr: u32): u32 {
  if (addr - areaBase >= areaSpan) return 0;
  return pageTag(addr & ~(PAGE_SIZE - 1));
}

// ---------------------------------------------------------------------------
// The steps areaAlloc is made of, which mm/alloc.ts also uses for slabs.

/**
 * Takes `pages` backed pages from the front of a free area large enough
 * (the policy above), without a record for them: the caller attaches one
 * next, with areaAttach. Returns the start, or 0 with nothing changed. With
 * `lazyRecord`, the pages are parked for that record instead of backed
 * (areaAllocLazy).
 */
export function areaTake(pages: u32, lazyRecord: usize = 0): u32 {
  const record = freeFit(pages);
  if (record == 0) return 0;
  const hole = area(record);
  const start = hole.start;
  for (let i: u32 = 0; i < pages; i++) {
    const page = start + (i << PAGE_SHIFT);
    if (lazyRecord == 0 ? backPage(page) : parkPage(page, <u32>lazyRecord)) continue;
    while (i-- > 0) {
      if (lazyRecord == 0) unbackPage(start + (i << PAGE_SHIFT));
      else unparkPage(start + (i << PAGE_SHIFT));
    }
    return 0;
  }
  binRemove(record);
  hole.start += pages << PAGE_SHIFT;
  hole.pages -= pages;
  freePages -= pages;
  // A hole used up entirely leaves the address links, and its record is
  // freed, in areaAttach, once the new area stands in its place.
  if (hole.pages != 0) binPush(record);
  takenFrom = record;
  return start;
}

// The free area areaTake uses for `pages`, or 0.
function freeFit(pages: u32): usize {
  const floor: u32 = 31 - clz(pages);
  const ceil = (pages & (pages - 1)) == 0 ? floor : floor + 1;
  const fits: u32 = ceil < BINS ? binMask & (<u32>0xFFFFFFFF << ceil) : 0;
  if (fits != 0) return binHead(ctz(fits));
  if (ceil == floor) return 0;
  for (let r = binHead(floor); r != 0; r = area(r).next) {
    if (area(r).pages >= pages) return r;
  }
  return 0;
}

/**
 * Makes `record` the used area [start, start + pages), the pages of `slab`
 * (its header) or a plain area when `slab` is 0, and
 * tags its pages; [start, ...) is what areaTake just took (or, at the
 * bootstrap, the first page of the range).
 */
export function areaAttach(record: usize, start: u32, pages: u32, slab: usize): void {
  const a = area(record);
  a.start = start;
  a.pages = pages;
  a.slab = slab;
  a.bin = 0;
  a.kind = slab != 0 ? AREA_SLAB : AREA_PLAIN;
  a.flags = 0;
  listPush(record);
  usedAreas++;
  usedPages += pages;
  const tag = slab != 0 ? <u32>slab + SLAB_TAG : <u32>record;
  for (let i: u32 = 0; i < pages; i++) setPageTag(start + (i << PAGE_SHIFT), tag);
  const hole = takenFrom;
  takenFrom = 0;
  if (hole == 0) {
    a.lower = a.upper = 0;
    lowest = record;
    return;
  }
  // In address order, the new area comes just below what is left of the hole.
  addressInsertBelow(record, hole);
  if (area(hole).pages == 0) {
    addressRemove(hole);
    freeAreas--;
    recordFree(hole);
  }
}

// Gives the range [start, start + pages), just above the lowest area, to a free bin as `record` (the bootstrap's rest).
function areaAddFree(record: usize, start: u32, pages: u32): void {
  const a = area(record);
  a.start = start;
  a.pages = pages;
  a.slab = 0;
  a.kind = a.flags = 0;
  a.lower = lowest;
  a.upper = 0;
  area(lowest).upper = record;
  freeAreas++;
  freePages += pages;
  binPush(record);
}

/**
 * Unbacks the used area `record` (of a lazy area: the backed pages; the
 * others are unparked) and returns its range to a free bin, merging in two
 * steps: first with the free area just below it, then with
 * the one just above. Records merged away are freed last, once the lists
 * are whole again, because freeing one may release a slab and come back here.
 */
export function areaRelease(record: usize): void {
  const a = area(record);
  listRemove(record);
  usedAreas--;
  usedPages -= a.pages;
  for (let i: u32 = 0; i < a.pages; i++) {
    const page = a.start + (i << PAGE_SHIFT);
    if (a.kind != AREA_LAZY || pageBacked(page)) unbackPage(page);
    else unparkPage(page);
  }
  a.slab = 0;
  a.kind = a.flags = 0;
  freePages += a.pages;
  let spareA: usize = 0;
  let spareB: usize = 0;
  let merged = record;
  // Step 1: the free neighbour below grows over `a`.
  const below = a.lower;
  if (below != 0 && area(below).bin != 0) {
    binRemove(below);
    area(below).pages += a.pages;
    addressRemove(record);
    spareA = record;
    merged = below;
  } else {
    freeAreas++;
  }
  // Step 2: the merged area swallows the free neighbour above.
  const above = area(merged).upper;
  if (above != 0 && area(above).bin != 0) {
    binRemove(above);
    area(merged).pages += area(above).pages;
    addressRemove(above);
    freeAreas--;
    spareB = above;
  }
  binPush(merged);
  if (spareA != 0) recordFree(spareA);
  if (spareB != 0) recordFree(spareB);
}

/**
 * Moves the record at `from` into the block `to` (the record cache's
 * compaction, mm/alloc.ts). A record is known to its list neighbours, its
 * address neighbours, a bin head or the used list's head, and for a used
 * area to the tags of its pages (or its slab's header): all of them follow.
 */
export function areaMoveRecord(from: usize, to: usize): void {
  memory.copy(to, from, MEM_AREA_BYTES);
  const a = area(to);
  const used = a.bin == 0;
  if (a.prev != 0) area(a.prev).next = to;
  else if (used) usedHead = to;
  else store<usize>(binHeads + <usize>(a.bin - 1) * 4, to);
  if (a.next != 0) area(a.next).prev = to;
  if (a.lower != 0) area(a.lower).upper = to;
  else lowest = to;
  if (a.upper != 0) area(a.upper).lower = to;
  if (!used) return;
  if (a.slab != 0) slabOf(a.slab).area = to;
  else for (let i: u32 = 0; i < a.pages; i++) setPageTag(a.start + (i << PAGE_SHIFT), <u32>to);
}

// ---------------------------------------------------------------------------
// Slabs' areas, and the record cache (see "Records" above).

@inline const RECORD_SHIFT: u32 = 5;                           // records take 32-byte blocks
const recordCacheDesc = memory.data(<i32>DESC_BYTES, 16);
/** Where the record cache's SlabDesc is, for a debugger and the web page (exported by kernel/main.ts). */
export const RECORD_CACHE: usize = recordCacheDesc;

/** The record cache: the slab class of MemArea records. */
@inline export function recordCache(): SlabDesc { return changetype<SlabDesc>(recordCacheDesc); }

/**
 * Adds a slab to class `d` (a size class of mm/alloc.ts, or the record
 * cache), on an area of its own. False, changing nothing, when memory is
 * exhausted.
 */
export function slabGrow(d: SlabDesc): bool {
  const records = recordCache();
  const mark = recordMark();
  // The record cache pays for its own growth with its last block.
  let record: usize = 0;
  if (d != records) record = recordAlloc();
  else if (records.partial != 0) record = recordTake();
  if (record == 0) return false;
  const start = areaTake(d.slabPages);
  if (start == 0) {
    recordUndo(record, mark);
    return false;
  }
  const slab = slabSetup(d, start);
  slabOf(slab).area = record;
  areaAttach(record, start, d.slabPages, slab);
  return true;
}

/** Takes the empty `slab` off class `d` and gives its area back. */
export function slabRelease(d: SlabDesc, slab: usize): void {
  slabRemove(d, slab);
  areaRelease(slabOf(slab).area);
}

/** A record from the record cache; 0 when memory is exhausted. */
export function recordAlloc(): usize {
  const records = recordCache();
  if (records.spare <= 1 && !slabGrow(records)) return 0;
  return recordTake();
}

// A block of the record cache, which has one.
function recordTake(): usize {
  const records = recordCache();
  records.spare--;
  return slabTake(records, records.partial);
}

/** Gives back a record from recordAlloc (free refuses records). */
export function recordFree(record: usize): void {
  const tag = areaTag(<u32>record);
  if ((tag & SLAB_TAG) == 0 || slabOf(tag - SLAB_TAG).desc != changetype<usize>(recordCache())) {
    panicAt("recordFree", "not a record", record);
  }
  recordCache().spare++;
  recordPut(tag - SLAB_TAG, record);
}

// Returns `record` to its slab, and gives the slab back if it emptied and
// another is kept. Inlined: it is recordFree's body.
@inline function recordPut(slab: usize, record: usize): void {
  if (slabPut(slab, record) && slabKeep(recordCache(), slab)) slabRelease(recordCache(), slab);
}

/** Whether `slab` (a slab header) belongs to the record cache. */
@inline export function isRecordSlab(slab: usize): bool {
  return slabOf(slab).desc == changetype<usize>(recordCache());
}

/** The record cache's size now: hand it to recordUndo if what the record was for fails. */
export function recordMark(): u32 {
  return recordCache().slabs;
}

/**
 * Gives back `record` and any record slab added since `mark`: recordAlloc
 * may have grown the cache on the way, and an allocation that then fails
 * must leave everything as it was.
 */
export function recordUndo(record: usize, mark: u32): void {
  recordFree(record);
  const records = recordCache();
  while (records.slabs > mark) {
    const slab = slabEmpty(records, 0);
    if (slab == 0) return;
    slabRelease(records, slab);
  }
}

/**
 * Gives back every empty record slab but what keeps one free record, after
 * packing the records into the lowest record slabs (mm/alloc.ts allocTrim).
 */
export function recordsTrim(): void {
  recordsCompact();
  const records = recordCache();
  for (let slab = slabEmpty(records, 1); slab != 0; slab = slabEmpty(records, 1)) slabRelease(records, slab);
}

// Records outlive the churn that made them: a free area's record may sit in
// any record slab, and record slabs split the range into holes that each
// need a record. Left alone, a few record slabs keep each other alive.
// Moving records out of the highest record slab into lower ones, while they
// fit, breaks that: the emptied slab goes, its area merges away.
function recordsCompact(): void {
  const records = recordCache();
  while (true) {
    const source = highestRecordSlab();
    if (source == 0) return;
    let moves = slabOf(source).inUse;
    // Records only move down, to slabs below `source`, so this ends; and one
    // free record stays behind for the cache's own growth.
    if (roomBelow(records, source) < moves + 1) return;
    // The last move may release `source`: read nothing from it after that.
    while (moves-- > 0) {
      const from = slabFirstLiveBlock(source);
      records.spare--;
      const to = slabTake(records, lowestSlabWithRoom(records));
      areaMoveRecord(from, to);
      records.spare++;
      recordPut(source, from);
    }
  }
}

// The record slab at the highest address that holds records, other than the lowest one; 0 if none.
function highestRecordSlab(): usize {
  const records = recordCache();
  let lowestSlab: usize = usize.MAX_VALUE;
  let highest: usize = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let slab = pass == 0 ? records.partial : records.full; slab != 0; slab = slabOf(slab).next) {
      lowestSlab = min(lowestSlab, slab);
      if (slabOf(slab).inUse != 0) highest = max(highest, slab);
    }
  }
  return highest > lowestSlab ? highest : 0;
}

// Free blocks in the slabs of `d` below `limit`.
function roomBelow(d: SlabDesc, limit: usize): u32 {
  let room: u32 = 0;
  for (let slab = d.partial; slab != 0; slab = slabOf(slab).next) {
    if (slab < limit) room += d.capacity - slabOf(slab).inUse;
  }
  return room;
}

function lowestSlabWithRoom(d: SlabDesc): usize {
  let best: usize = usize.MAX_VALUE;
  for (let slab = d.partial; slab != 0; slab = slabOf(slab).next) best = min(best, slab);
  return best;
}

// ---------------------------------------------------------------------------
// The used list, the free bins, the address links.

function listPush(record: usize): void {
  area(record).prev = 0;
  area(record).next = usedHead;
  if (usedHead != 0) area(usedHead).prev = record;
  usedHead = record;
}

function listRemove(record: usize): void {
  const a = area(record);
  if (a.prev != 0) area(a.prev).next = a.next;
  else usedHead = a.next;
  if (a.next != 0) area(a.next).prev = a.prev;
  a.next = a.prev = 0;
}

@inline function binHead(bin: u32): usize { return load<usize>(binHeads + <usize>bin * 4); }

// Puts the free area `record` at the head of the bin of its size.
function binPush(record: usize): void {
  const a = area(record);
  const bin: u32 = 31 - clz(a.pages);
  const head = binHead(bin);
  a.bin = <u16>(bin + 1);
  a.prev = 0;
  a.next = head;
  if (head != 0) area(head).prev = record;
  store<usize>(binHeads + <usize>bin * 4, record);
  binMask |= 1 << bin;
}

function binRemove(record: usize): void {
  const a = area(record);
  const bin: u32 = <u32>a.bin - 1;
  if (a.prev != 0) area(a.prev).next = a.next;
  else store<usize>(binHeads + <usize>bin * 4, a.next);
  if (a.next != 0) area(a.next).prev = a.prev;
  if (binHead(bin) == 0) binMask &= ~(1 << bin);
  a.next = a.prev = 0;
  a.bin = 0;
}

// Links `record` into address order just below `upper`.
function addressInsertBelow(record: usize, upper: usize): void {
  const below = area(upper).lower;
  area(record).lower = below;
  area(record).upper = upper;
  area(upper).lower = record;
  if (below != 0) area(below).upper = record;
  else lowest = record;
}

function addressRemove(record: usize): void {
  const a = area(record);
  if (a.lower != 0) area(a.lower).upper = a.upper;
  else lowest = a.upper;
  if (a.upper != 0) area(a.upper).lower = a.lower;
}

// ---------------------------------------------------------------------------
// Visibility.

/** Prints both lists, at most `limit` records each. */
export function areaDump(limit: u32): void {
  print("areas: range ");
  printHex(areaBase);
  print("-");
  printHex(areaTop - 1);
  print(", ");
  printDec(usedAreas);
  print(" used (");
  printPages(usedPages);
  print("), ");
  printDec(freeAreas);
  print(" free (");
  printPages(freePages);
  println(")");
  dumpList("used", usedHead, limit, false);
  dumpList("free", lowest, limit, true);
}

function printPages(n: u32): void {
  printDec(n);
  print(n == 1 ? " page" : " pages");
}

/** "plain", "slab" or "lazy". */
export function areaKindName(kind: u8): string {
  return kind == AREA_SLAB ? "slab" : kind == AREA_LAZY ? "lazy" : "plain";
}

// The used list, or the free areas in address order.
function dumpList(name: string, head: usize, limit: u32, free: bool): void {
  print("  ");
  print(name);
  println(":");
  let shown: u32 = 0;
  for (let r = head; r != 0; r = free ? area(r).upper : area(r).next) {
    if (free && area(r).bin == 0) continue;
    if (shown++ == limit) {
      println("    ...");
      return;
    }
    print("    ");
    printHex(area(r).start);
    print("-");
    printHex(area(r).end - 1);
    print("  ");
    printPages(area(r).pages);
    if (!free) {
      print("  (");
      print(areaKindName(area(r).kind));
      if ((area(r).flags & AREA_READ_ONLY) != 0) print(" read-only");
      print(", ");
      printDec(areaBackedPages(r));
      print(" backed)");
    }
    println();
  }
}
