// kernel/mm/alloc.ts: the kernel's object allocator, alloc/free, with slabs.
//
// alloc(size) above a page is areaAlloc; otherwise it takes a block of the
// smallest size class that fits, from a slab: an area of one or more pages
// cut into blocks of that size. Classes are fixed at start-up: powers of two
// from 8 to 4096 bytes (CLASS_MIN_SHIFT..CLASS_MAX_SHIFT), so that a block's
// index in its slab is a shift and rounding up wastes less than half a
// block. A class is a SlabDesc; each of its slabs is described by a
// SlabEntry, its header. Free blocks form a list through their own first
// word (freeEl, then each free block holds the next one's address).
//
// Natural alignment: blocks start at the slab's first byte, which is page
// aligned, and the header sits at the slab's end, after the last block. So a
// block of class 2^k is aligned to 2^k (up to a page): alloc(4096) is page
// aligned, a 2048-byte block never straddles a page.
//
// Finding room is O(1): a class keeps slabs with free blocks (partial) apart
// from full ones. free(ptr) is O(1): every page of a slab is tagged
// (mm/backing.ts, the page descriptor's owner word, found through the
// mirror) with its header's address plus SLAB_TAG, while a plain area's
// pages are tagged with the area's record (32-byte aligned, bit 0 clear).
// When every slab of a class is full, one more is added; one empty slab is
// kept as the class's reserve (EMPTY_SLABS_KEPT) and any other that empties
// is given back. The hot paths touch only the slab header: a class's
// counters (blocks in use, free, empty slabs) are counted from its lists
// when asked for (SlabDesc getters); only the record cache keeps a count of
// its free blocks, which recordAlloc needs.
//
// Misuse is always caught, before anything changes, and stops the kernel
// naming the function and the address: a double free (each slab has a bit
// per block), a pointer that is not the start of a live block (inside a
// block, past the last block or in the header, in no allocated area), and a
// pointer into the allocator's own records. Exhaustion returns 0 and
// changes nothing. alloc(0) returns 0 (a request for nothing), and free(0)
// does nothing.
//
// Debug builds (make DEBUG=1: KERNEL_DEBUG) fill free blocks with POISON and
// check it when a block is handed out again, so a write after free shows.
//
// A slab of P pages (slabPages), `capacity` blocks, then the header in the
// last SLAB_HEADER_BYTES of the last page:
//
//   base                                        base + P x 4096
//   | block 0 | block 1 | ... | block cap-1 | (slack) | header |
//
// The header (SlabEntry):
//   +0  freeEl   u32      first free block, 0 when full
//   +4  inUse    u32      blocks handed out
//   +8  next     u32      next slab on its class's partial or full list
//   +12 prev     u32      previous slab, 0 at the head
//   +16 desc     u32      its SlabDesc
//   +20 base     u32      block 0
//   +24 area     u32      the MemArea record of the slab's pages
//   +28 mask     u32      block size - 1
//   +32 shift    u16      log2 of the block size
//   +34 capacity u16      blocks in the slab
//   +40 used     u32[16]  bit i set: block i is handed out (512 bits)
//
// The recursion. areaAlloc needs a record (MemArea) from here, and a new
// slab needs an area from there. Records come from their own cache of
// 32-byte blocks (recordAlloc), which never lends its last free block to
// anyone but itself:
//  - Bootstrap: the first record slab is made on the first page of the
//    range with no record at all (backPage directly), then hands out the
//    record for its own area and the one for the free rest of the range.
//  - Steady state: growing any class other than the record cache asks
//    recordAlloc for one record, and area.ts's areaTake for pages; areaTake
//    needs no record, and areaAttach at most frees one (a free area used up). recordAlloc grows the record
//    cache when it is down to its last block, and that growth takes the last
//    block for its own record; so growing the cache never asks for a record,
//    and recordAlloc never waits on itself. The depth is bounded:
//    alloc -> growSlab(class) -> recordAlloc -> growSlab(records) -> areaTake.
//  - Freeing: releasing an empty slab frees records (at most two merged
//    away), which may empty a record slab, whose release frees records in
//    turn; each step removes a slab, so it ends. Records are freed through
//    recordFree, never through free, which refuses them.
// test=alloc and the host specs drive the record cache through many growths.
//
// Never called in interrupt context: each entry point refuses an IRQ
// handler's call (core/context.ts).

