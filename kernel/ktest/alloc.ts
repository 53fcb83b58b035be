// kernel/ktest/alloc.ts: `test=alloc` and `test=alloc-exhaust`, the
// allocators on real paging and physical pages.
//
// Every workload is sized to the free physical pages it finds (the suites
// pass from the minimum RAM, 4 MiB, up to 3.5 GiB), a case stops at its
// first failure with a FAIL line, and only what was allocated is freed.

import { check, checkEqual, framesFreeBesidesRecords, suite, usedAreasBesidesRecords } from "./harness";
import { PAGE_SIZE } from "../arch/x86/paging";
import { alloc, allocInUse, allocTrim, slabClass, classIndex, CLASS_COUNT, free, largePages, SMALL_MAX } from "../mm/alloc";
import { areaAlloc, areaFree, areaFreeCount, areaRangeEnd, areaRangeStart, areaUsedCount } from "../mm/area";
import { framesFree, frameAlloc, frameRelease } from "../mm/frames";
import { pageTranslate, PAGE_NOT_MAPPED } from "../mm/pages";
import { print, printDec, println } from "../core/console";
import { xorshift32 } from "../lib/random";

// The same sequence on every run (lib/random.ts).
let seed: u32 = 0x2545F491;
function random(): u32 {
  seed = xorshift32(seed);
  return seed;
}

// Blocks in use when the suite started (the monitor's alloc may have left
// some): every count the suite checks is against what it found.
let inUseAtStart: u32 = 0;

function allocSuite(): void {
  allocTrim(); // the empty slabs kept from before would be given back at the end
  const freeAtStart = framesFreeBesidesRecords();
  const areasAtStart = usedAreasBesidesRecords();
  inUseAtStart = allocInUse();
  basics();
  naturalAlignment();
  areas();
  recordCacheGrowth();
  randomWorkload(RANDOM_OPERATIONS);
  allocTrim();
  checkEqual("every object is freed at the end", allocInUse(), inUseAtStart);
  checkEqual("the used areas are back to the start", usedAreasBesidesRecords(), areasAtStart);
  checkEqual("free physical pages are back at their starting count", framesFreeBesidesRecords(), freeAtStart);
}

function basics(): void {
  checkEqual("alloc(0) returns 0", alloc(0), 0);
  const inUse = allocInUse();
  const areas = areaUsedCount();
  free(0);
  check("free(0) does nothing", allocInUse() == inUse && areaUsedCount() == areas);
  const a = alloc(1);
  const b = alloc(8);
  check("alloc(1) and alloc(8) share the 8-byte class, one block apart", b == a + 8);
  const c = alloc(100);
  checkEqual("alloc(100) comes from the 128-byte class, aligned to 128", c & 127, 0);
  check("a small block is backed by a physical page", pageTranslate(<u32>c) != PAGE_NOT_MAPPED);
  const big = alloc(3 * PAGE_SIZE + 1);
  checkEqual("alloc above a page is a page-aligned area", big & (PAGE_SIZE - 1), 0);
  check("...with all of its 4 pages backed", pageTranslate(<u32>big + 3 * PAGE_SIZE) != PAGE_NOT_MAPPED);
  free(big);
  checkEqual("free of a large block unmaps it", pageTranslate(<u32>big), PAGE_NOT_MAPPED);
  free(c);
  free(b);
  const again = alloc(8);
  checkEqual("the block freed last is handed out first", again, b);
  free(again);
  free(a);
  checkEqual("alloc(4 GiB - 1) asks for 0x100000 pages (the size does not wrap to 0 pages)", largePages(u32.MAX_VALUE), 0x100000);
  checkEqual("alloc(4 GiB - 4095) asks for 0xFFFFF pages", largePages(u32.MAX_VALUE - PAGE_SIZE + 1), 0xFFFFF);
  checkEqual("alloc(4 GiB - 1) cannot be had: 0", alloc(u32.MAX_VALUE), 0);
}

