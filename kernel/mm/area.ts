// kernel/mm/area.ts: the area allocator, page-sized virtual areas.
//
// The kernel's virtual range [areaBase, areaTop), from the end of the
// identity map up to the mirror window, is cut into areas. Each area has a
// MemArea record and sits on one of two lists: used, or free (kept sorted
// by address, so neighbours can merge). A used area's pages are backed by
// physical pages (mm/backing.ts), each tagged with the area's record, so the
// record of any address is found in O(1) from the address alone.
//
// Policy: first fit by address over the free list, splitting the front off
// the first free area large enough: O(free areas) per areaAlloc, and O(free
// areas) per areaFree to find the place in the sorted list. The low end of
// the range is reused first and the high end stays in one piece.
//
// Records come from the slab allocator (mm/alloc.ts recordAlloc), whose slab
// pages come from here: see "The recursion" in mm/alloc.ts for why that
// terminates. Exhaustion (no virtual range, no physical page, no record)
// returns 0 and changes nothing; misuse stops the kernel.
//
// Lazy areas (areaReserve). A lazy area takes its range from the free list
// like any other, but no page is backed: each page's entry is reserved
// instead (mm/backing.ts reservePage: a not-present PTE that keeps the
// record, SDM vol. 3, 4.3, table 4-6), and its first touch faults.
// mm/fault.ts asks mm/lazy.ts, which finds the record from the faulting
// page's entry in O(1) (areaOf, the same tag as a backed page's) and backs
// that one page. So, for a used area, every page is either backed or, in a
// lazy area only, reserved; `backed` counts the backed ones, and areaRelease
// unbacks those and unreserves the rest.
//
// A record (28 bytes, in a 32-byte block of the slab allocator's record cache):
//   +0  start   u32   first byte of the area, page aligned
//   +4  pages   u32   length in pages, > 0
//   +8  next    u32   next record on its list, 0 at the end
//   +12 prev    u32   previous record on its list, 0 at the head
//   +16 owner   u32   0 for a plain area; the SlabEntry of a slab's area
//   +20 kind    u16   AREA_PLAIN, AREA_SLAB or AREA_LAZY (a used area's)
//   +22 flags   u16   AREA_READ_ONLY: a lazy area's pages are backed read-only
//   +24 backed  u32   pages backed now: `pages` unless lazy

import { print, printDec, printHex, println } from "../core/console";
import { panicAt } from "../core/panic";
import { backPage, pageBacked, pageTag, reservePage, setPageTag, unbackPage, unreservePage } from "./backing";
import { recordAlloc, recordFree, recordMark, recordUndo } from "./alloc";
import { PAGE_SHIFT, PAGE_SIZE } from "./mem";

@unmanaged export class MemArea {
  start: u32;
  pages: u32;
  next: usize;
  prev: usize;
  owner: usize;
  kind: u16;
  flags: u16;
  backed: u32;

  @inline get end(): u32 { return this.start + (this.pages << PAGE_SHIFT); }
}
@inline export const MEM_AREA_BYTES: u32 = 28;

@inline export const AREA_PLAIN: u16 = 0;      // backed when allocated (areaAlloc)
@inline export const AREA_SLAB: u16 = 1;       // a slab's pages (mm/alloc.ts), backed
@inline export const AREA_LAZY: u16 = 2;       // reserved (areaReserve), backed page by page on first touch
@inline export const AREA_READ_ONLY: u16 = 1;  // flags: a lazy area whose pages are backed read-only

@inline function area(record: usize): MemArea { return changetype<MemArea>(record); }

// The allocator's whole state.
let areaBase: u32 = 0;
let areaTop: u32 = 0;
let usedHead: usize = 0;
let freeHead: usize = 0;
let usedAreas: u32 = 0;
let usedPages: u32 = 0;
let freeAreas: u32 = 0;
let freePages: u32 = 0;

export function areaRangeStart(): u32 { return areaBase; }
export function areaRangeEnd(): u32 { return areaTop; }
export function areaUsedCount(): u32 { return usedAreas; }
export function areaUsedPages(): u32 { return usedPages; }
export function areaFreeCount(): u32 { return freeAreas; }
export function areaFreePages(): u32 { return freePages; }
/** The first record of each list, for walking them (next/prev). */
export function areaUsedList(): usize { return usedHead; }
export function areaFreeList(): usize { return freeHead; }

/** Manages [base, top), both page aligned; no area exists until mm/alloc.ts bootstraps. */
export function areaInit(base: u32, top: u32): void {
  areaBase = base;
  areaTop = top;
  usedHead = freeHead = 0;
  usedAreas = usedPages = freeAreas = freePages = 0;
}

