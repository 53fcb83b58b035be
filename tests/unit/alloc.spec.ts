// kernel/mm/alloc.ts on the host, over an arena of wasm memory with the page
// double in place of paging (tests/unit/page-double.js).
import { alloc, allocInit, allocInUse, allocTrim, slabClass, classIndex, free, CLASS_COUNT } from "../../kernel/mm/alloc";
import { EMPTY_SLABS_KEPT, POISON, SLAB_HEADER_BYTES, SlabDesc, SlabEntry } from "../../kernel/mm/slab";
import { areaAlloc, areaFree, areaOf, areaUsedCount, areaUsedList, MemArea } from "../../kernel/mm/area";
import { arena, backedPages, expectPanic, resetPages, setPageLimit } from "./host";
import { xorshift32 } from "../../kernel/lib/random";

const PAGE: u32 = 4096;
const PAGES: u32 = 2048;
const base = arena(PAGES);
const top = base + PAGES * PAGE;

function setUp(): void {
  resetPages();
  expect(allocInit(base, top)).toBe(true);
}

function sizeClass(size: u32): SlabDesc {
  return slabClass(classIndex(size));
}

let target: usize = 0;

describe("size classes", () => {
  it("are the powers of two from 8 to 4096", () => {
    setUp();
    for (let i: u32 = 0; i < CLASS_COUNT; i++) expect(slabClass(i).size).toBe(<u32>8 << i);
  });
  it("take the smallest class that fits", () => {
    expect(classIndex(1)).toBe(0);
    expect(classIndex(8)).toBe(0);
    expect(classIndex(9)).toBe(1);
    expect(classIndex(16)).toBe(1);
    expect(classIndex(17)).toBe(2);
    expect(classIndex(2049)).toBe(9);
    expect(classIndex(4096)).toBe(9);
  });
  it("serve a request from its class", () => {
    setUp();
    alloc(100);
    expect(slabClass(4).inUse).toBe(1);
    expect(allocInUse()).toBe(1);
  });
  it("align every block to its size, up to 32", () => {
    setUp();
    for (let shift: u32 = 3; shift <= 12; shift++) {
      const block = alloc(<u32>1 << shift);
      expect(<u32>block & (min(<u32>1 << shift, 32) - 1)).toBe(0);
    }
  });
});

describe("alloc and free", () => {
  it("alloc(0) returns 0 and free(0) does nothing", () => {
    setUp();
    expect(alloc(0)).toBe(0);
    free(0);
    expect(allocInUse()).toBe(0);
  });
  it("hand out a fresh slab's blocks in address order", () => {
    setUp();
    const a = alloc(64);
    expect(alloc(64)).toBe(a + 64);
    expect(alloc(64)).toBe(a + 128);
    expect(a & (PAGE - 1)).toBe(0);
  });
  it("align every power-of-two class to its size (4096: a page)", () => {
    setUp();
    for (let i: u32 = 0; i < CLASS_COUNT; i++) {
      const size = slabClass(i).size;
      // Enough blocks to reach into a second slab.
      for (let n: u32 = 0; n <= slabClass(i).capacity; n++) {
        const block = alloc(size);
        expect(block & (size - 1)).toBe(0);
      }
    }
  });
  it("hand out the block freed last first (the free list is a stack)", () => {
    setUp();
    const a = alloc(32);
    const b = alloc(32);
    alloc(32);
    free(b);
    free(a);
    expect(alloc(32)).toBe(a);
    expect(alloc(32)).toBe(b);
  });
  it("above a page, give a page-aligned area of whole pages", () => {
    setUp();
    const pages = backedPages();
    const big = alloc(PAGE + 1);
    expect(big & (PAGE - 1)).toBe(0);
    expect(backedPages()).toBe(pages + 2);
    expect(changetype<MemArea>(areaOf(<u32>big)).pages).toBe(2);
    free(big);
    expect(backedPages()).toBe(pages);
  });
  it("return 0 for a size larger than the range, or near 4 GiB", () => {
    setUp();
    expect(alloc(PAGES * PAGE)).toBe(0);
    expect(alloc(u32.MAX_VALUE)).toBe(0);
  });
});