// Every class: each block of a full slab and the first of the next one is
// aligned to the class's size (a page for 4096).
@inline const ALIGN_BLOCKS: u32 = 600;   // more than any slab holds
const alignTable = memory.data(<i32>ALIGN_BLOCKS * 4);

function naturalAlignment(): void {
  let misaligned: u32 = 0;
  let blocks: u32 = 0;
  for (let i: u32 = 0; i < CLASS_COUNT; i++) {
    const size = slabClass(i).size;
    const n = slabClass(i).capacity + 1;
    for (let k: u32 = 0; k < n; k++) {
      const block = alloc(size);
      store<u32>(alignTable + k * 4, <u32>block);
      if (block == 0 || (block & (size - 1)) != 0) misaligned++;
      blocks++;
    }
    for (let k: u32 = 0; k < n; k++) free(load<u32>(alignTable + k * 4));
  }
  checkEqual("every block of every class is aligned to its size (" + blocks.toString() + " blocks)", misaligned, 0);
  const page = alloc(PAGE_SIZE);
  checkEqual("alloc(4096) is page aligned", page & (PAGE_SIZE - 1), 0);
  free(page);
}

function areas(): void {
  const a = areaAlloc(2);
  const b = areaAlloc(3);
  const c = areaAlloc(1);
  check("areaAlloc splits consecutive areas off the front of the free range", b == a + 2 * PAGE_SIZE && c == b + 3 * PAGE_SIZE);
  const holes = areaFreeCount();
  areaFree(b);
  checkEqual("freeing an area between two used ones makes a new free area", areaFreeCount(), holes + 1);
  areaFree(a);
  checkEqual("freeing its neighbour before merges with it (no new free area)", areaFreeCount(), holes + 1);
  // The merged hole (5 pages) is in the bin of 4 to 7 pages, the lowest whose
  // every area fits a 4-page request; the free rest is in a higher bin.
  const d = areaAlloc(4);
  checkEqual("the merged hole is found first for 4 pages (segregated fit)", d, a);
  areaFree(d);
  areaFree(c);
  checkEqual("freeing the area between the hole and the free rest merges all three", areaFreeCount(), holes);
  checkEqual("areaAlloc(0) returns 0", areaAlloc(0), 0);
  checkEqual("areaAlloc of more pages than the range holds returns 0", areaAlloc((areaRangeEnd() - areaRangeStart()) / PAGE_SIZE + 1), 0);
}

// Thousands of separate areas, each needing a record: the record cache grows
// many times over, then shrinks back when they are freed. At most MANY_AREAS
// pairs, fewer when memory is short: a pair costs two pages at first, and
// its two records a share of a record slab.
@inline const MANY_AREAS: u32 = 3000;
@inline const PAGES_KEPT_FREE: u32 = 64;   // for page tables and slabs on the way
const areaTable = memory.data(<i32>MANY_AREAS * 2 * 4);

function recordCacheGrowth(): void {
  const records = slabClass(CLASS_COUNT);
  const slabsBefore = records.slabs;
  const holesBefore = areaFreeCount();
  const spare = framesFree() > PAGES_KEPT_FREE ? framesFree() - PAGES_KEPT_FREE : 0;
  const pairs = min(MANY_AREAS, spare / 3);
  // Pairs of pages, then the second of each pair freed: a one-page hole
  // after every area, so no two free areas merge and each keeps a record.
  let made: u32 = 0;
  while (made < pairs * 2) {
    const a = areaAlloc(1);
    if (a == 0) break;
    store<u32>(areaTable + <usize>made * 4, a);
    made++;
  }
  check((pairs * 2).toString() + " single-page areas allocated", made == pairs * 2, "areaAlloc(1) returned 0 before the last");
  for (let i: u32 = 1; i < made; i += 2) areaFree(load<u32>(areaTable + <usize>i * 4));
  const holes = made / 2;
  check("a hole after each area that stays", areaFreeCount() + 1 >= holesBefore + holes);
  // Each area and each hole holds a record.
  const grown = (made + records.capacity - 1) / records.capacity;
  check(grown.toString() + " or more record slabs added", records.slabs + 1 >= slabsBefore + grown);
  for (let i: u32 = 0; i < made; i += 2) areaFree(load<u32>(areaTable + <usize>i * 4));
  allocTrim();
  checkEqual("freed, the record cache shrinks back", records.slabs, slabsBefore);
}