import { bitTestAndReset, bitTestAndSet } from "../arch/x86/cpu";
import { print, printDec, printHex, println } from "../core/console";
import { refuseInInterrupt } from "../core/context";
import { panicAt } from "../core/panic";
import { areaAddFree, areaAlloc, areaAttach, areaInit, areaMoveRecord, areaRelease, areaTag, areaTake, MemArea } from "./area";
import { backPage } from "./backing";
import { PAGE_SHIFT, PAGE_SIZE } from "./mem";

@inline export const CLASS_MIN_SHIFT: u32 = 3;                 // 8 bytes
@inline export const CLASS_MAX_SHIFT: u32 = 12;                // 4096 bytes, one page
@inline export const CLASS_COUNT: u32 = CLASS_MAX_SHIFT - CLASS_MIN_SHIFT + 1;
@inline export const SMALL_MAX: u32 = 1 << CLASS_MAX_SHIFT;    // larger requests are areas
@inline const RECORD_SHIFT: u32 = 5;                           // records take 32-byte blocks
/** Empty slabs a class keeps instead of giving them back. */
@inline export const EMPTY_SLABS_KEPT: u32 = 1;
/** The pattern free blocks hold in debug builds. */
@inline export const POISON: u32 = 0xDEADDEAD;

@inline export const SLAB_HEADER_BYTES: u32 = 104;
@inline const SLAB_BITMAP: usize = 40;
@inline const SLAB_MAX_BLOCKS: u32 = (SLAB_HEADER_BYTES - <u32>SLAB_BITMAP) * 8;
/** Added to a slab header's address to make its pages' tag (headers are 8-byte aligned, records 32). */
@inline export const SLAB_TAG: u32 = 1;

/** A slab's header, at the end of its area (layout above). */
@unmanaged export class SlabEntry {
  freeEl: usize;
  inUse: u32;
  next: usize;
  prev: usize;
  desc: usize;
  base: usize;
  area: usize;
  mask: u32;
  shift: u16;
  capacity: u16;
}

/** A size class (or the record cache): its geometry and lists. */
@unmanaged export class SlabDesc {
  /** Block size, 1 << shift. */
  size: u32;
  shift: u32;
  /** Pages per slab, and blocks per slab. */
  slabPages: u32;
  capacity: u32;
  /** Slabs with at least one free block, and slabs with none. */
  partial: usize;
  full: usize;
  /** Slabs of the class. */
  slabs: u32;
  /** The empty slab kept as the reserve, or 0 (it may since have been used). */
  reserve: usize;
  /** Free blocks; kept up to date for the record cache only (recordAlloc needs it). */
  spare: u32;

  /** Blocks handed out, counted over the lists. */
  get inUse(): u32 { return this.slabs * this.capacity - this.freeBlocks; }
  /** Free blocks over all slabs (the full list has none). */
  get freeBlocks(): u32 {
    let n: u32 = 0;
    for (let slab = this.partial; slab != 0; slab = slabOf(slab).next) n += this.capacity - slabOf(slab).inUse;
    return n;
  }
  /** Slabs with no block handed out. */
  get emptySlabs(): u32 {
    let n: u32 = 0;
    for (let slab = this.partial; slab != 0; slab = slabOf(slab).next) if (slabOf(slab).inUse == 0) n++;
    return n;
  }
}
@inline const DESC_BYTES: usize = 64;

const descs = memory.data(<i32>((CLASS_COUNT + 1) * <u32>DESC_BYTES), 16);
/**
 * The table's address again, in a global: wasm2c makes globals fields of
 * kernel_instance, where a debugger finds them (tools/gdb/kernel.py slabs).
 * The allocator itself uses the constant.
 */
let slabClassTable: usize = 0;
/** The record cache is the last desc, after the size classes. */
@inline function recordCache(): SlabDesc { return desc(CLASS_COUNT); }
@inline function desc(index: u32): SlabDesc { return changetype<SlabDesc>(descs + <usize>index * DESC_BYTES); }
@inline function slabOf(entry: usize): SlabEntry { return changetype<SlabEntry>(entry); }

/** The class index for a request of `size` bytes, 1 <= size <= SMALL_MAX. */
@inline export function classIndex(size: u32): u32 {
  // The highest set bit of size - 1 (31 ^ clz: x86 BSR), with sizes up to 8 counted as 8.
  return (31 ^ clz((size - 1) | ((1 << CLASS_MIN_SHIFT) - 1))) + 1 - CLASS_MIN_SHIFT;
}

/** The SlabDesc of class `index` (0 .. CLASS_COUNT - 1), or of the record cache (CLASS_COUNT). */
export function classDesc(index: u32): SlabDesc {
  return changetype<SlabDesc>(slabClassTable + <usize>index * DESC_BYTES);
}