describe("slabs", () => {
  it("move a full slab off the partial list and grow a new one", () => {
    setUp();
    const d = sizeClass(64);
    for (let i: u32 = 0; i < d.capacity; i++) alloc(64);
    expect(d.slabs).toBe(1);
    expect(d.partial).toBe(0);
    expect(d.full).not.toBe(0);
    alloc(64);
    expect(d.slabs).toBe(2);
    expect(d.partial).not.toBe(0);
  });
  it("keep one empty slab and give back the others", () => {
    setUp();
    const d = sizeClass(128);
    const pages = backedPages();
    const blocks = heap.alloc(d.capacity * 3 * 4);
    for (let i: u32 = 0; i < d.capacity * 3; i++) store<usize>(blocks + i * 4, alloc(128));
    expect(d.slabs).toBe(3);
    for (let i: u32 = 0; i < d.capacity * 3; i++) free(load<usize>(blocks + i * 4));
    expect(d.slabs).toBe(EMPTY_SLABS_KEPT);
    expect(d.emptySlabs).toBe(EMPTY_SLABS_KEPT);
    expect(d.inUse).toBe(0);
    expect(backedPages()).toBe(pages + EMPTY_SLABS_KEPT);
    allocTrim();
    expect(d.slabs).toBe(0);
    expect(backedPages()).toBe(pages);
  });
  it("use several pages for large blocks", () => {
    setUp();
    expect(sizeClass(4096).slabPages).toBe(8);
    expect(sizeClass(4096).capacity).toBe(7);
    expect(sizeClass(8).capacity).toBe((PAGE - SLAB_HEADER_BYTES) / 8);
  });
});

describe("free misuse stops the kernel and changes nothing", () => {
  it("refuses a double free", () => {
    setUp();
    target = alloc(64);
    free(target);
    const d = sizeClass(64);
    const freeBlocks = d.freeBlocks;
    expectPanic(() => { free(target); });
    expect(d.freeBlocks).toBe(freeBlocks);
  });
  it("refuses a pointer inside a block", () => {
    setUp();
    target = alloc(64) + 4;
    expectPanic(() => { free(target); });
    expect(sizeClass(64).inUse).toBe(1);
  });
  it("refuses a pointer into a slab's header", () => {
    setUp();
    target = (alloc(64) & ~<usize>(PAGE - 1)) + PAGE - SLAB_HEADER_BYTES + 8;
    expectPanic(() => { free(target); });
    expect(sizeClass(64).inUse).toBe(1);
  });
  it("refuses a pointer into the allocator's own records", () => {
    setUp();
    const a = areaAlloc(1);
    target = areaOf(a);
    const records = slabClass(CLASS_COUNT).inUse;
    expectPanic(() => { free(target); });
    expect(slabClass(CLASS_COUNT).inUse).toBe(records);
    expect(changetype<MemArea>(areaOf(a)).start).toBe(a);
  });
  it("refuses a pointer past a slab's last block", () => {
    setUp();
    const d = sizeClass(64);
    target = (alloc(64) & ~<usize>(PAGE - 1)) + d.capacity * 64;
    expectPanic(() => { free(target); });
    expect(d.inUse).toBe(1);
  });
  it("refuses a pointer into the range that was never allocated", () => {
    setUp();
    target = top - PAGE;
    expectPanic(() => { free(target); });
  });
  it("refuses a pointer outside the range", () => {
    setUp();
    target = 64;
    expectPanic(() => { free(target); });
  });
  it("refuses the second page of a large block", () => {
    setUp();
    target = alloc(3 * PAGE) + PAGE;
    expectPanic(() => { free(target); });
    expect(areaUsedCount()).toBe(2);
  });
  it("refuses a record of the area allocator (the used list's head)", () => {
    setUp();
    const a = areaAlloc(1);
    target = areaUsedList();
    const records = slabClass(CLASS_COUNT);
    const inUse = records.inUse;
    expectPanic(() => { free(target); });
    expect(records.inUse).toBe(inUse, "the record is still in use");
    // Had free() taken it, the next area would get the same record.
    const b = areaAlloc(1);
    expect(areaUsedList()).not.toBe(target, "a new area gets a record of its own");
    expect(changetype<MemArea>(target).start).toBe(a, "the first area's record is intact");
    areaFree(b);
    areaFree(a);
  });
  it("refuses the size-class table and a record slab's header", () => {
    setUp();
    target = changetype<usize>(slabClass(0));
    expectPanic(() => { free(target); });
    target = base + 8;   // the first record slab is the range's first page
    expectPanic(() => { free(target); });
    expect(slabClass(CLASS_COUNT).inUse).toBe(2, "both bootstrap records still in use");
  });
  it("refuses a large block freed twice", () => {
    setUp();
    target = alloc(3 * PAGE);
    free(target);
    expectPanic(() => { free(target); });
  });
});