// The live set: up to LIVE blocks, each filled with a pattern from its id;
// fewer on a small machine. A block takes about a fifth of a page on
// average (randomSize), so two blocks per spare page leave a wide margin.
@inline const LIVE: u32 = 2048;
@inline const BLOCKS_PER_SPARE_PAGE: u32 = 2;
@inline const RANDOM_OPERATIONS: i32 = 1_000_000;
const liveTable = memory.data(<i32>LIVE * 12);   // ptr u32, size u32, id u32

@inline function pattern(id: u32, word: u32): u32 { return (id * 0x9E3779B1) ^ (word * 0x85EBCA6B); }

function randomSize(): u32 {
  const r = random();
  if ((r & 63) == 0) return SMALL_MAX + 1 + (random() % (3 * PAGE_SIZE));   // 1 in 64: 2 to 4 pages
  return 1 + (random() % (<u32>1 << (1 + (r >> 8) % 12)));                 // 1 .. 4096, every class
}

function fill(ptr: usize, size: u32, id: u32): void {
  for (let w: u32 = 0; w < size >> 2; w++) store<u32>(ptr + (<usize>w << 2), pattern(id, w));
}

function intact(ptr: usize, size: u32, id: u32): bool {
  for (let w: u32 = 0; w < size >> 2; w++) if (load<u32>(ptr + (<usize>w << 2)) != pattern(id, w)) return false;
  return true;
}

/**
 * `operations` random allocs and frees, across every class and multi-page
 * sizes. Each block is filled with its own pattern when allocated and checked
 * when freed: a block that overlapped another would have overwritten it.
 */
function randomWorkload(operations: i32): void {
  const spare = framesFree() > PAGES_KEPT_FREE ? framesFree() - PAGES_KEPT_FREE : 0;
  const liveMax = min(LIVE, spare * BLOCKS_PER_SPARE_PAGE);
  let live: u32 = 0;
  let nextId: u32 = 1;
  let damaged: u32 = 0;
  let misplaced: u32 = 0;
  let failed: u32 = 0;
  for (let op = 0; op < operations; op++) {
    const r = random();
    if (live < liveMax && (live == 0 || (r & 1) == 0)) {
      const size = randomSize();
      const ptr = alloc(size);
      if (ptr == 0) {
        failed++;
        break;   // the first failure ends the workload; the live blocks are freed below
      }
      const alignment: u32 = size > SMALL_MAX ? PAGE_SIZE : min(32, 1 << (classIndex(size) + 3));
      if ((<u32>ptr & (alignment - 1)) != 0 || <u32>ptr < areaRangeStart() || <u32>ptr + size > areaRangeEnd()) misplaced++;
      const slot = liveTable + <usize>live * 12;
      store<u32>(slot, <u32>ptr);
      store<u32>(slot + 4, size);
      store<u32>(slot + 8, nextId);
      fill(ptr, size, nextId++);
      live++;
    } else {
      const slot = liveTable + <usize>((r >> 1) % live) * 12;
      const ptr = <usize>load<u32>(slot);
      if (!intact(ptr, load<u32>(slot + 4), load<u32>(slot + 8))) damaged++;
      free(ptr);
      live--;
      memory.copy(slot, liveTable + <usize>live * 12, 12);
    }
  }
  for (let i: u32 = 0; i < live; i++) {
    const slot = liveTable + <usize>i * 12;
    if (!intact(<usize>load<u32>(slot), load<u32>(slot + 4), load<u32>(slot + 8))) damaged++;
    free(<usize>load<u32>(slot));
  }
  check("1,000,000 random operations (at most " + liveMax.toString() + " blocks live): every alloc succeeded", failed == 0, "an alloc returned 0");
  checkEqual("...every block was aligned and inside the area range", misplaced, 0);
  checkEqual("...every block kept its pattern (no overlap, no corruption)", damaged, 0);
  checkEqual("...and nothing is left in use", allocInUse(), inUseAtStart);
}