/** The MemArea record of the slab whose header is `slab` (mm/area.ts follows page tags with it). */
@inline export function slabRecord(slab: usize): usize { return slabOf(slab).area; }
/** Points the slab header `slab` at its record, which moved (mm/area.ts areaMoveRecord). */
export function slabSetRecord(slab: usize, record: usize): void { slabOf(slab).area = record; }

// Pages per slab: one for blocks up to 512 bytes, then enough for 7 blocks
// and the header (1 KiB: 2 pages, 2 KiB: 4, 4 KiB: 8).
function slabPagesFor(shift: u32): u32 {
  return shift <= 9 ? 1 : 1 << (shift - 9);
}

function descInit(d: SlabDesc, shift: u32): void {
  d.size = 1 << shift;
  d.shift = shift;
  d.slabPages = slabPagesFor(shift);
  d.capacity = min(((d.slabPages << PAGE_SHIFT) - SLAB_HEADER_BYTES) >> shift, SLAB_MAX_BLOCKS);
  d.partial = d.full = d.reserve = 0;
  d.slabs = d.spare = 0;
}

/**
 * Sets up the area allocator over [base, top) and the slab allocator on
 * top of it. Returns false when not even the first page could be backed.
 */
export function allocInit(base: u32, top: u32): bool {
  slabClassTable = descs;
  areaInit(base, top);
  for (let i: u32 = 0; i < CLASS_COUNT; i++) descInit(desc(i), CLASS_MIN_SHIFT + i);
  const records = recordCache();
  descInit(records, RECORD_SHIFT);
  // The bootstrap (see "The recursion" above).
  if (!backPage(base)) return false;
  const slab = slabSetup(records, base);
  const own = recordTake();
  areaAttach(own, base, 1, slab);
  slabOf(slab).area = own;
  areaAddFree(recordTake(), base + PAGE_SIZE, (top - base - PAGE_SIZE) >> PAGE_SHIFT);
  return true;
}

// ---------------------------------------------------------------------------
// alloc and free.

/**
 * A block of at least `size` bytes, aligned to its size rounded up to a
 * power of two (page aligned from 4096 up), or 0 when memory is exhausted
 * or `size` is 0 or larger than the area range. O(1) unless a new slab is
 * needed.
 */
export function alloc(size: u32): usize {
  refuseInInterrupt("alloc", size);
  if (size - 1 >= SMALL_MAX) return size == 0 ? 0 : allocLarge(size);
  const d = desc(classIndex(size));
  let slab = d.partial;
  if (slab == 0) {
    if (!growSlab(d)) return 0;
    slab = d.partial;
  }
  return slabTake(d, slab);
}

function allocLarge(size: u32): usize {
  const pages = largePages(size);
  return pages > <u64>u32.MAX_VALUE ? 0 : areaAlloc(<u32>pages);
}

/**
 * The pages a request of `size` bytes above SMALL_MAX takes. Rounded up in
 * 64 bits: a size near 4 GiB must not wrap to a small count (0xFFFFFFFF is
 * 0x100000 pages, not 0).
 */