describe("exhaustion", () => {
  it("returns 0 and changes nothing, then carries on", () => {
    setUp();
    setPageLimit(backedPages() + 40);
    const d = sizeClass(256);
    let count: u32 = 0;
    let head: usize = 0;
    while (true) {
      const inUse = d.inUse;
      const slabs = d.slabs;
      const pages = backedPages();
      const areas = areaUsedCount();
      const block = alloc(256);
      if (block == 0) {
        expect(d.inUse).toBe(inUse);
        expect(d.slabs).toBe(slabs);
        expect(backedPages()).toBe(pages);
        expect(areaUsedCount()).toBe(areas);
        break;
      }
      store<usize>(block, head);
      head = block;
      count++;
    }
    expect(count).toBeGreaterThan(0);
    expect(alloc(8 * PAGE)).toBe(0);
    while (head != 0) {
      const next = load<usize>(head);
      free(head);
      head = next;
    }
    expect(d.inUse).toBe(0);
    expect(alloc(256)).not.toBe(0);
  });
});

// Down to its last free record, the record cache grows before handing one
// out; when the allocation then fails, that growth must be undone too.
function recordCacheAtLastBlock(): void {
  setUp();
  const records = slabClass(CLASS_COUNT);
  while (records.freeBlocks > 1) areaAlloc(1);
}

describe("exhaustion while the record cache must grow", () => {  it("alloc that fails leaves pages, record slabs and areas as they were", () => {
    recordCacheAtLastBlock();
    const records = slabClass(CLASS_COUNT);
    const pages = backedPages();
    const slabs = records.slabs;
    const free = records.freeBlocks;
    const areas = areaUsedCount();
    setPageLimit(pages + 1);
    expect(alloc(64)).toBe(0);
    expect(backedPages()).toBe(pages);
    expect(records.slabs).toBe(slabs);
    expect(records.freeBlocks).toBe(free);
    expect(areaUsedCount()).toBe(areas);
  });
  it("areaAlloc that fails leaves them as they were too", () => {
    recordCacheAtLastBlock();
    const records = slabClass(CLASS_COUNT);
    const pages = backedPages();
    const slabs = records.slabs;
    const areas = areaUsedCount();
    setPageLimit(pages + 2);
    expect(areaAlloc(2)).toBe(0);
    expect(backedPages()).toBe(pages);
    expect(records.slabs).toBe(slabs);
    expect(areaUsedCount()).toBe(areas);
    setPageLimit(u32.MAX_VALUE);
    expect(areaAlloc(2)).not.toBe(0);
  });
});

describe("allocTrim packs the records", () => {
  it("ends, and keeps only what the live records need, with an empty kept slab above a partial one", () => {
    setUp();
    const records = slabClass(CLASS_COUNT);
    // Three record slabs' worth of areas, in address order.
    const n: u32 = 300;
    const kept = heap.alloc(n * 4);
    for (let i: u32 = 0; i < n; i++) store<u32>(kept + i * 4, areaAlloc(1));
    expect(records.slabs).toBeGreaterThanOrEqual(3);
    // Free the newest areas first, so their records empty the top slab (kept
    // as the kept slab), then a short run in the middle, which leaves the slab
    // below it partial.
    for (let i: u32 = n - 1; i >= 150; i--) areaFree(load<u32>(kept + i * 4));
    for (let i: u32 = 100; i < 115; i++) areaFree(load<u32>(kept + i * 4));
    allocTrim();
    const live = records.inUse;
    const needed = (live + records.capacity) / records.capacity;   // the live records and one free
    expect(records.slabs).toBe(needed, "no more slabs than the live records need");
    for (let i: u32 = 0; i < 100; i++) areaFree(load<u32>(kept + i * 4));
    for (let i: u32 = 115; i < 150; i++) areaFree(load<u32>(kept + i * 4));
    allocTrim();
    expect(records.slabs).toBe(1);
    expect(areaUsedCount()).toBe(1);
    expect(backedPages()).toBe(1);
  });
});