/**
 * `test=alloc-exhaust`: allocate until memory runs out, check the failing
 * call changed nothing, and carry on. On a machine with more than
 * EXHAUST_BUDGET free pages the rest is held aside first (physical pages
 * taken and kept), so that the run costs the same at 3.5 GiB as at 16 MiB.
 */
function allocExhaustSuite(): void {
  allocTrim();
  const freeAtStart = framesFreeBesidesRecords();
  inUseAtStart = allocInUse();
  holdPagesAside();
  exhaust(3 * PAGE_SIZE, "3-page blocks");
  exhaust(64, "64-byte blocks");
  exhaust(SMALL_MAX, "4096-byte blocks");
  releaseHeldPages();
  checkEqual("free physical pages are back at their starting count", framesFreeBesidesRecords(), freeAtStart);
}

// Free physical pages the exhaustion runs through: about a 16 MiB machine's.
@inline const EXHAUST_BUDGET: u32 = 3000;
// The pages held aside, by physical address, in an area of their own.
let heldTable: u32 = 0;
let heldCount: u32 = 0;

function holdPagesAside(): void {
  heldTable = 0;
  heldCount = 0;
  if (framesFree() <= EXHAUST_BUDGET * 2) return;
  // One table page per 1024 held pages, and one for a page table.
  heldTable = areaAlloc(framesFree() / (PAGE_SIZE / 4) + 2);
  check("an area for the table of pages held aside", heldTable != 0);
  if (heldTable == 0) return;
  while (framesFree() > EXHAUST_BUDGET) {
    store<u32>(heldTable + heldCount * 4, frameAlloc());
    heldCount++;
  }
  print("alloc-exhaust: ");
  printDec(heldCount);
  print(" free pages held aside, ");
  printDec(framesFree());
  println(" left to exhaust");
}

function releaseHeldPages(): void {
  for (let i: u32 = 0; i < heldCount; i++) frameRelease(load<u32>(heldTable + i * 4));
  if (heldTable != 0) areaFree(heldTable);
  heldCount = 0;
  heldTable = 0;
}

// Chain the blocks through their first word, so no table is needed.
function exhaust(size: u32, what: string): void {
  let head: usize = 0;
  let count: u32 = 0;
  while (true) {
    const freeBefore = framesFree();
    const areasBefore = areaUsedCount();
    const inUseBefore = allocInUse();
    const ptr = alloc(size);
    if (ptr == 0) {
      check("alloc of " + what + " returned 0 after " + count.toString() + " blocks", count > 0);
      checkEqual("...and the failed call left the free pages as they were", framesFree(), freeBefore);
      checkEqual("...the used areas as they were", areaUsedCount(), areasBefore);
      checkEqual("...and the objects in use as they were", allocInUse(), inUseBefore);
      break;
    }
    store<u32>(ptr, <u32>head);
    head = ptr;
    count++;
  }
  while (head != 0) {
    const next = <usize>load<u32>(head);
    free(head);
    head = next;
  }
  allocTrim();
  checkEqual("after freeing the " + what + " nothing is in use", allocInUse(), inUseAtStart);
}

// The suites of this file (kernel/ktest/harness.ts), registered last: a
// registration runs at start-up, after everything above is initialised.
suite("alloc", "alloc/free and areas on real paging, sized to the free frames", allocSuite);
suite("alloc-exhaust", "holds all but 3000 free frames aside, then exhausts the rest", allocExhaustSuite);
