// kernel/mm/alloc.ts: the kernel's object allocator, alloc/free, with slabs.
//
// alloc(size) above a page is areaAlloc; otherwise it takes a block of the
// smallest size class that fits, from a slab (mm/slab.ts). Classes are fixed
// at start-up: powers of two from 8 to 4096 bytes (CLASS_MIN_SHIFT ..
// CLASS_MAX_SHIFT), so that a block's index in its slab is a shift and
// rounding up wastes less than half a block; a block of class 2^k is aligned
// to 2^k (up to a page): alloc(4096) is page aligned, a 2048-byte block
// never straddles a page. Each class is a SlabDesc.
//
// alloc is O(1) unless the class must grow a slab (mm/area.ts slabGrow), and
// free(ptr) is O(1): the tag of ptr's page (mm/area.ts areaTag) says whether
// it is a slab's (its header plus SLAB_TAG) or a large block's area (its
// record). When every slab of a class is full, one more is added; one empty
// slab is kept (EMPTY_SLABS_KEPT) and any other that empties is given back.
// The hot paths touch only the slab header: a class's counters are counted
// from its lists when asked for (SlabDesc getters).
//
// Misuse is always caught, before anything changes, and stops the kernel
// naming the function and the address: a double free (each slab has a bit
// per block), a pointer that is not the start of a live block (inside a
// block, past the last block or in the header, in no allocated area), and a
// pointer into the area allocator's own records. Exhaustion returns 0 and
// changes nothing. alloc(0) returns 0 (a request for nothing), and free(0)
// does nothing. Neither runs in interrupt context (core/context.ts).

import { PAGE_SHIFT, PAGE_SIZE } from "../arch/x86/paging";
import { print, printDec, println } from "../core/console";
import { panicAt, refuseInInterrupt } from "../core/panic";
import { areaAlloc, areaInit, areaRelease, areaTag, isRecordSlab, MemArea, recordCache, recordsTrim, slabGrow, slabRelease } from "./area";
import { descInit, SlabDesc, slabEmpty, slabKeep, slabOf, slabPut, slabTake, DESC_BYTES, SLAB_TAG } from "./slab";

@inline export const CLASS_MIN_SHIFT: u32 = 3;                 // 8 bytes
@inline export const CLASS_MAX_SHIFT: u32 = 12;                // 4096 bytes, one page
@inline export const CLASS_COUNT: u32 = CLASS_MAX_SHIFT - CLASS_MIN_SHIFT + 1;
@inline export const SMALL_MAX: u32 = 1 << CLASS_MAX_SHIFT;    // larger requests are areas

const descs = memory.data(<i32>(CLASS_COUNT * <u32>DESC_BYTES), 16);
/**
 * Where the size classes are, for a debugger and the web page: kernel/main.ts
 * exports it, so that it becomes a global they can read (a field of
 * kernel_instance).
 */
export const SLAB_CLASSES: usize = descs;

/** The SlabDesc of class `index` (0 .. CLASS_COUNT - 1), or of the record cache (CLASS_COUNT). */
@inline export function slabClass(index: u32): SlabDesc {
  return index == CLASS_COUNT ? recordCache() : changetype<SlabDesc>(descs + <usize>index * DESC_BYTES);
}
@inline function desc(index: u32): SlabDesc { return changetype<SlabDesc>(descs + <usize>index * DESC_BYTES); }

/** The class index for a request of `size` bytes, 1 <= size <= SMALL_MAX. */
@inline export function classIndex(size: u32): u32 {
  // The highest set bit of size - 1 (31 ^ clz: x86 BSR), with sizes up to 8 counted as 8.
  return (31 ^ clz((size - 1) | ((1 << CLASS_MIN_SHIFT) - 1))) + 1 - CLASS_MIN_SHIFT;
}

/**
 * Sets up the area allocator over [base, top) and the size classes on top
 * of it. Returns false when not even the first page could be backed.
 */
export function allocInit(base: u32, top: u32): bool {
  for (let i: u32 = 0; i < CLASS_COUNT; i++) descInit(desc(i), CLASS_MIN_SHIFT + i);
  return areaInit(base, top);
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
    if (!slabGrow(d)) return 0;
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
  if (isRecordSlab(slab)) panicAt("free", "pointer into the allocator's own records", ptr);
  if (slabPut(slab, ptr)) slabEmptied(changetype<SlabDesc>(slabOf(slab).desc), slab);
}

// A block above SMALL_MAX: an area of its own, whose record is `record`.
function freeLarge(ptr: usize, record: u32): void {
  if (record == 0) panicAt("free", "not an allocated block (never allocated, or already freed)", ptr);
  if (<u32>ptr != changetype<MemArea>(record).start) panicAt("free", "pointer inside a block, not at its start", ptr);
  areaRelease(record);
}

// A slab of class `d` just became empty: kept, or given back.
function slabEmptied(d: SlabDesc, slab: usize): void {
  if (slabKeep(d, slab)) slabRelease(d, slab);
}

/**
 * Gives back every empty slab, the kept ones included, except what the
 * record cache needs to keep one free record; first packs the records into
 * the lowest record slabs, so that the others empty. For memory pressure,
 * and for tests that count pages.
 */
export function allocTrim(): void {
  for (let i: u32 = 0; i < CLASS_COUNT; i++) {
    const d = desc(i);
    for (let slab = slabEmpty(d, 0); slab != 0; slab = slabEmpty(d, 0)) slabRelease(d, slab);
  }
  // Releasing those slabs freed records: pack them, then give back what emptied.
  recordsTrim();
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
    const d = slabClass(i);
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