/**
 * Allocates `pages` pages of fresh, writable, backed virtual memory and
 * returns its start, or 0 when `pages` is 0 or cannot be had (virtual
 * range, physical pages, records): then nothing has changed. Cost: a first
 * fit over the free list, plus backing each page.
 */
export function areaAlloc(pages: u32): u32 {
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
 * Reserves `pages` pages of virtual memory without backing them: a lazy
 * area, whose pages are backed one by one, zeroed, when first touched
 * (mm/fault.ts), read-only with AREA_READ_ONLY in `flags`. Returns its
 * start, or 0 with nothing changed when `pages` is 0 or cannot be had
 * (virtual range, a record, a page table for the reservations). Cost: a
 * first fit, plus writing one page-table entry per page.
 */
export function areaReserve(pages: u32, flags: u16 = 0): u32 {
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
  area(record).backed = 0;
  return start;
}

/**
 * Frees the area that starts at `addr`: unmaps and releases its pages and
 * merges it with a free neighbour before and after. Stops the kernel when
 * `addr` does not start a used area of its own (unaligned, outside the
 * range, not allocated or already freed, inside an area, a slab's area),
 * before changing anything.
 */
export function areaFree(addr: u32): void {
  if ((addr & (PAGE_SIZE - 1)) != 0) panicAt("areaFree", "unaligned address", addr);
  if (addr < areaBase || addr >= areaTop) panicAt("areaFree", "address outside the area range", addr);
  const record = areaOf(addr);
  if (record == 0) panicAt("areaFree", "no area there (never allocated, or already freed)", addr);
  if (area(record).start != addr) panicAt("areaFree", "address inside an area, not at its start", addr);
  if (area(record).owner != 0) panicAt("areaFree", "area belongs to a slab; free its objects instead", addr);
  areaRelease(record);
}

/** The record of the used area containing `addr`, or 0. O(1): the page's tag. */
export function areaOf(addr: u32): usize {
  if (addr < areaBase || addr >= areaTop) return 0;
  return <usize>pageTag(addr & ~(PAGE_SIZE - 1));
}

// ---------------------------------------------------------------------------
// The steps areaAlloc is made of, which mm/alloc.ts also uses for slabs.

/**
 * Takes `pages` backed pages from the front of the first free area large
 * enough, without a record for them (the caller attaches one). Returns the
 * start, or 0 with nothing changed. A free area used up entirely has its
 * record freed; that never allocates. With `lazyRecord`, the pages are
 * reserved for that record instead of backed (areaReserve).
 */
export function areaTake(pages: u32, lazyRecord: usize = 0): u32 {
  let record = freeHead;
  while (record != 0 && area(record).pages < pages) record = area(record).next;
  if (record == 0) return 0;
  const hole = area(record);
  const start = hole.start;
  for (let i: u32 = 0; i < pages; i++) {
    const page = start + (i << PAGE_SHIFT);
    if (lazyRecord == 0 ? backPage(page) : reservePage(page, <u32>lazyRecord)) continue;
    while (i-- > 0) {
      if (lazyRecord == 0) unbackPage(start + (i << PAGE_SHIFT));
      else unreservePage(start + (i << PAGE_SHIFT));
    }
    return 0;
  }
  hole.start += pages << PAGE_SHIFT;
  hole.pages -= pages;
  freePages -= pages;
  if (hole.pages == 0) {
    listRemove(record, false);
    freeAreas--;
    recordFree(record);
  }
  return start;
}

/** Makes `record` the used area [start, start + pages) owned by `owner`, and tags its pages. */
export function areaAttach(record: usize, start: u32, pages: u32, owner: usize): void {
  const a = area(record);
  a.start = start;
  a.pages = pages;
  a.owner = owner;
  a.kind = owner != 0 ? AREA_SLAB : AREA_PLAIN;
  a.flags = 0;
  a.backed = pages;
  listPush(record, true);
  usedAreas++;
  usedPages += pages;
  for (let i: u32 = 0; i < pages; i++) setPageTag(start + (i << PAGE_SHIFT), <u32>record);
}

/** Gives the range [start, start + pages) to the free list as `record` (the bootstrap's first free area). */
export function areaAddFree(record: usize, start: u32, pages: u32): void {
  const a = area(record);
  a.start = start;
  a.pages = pages;
  a.owner = 0;
  a.kind = AREA_PLAIN;
  a.backed = 0;
  a.next = a.prev = 0;
  freeInsert(record);
}

/**
 * Unbacks the used area `record` and returns its range to the free list. Of
 * a lazy area, only the backed pages are unbacked; the others are unreserved.
 */
export function areaRelease(record: usize): void {
  const a = area(record);
  listRemove(record, true);
  usedAreas--;
  usedPages -= a.pages;
  for (let i: u32 = 0; i < a.pages; i++) {
    const page = a.start + (i << PAGE_SHIFT);
    if (a.kind != AREA_LAZY || pageBacked(page)) unbackPage(page);
    else unreservePage(page);
  }
  a.owner = 0;
  a.kind = AREA_PLAIN;
  a.backed = 0;
  freeInsert(record);
}

/**
 * Puts `record` on the free list at its place by address, merging in two
 * steps: first with the free area just before it, then with the one just
 * after. Records merged away are freed last, once the list is whole again,
 * because freeing one may release a slab and come back here.
 */
function freeInsert(record: usize): void {
  const a = area(record);
  freePages += a.pages;
  // prev: the last free area below `a`; next: the first above.
  let prev: usize = 0;
  let next = freeHead;
  while (next != 0 && area(next).start < a.start) {
    prev = next;
    next = area(next).next;
  }
  let spareA: usize = 0;
  let spareB: usize = 0;
  let merged = record;
  // Step 1: the neighbour before grows over `a`.
  if (prev != 0 && area(prev).end == a.start) {
    area(prev).pages += a.pages;
    spareA = record;
    merged = prev;
  } else {
    listInsertAfter(record, prev);
    freeAreas++;
  }
  // Step 2: the merged area swallows the neighbour after.
  if (next != 0 && area(merged).end == area(next).start) {
    area(merged).pages += area(next).pages;
    listRemove(next, false);
    freeAreas--;
    spareB = next;
  }
  if (spareA != 0) recordFree(spareA);
  if (spareB != 0) recordFree(spareB);
}

/**
 * Moves the record at `from` into the block `to` (the record cache's
 * compaction, mm/alloc.ts). A record is known only to its list neighbours
 * and, for a used area, to the tags of its pages: all of them follow.
 */
export function areaMoveRecord(from: usize, to: usize): void {
  memory.copy(to, from, MEM_AREA_BYTES);
  const a = area(to);
  const used = pageTag(a.start) == <u32>from;   // a free area's pages are not backed
  if (a.prev != 0) area(a.prev).next = to;
  else if (used) usedHead = to;
  else freeHead = to;
  if (a.next != 0) area(a.next).prev = to;
  if (used) for (let i: u32 = 0; i < a.pages; i++) setPageTag(a.start + (i << PAGE_SHIFT), <u32>to);
}

// ---------------------------------------------------------------------------
// The two doubly linked lists.

function listPush(record: usize, used: bool): void {
  const head = used ? usedHead : freeHead;
  area(record).prev = 0;
  area(record).next = head;
  if (head != 0) area(head).prev = record;
  if (used) usedHead = record;
  else freeHead = record;
}

// Inserts into the free list after `prev` (at the head when prev is 0).
function listInsertAfter(record: usize, prev: usize): void {
  if (prev == 0) {
    listPush(record, false);
    return;
  }
  const next = area(prev).next;
  area(record).prev = prev;
  area(record).next = next;
  area(prev).next = record;
  if (next != 0) area(next).prev = record;
}

function listRemove(record: usize, used: bool): void {
  const a = area(record);
  if (a.prev != 0) area(a.prev).next = a.next;
  else if (used) usedHead = a.next;
  else freeHead = a.next;
  if (a.next != 0) area(a.next).prev = a.prev;
  a.next = a.prev = 0;
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
  dumpList("used", usedHead, limit, true);
  dumpList("free", freeHead, limit, false);
}

function printPages(n: u32): void {
  printDec(n);
  print(n == 1 ? " page" : " pages");
}

/** "plain", "slab" or "lazy". */
export function areaKindName(kind: u16): string {
  return kind == AREA_SLAB ? "slab" : kind == AREA_LAZY ? "lazy" : "plain";
}

function dumpList(name: string, head: usize, limit: u32, used: bool): void {
  print("  ");
  print(name);
  println(":");
  let shown: u32 = 0;
  for (let r = head; r != 0; r = area(r).next) {
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
    if (used) {
      print("  (");
      print(areaKindName(area(r).kind));
      if ((area(r).flags & AREA_READ_ONLY) != 0) print(" read-only");
      print(", ");
      printDec(area(r).backed);
      print(" backed)");
    }
    println();
  }
}