export function largePages(size: u32): u64 {
  return (<u64>size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/**
 * Frees the block at `ptr` (from alloc). free(0) does nothing. O(1): no
 * search. Stops the kernel, changing nothing, when `ptr` is not the start
 * of a live block.
 */
export function free(ptr: usize): void {
  refuseInInterrupt("free", ptr);
  if (ptr == 0) return;
  const tag = areaTag(<u32>ptr);
  if ((tag & SLAB_TAG) == 0) {
    freeLarge(ptr, tag);
    return;
  }
  const slab = <usize>(tag - SLAB_TAG);
  if (slabOf(slab).desc == changetype<usize>(recordCache())) panicAt("free", "pointer into the allocator's own records", ptr);
  slabPut(slab, ptr);
}

// A block above SMALL_MAX: an area of its own, whose record is `record`.
function freeLarge(ptr: usize, record: u32): void {
  if (record == 0) panicAt("free", "not an allocated block (never allocated, or already freed)", ptr);
  if (<u32>ptr != changetype<MemArea>(record).start) panicAt("free", "pointer inside a block, not at its start", ptr);
  areaRelease(record);
}

/** A record for the area allocator, from the record cache; 0 when memory is exhausted. */
export function recordAlloc(): usize {
  const records = recordCache();
  if (records.spare <= 1 && !growSlab(records)) return 0;
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
  slabPut(tag - SLAB_TAG, record);
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
    const slab = emptySlab(records, 0);
    if (slab == 0) return;
    slabRelease(records, slab);
  }
}

// ---------------------------------------------------------------------------
// Slabs.

// Takes the first free block of `slab`, a slab of `d` with room. Inlined:
// it is alloc's fast path.
@inline function slabTake(d: SlabDesc, slab: usize): usize {
  const s = slabOf(slab);
  const block = s.freeEl;
  if (isDefined(KERNEL_DEBUG)) poisonCheck(block, d.size);
  s.freeEl = <usize>load<u32>(block);
  bitTestAndSet(slab + SLAB_BITMAP, <u32>(block - s.base) >> <u32>s.shift);
  s.inUse++;
  if (s.freeEl == 0) listMove(d, slab, true);
  return block;
}

// Returns `ptr` to `slab`, after checking it is a live block's start.
// Inlined: it is free's fast path. `ptr` lies in one of the slab's pages
// (its tag said so), so below the header; the checks find where.
@inline function slabPut(slab: usize, ptr: usize): void {
  const s = slabOf(slab);
  const offset = <u32>(ptr - s.base);
  if ((offset & s.mask) != 0) panicAt("free", "pointer inside a block, not at its start", ptr);
  const index = offset >> <u32>s.shift;
  if (index >= <u32>s.capacity) panicAt("free", "pointer past a slab's last block", ptr);
  if (!bitTestAndReset(slab + SLAB_BITMAP, index)) panicAt("free", "double free (the block is already free)", ptr);
  if (isDefined(KERNEL_DEBUG)) poisonFill(ptr, 1 << <u32>s.shift);
  const head = s.freeEl;
  store<u32>(ptr, <u32>head);
  s.freeEl = ptr;
  if (head == 0) listMove(changetype<SlabDesc>(s.desc), slab, false);
  if (--s.inUse == 0) slabEmptied(changetype<SlabDesc>(s.desc), slab);
}

// Adds a slab to class `d`. False, changing nothing, when memory is exhausted.
function growSlab(d: SlabDesc): bool {
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

// Cuts the backed pages at `start` into a new, empty slab of `d`, on its
// partial list; returns its header.
function slabSetup(d: SlabDesc, start: usize): usize {
  const slab = start + (<usize>d.slabPages << PAGE_SHIFT) - SLAB_HEADER_BYTES;
  const s = slabOf(slab);
  memory.fill(slab, 0, SLAB_HEADER_BYTES);
  s.desc = changetype<usize>(d);
  s.base = start;
  s.mask = d.size - 1;
  s.shift = <u16>d.shift;
  s.capacity = <u16>d.capacity;
  // Chain the blocks in address order: the lowest is handed out first.
  for (let i: u32 = 0; i < d.capacity; i++) {
    const block = start + (<usize>i << d.shift);
    if (isDefined(KERNEL_DEBUG)) poisonFill(block, d.size);
    store<u32>(block, i + 1 < d.capacity ? <u32>(block + d.size) : 0);
  }
  s.freeEl = start;
  listPush(d, slab, false);
  d.slabs++;
  d.spare += d.capacity;
  return slab;
}

// A slab just became empty: keep it as the class's reserve unless another
// empty slab already is, else give it back.
function slabEmptied(d: SlabDesc, slab: usize): void {
  const reserve = d.reserve;
  if (reserve != 0 && reserve != slab && slabOf(reserve).inUse == 0) slabRelease(d, slab);
  else d.reserve = slab;
}

function slabRelease(d: SlabDesc, slab: usize): void {
  listRemove(d, slab, false);
  if (d.reserve == slab) d.reserve = 0;
  d.slabs--;
  d.spare -= d.capacity;
  areaRelease(slabOf(slab).area);
}

/**
 * Gives back every empty slab, the reserves included, except what the
 * record cache needs to keep one free record; first packs the records into
 * the lowest record slabs, so that the others empty. For memory pressure,
 * and for tests that count pages.
 */
export function allocTrim(): void {
  for (let i: u32 = 0; i < CLASS_COUNT; i++) trimClass(desc(i), 0);
  // Releasing those slabs freed records: pack them, then give back what emptied.
  recordsCompact();
  trimClass(recordCache(), 1);
}

// Releases the empty slabs of `d` while at least `keep` free blocks remain.
// Releasing a slab frees records, which can release record slabs: the list
// is searched again after every release instead of holding a neighbour.
function trimClass(d: SlabDesc, keep: u32): void {
  for (let slab = emptySlab(d, keep); slab != 0; slab = emptySlab(d, keep)) slabRelease(d, slab);
}

// An empty slab of `d` whose release leaves at least `keep` free blocks, or 0.
function emptySlab(d: SlabDesc, keep: u32): usize {
  if (d.freeBlocks < d.capacity + keep) return 0;
  for (let slab = d.partial; slab != 0; slab = slabOf(slab).next) {
    if (slabOf(slab).inUse == 0) return slab;
  }
  return 0;
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
      const from = firstLiveBlock(source);
      records.spare--;
      const to = slabTake(records, lowestSlabWithRoom(records));
      areaMoveRecord(from, to);
      records.spare++;
      slabPut(source, from);
    }
  }
}