describe("poison (debug builds)", () => {
  it("fills a freed block and stops the kernel when it is changed before reuse", () => {
    setUp();
    const block = alloc(64);
    free(block);
    expect(load<u32>(block + 8)).toBe(POISON);
    store<u32>(block + 8, 1);
    expectPanic(() => { alloc(64); });
  });
});

// ---------------------------------------------------------------------------
// The random workload.

const OPERATIONS: u32 = 100_000;
const LIVE: u32 = 512;
const live = heap.alloc(LIVE * 12);            // ptr, size, id
// Which live block owns each 8-byte granule of the arena (0: none).
const owners = heap.alloc(PAGES * PAGE / 8 * 4);

let seed: u32 = 0x9E3779B9;
function random(): u32 {
  seed = xorshift32(seed);
  return seed;
}

function pattern(id: u32, word: u32): u32 { return (id * 0x9E3779B1) ^ (word * 0x85EBCA6B); }

// Claims the granules of [ptr, ptr + size) for `id`; false if any is taken (an overlap).
function claim(ptr: usize, size: u32, id: u32): bool {
  const first = (ptr - base) >> 3;
  const last = (ptr + size - 1 - base) >> 3;
  for (let g = first; g <= last; g++) if (load<u32>(owners + g * 4) != 0) return false;
  for (let g = first; g <= last; g++) store<u32>(owners + g * 4, id);
  return true;
}

function release(ptr: usize, size: u32, id: u32): bool {
  const first = (ptr - base) >> 3;
  const last = (ptr + size - 1 - base) >> 3;
  let ok = true;
  for (let g = first; g <= last; g++) {
    if (load<u32>(owners + g * 4) != id) ok = false;
    store<u32>(owners + g * 4, 0);
  }
  return ok;
}

describe("a random workload of 100,000 operations", () => {
  it("never overlaps two live blocks, keeps every pattern, and ends with every count at zero", () => {
    setUp();
    memory.fill(owners, 0, PAGES * PAGE / 8 * 4);
    const pagesAtStart = backedPages();
    const areasAtStart = areaUsedCount();
    let count: u32 = 0;
    let nextId: u32 = 1;
    let overlaps: u32 = 0;
    let damaged: u32 = 0;
    let outside: u32 = 0;
    for (let op: u32 = 0; op < OPERATIONS; op++) {
      const r = random();
      if (count < LIVE && (count == 0 || (r & 1) == 0)) {
        const size = (r & 63) == 0 ? PAGE + 1 + random() % (3 * PAGE) : 1 + random() % (<u32>1 << (1 + (r >> 8) % 12));
        const ptr = alloc(size);
        expect(ptr).not.toBe(0);
        if (ptr < base || ptr + size > top) outside++;
        const id = nextId++;
        if (!claim(ptr, size, id)) overlaps++;
        for (let w: u32 = 0; w < size >> 2; w++) store<u32>(ptr + w * 4, pattern(id, w));
        const slot = live + count * 12;
        store<u32>(slot, <u32>ptr);
        store<u32>(slot + 4, size);
        store<u32>(slot + 8, id);
        count++;
      } else {
        const slot = live + ((r >> 1) % count) * 12;
        const ptr = <usize>load<u32>(slot);
        const size = load<u32>(slot + 4);
        const id = load<u32>(slot + 8);
        for (let w: u32 = 0; w < size >> 2; w++) if (load<u32>(ptr + w * 4) != pattern(id, w)) { damaged++; break; }
        if (!release(ptr, size, id)) overlaps++;
        free(ptr);
        count--;
        memory.copy(slot, live + count * 12, 12);
      }
    }
    while (count > 0) {
      count--;
      const slot = live + count * 12;
      release(<usize>load<u32>(slot), load<u32>(slot + 4), load<u32>(slot + 8));
      free(<usize>load<u32>(slot));
    }
    expect(outside).toBe(0, "every block inside the arena");
    expect(overlaps).toBe(0, "no two live blocks overlap");
    expect(damaged).toBe(0, "every block keeps its pattern");
    expect(allocInUse()).toBe(0);
    for (let i: u32 = 0; i < CLASS_COUNT; i++) expect(slabClass(i).inUse).toBe(0);
    allocTrim();
    expect(areaUsedCount()).toBe(areasAtStart);
    expect(backedPages()).toBe(pagesAtStart);
    for (let i: u32 = 0; i < CLASS_COUNT; i++) expect(slabClass(i).slabs).toBe(0);
  });
});