// The record slab at the highest address that holds records, other than the lowest one; 0 if none.
function highestRecordSlab(): usize {
  const records = recordCache();
  let lowest: usize = usize.MAX_VALUE;
  let highest: usize = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let slab = pass == 0 ? records.partial : records.full; slab != 0; slab = slabOf(slab).next) {
      lowest = min(lowest, slab);
      if (slabOf(slab).inUse != 0) highest = max(highest, slab);
    }
  }
  return highest > lowest ? highest : 0;
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

function firstLiveBlock(slab: usize): usize {
  const s = slabOf(slab);
  for (let w: u32 = 0; w < (<u32>s.capacity + 31) >> 5; w++) {
    const bits = load<u32>(slab + SLAB_BITMAP + <usize>w * 4);
    if (bits != 0) return s.base + ((<usize>(w * 32 + ctz(bits))) << <u32>s.shift);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// A class's two lists.

@inline function listHead(d: SlabDesc, full: bool): usize { return full ? d.full : d.partial; }

function listPush(d: SlabDesc, slab: usize, full: bool): void {
  const head = listHead(d, full);
  slabOf(slab).prev = 0;
  slabOf(slab).next = head;
  if (head != 0) slabOf(head).prev = slab;
  if (full) d.full = slab;
  else d.partial = slab;
}

function listRemove(d: SlabDesc, slab: usize, full: bool): void {
  const s = slabOf(slab);
  if (s.prev != 0) slabOf(s.prev).next = s.next;
  else if (full) d.full = s.next;
  else d.partial = s.next;
  if (s.next != 0) slabOf(s.next).prev = s.prev;
}

// Moves `slab` to the full list (toFull) or back to the partial list.
function listMove(d: SlabDesc, slab: usize, toFull: bool): void {
  listRemove(d, slab, !toFull);
  listPush(d, slab, toFull);
}

// ---------------------------------------------------------------------------
// Debug builds: poison.

function poisonFill(block: usize, size: u32): void {
  for (let i: u32 = 4; i < size; i += 4) store<u32>(block + i, POISON);
}

function poisonCheck(block: usize, size: u32): void {
  for (let i: u32 = 4; i < size; i += 4) {
    if (load<u32>(block + i) != POISON) panicAt("alloc", "a free block was written after free", block + i);
  }
}

// ---------------------------------------------------------------------------
// Visibility.

/** Objects in use across all size classes (records not counted). */
export function allocInUse(): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < CLASS_COUNT; i++) n += desc(i).inUse;
  return n;
}

/** Prints the size classes as a table, like slabinfo: all, or the row of class `only` (CLASS_COUNT: records). */
export function allocDump(only: u32 = u32.MAX_VALUE): void {
  println("slab classes:");
  println("  class     size  in use    free   slabs   empty   pages");
  for (let i: u32 = 0; i <= CLASS_COUNT; i++) {
    if (only != u32.MAX_VALUE && i != only) continue;
    const d = classDesc(i);
    print("  ");
    printColumn(i == CLASS_COUNT ? "records" : "", i, 7);
    printColumn("", d.size, 9);
    printColumn("", d.inUse, 8);
    printColumn("", d.freeBlocks, 8);
    printColumn("", d.slabs, 8);
    printColumn("", d.emptySlabs, 8);
    printColumn("", d.slabs * d.slabPages, 8);
    println();
  }
}

// A right-aligned number column (or a word in its place).
function printColumn(word: string, value: u32, width: i32): void {
  let digits = word.length > 0 ? word.length : 1;
  if (word.length == 0) for (let v = value; v >= 10; v /= 10) digits++;
  for (let i = digits; i < width; i++) print(" ");
  if (word.length > 0) print(word);
  else printDec(value);
}
