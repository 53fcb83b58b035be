// kernel/mm/area.ts on the host, over an arena of wasm memory with the page
// double (tests/unit/page-double.js) in place of paging.
import { allocInit, allocTrim, alloc, slabClass, CLASS_COUNT } from "../../kernel/mm/alloc";
import {
  areaAlloc, areaFree, areaFreeCount, areaLowest, areaFreePages, areaOf, areaUsedCount, areaUsedPages, MemArea,
} from "../../kernel/mm/area";
import { arena, backedPages, expectPanic, resetPages, setPageLimit } from "./host";

const PAGE: u32 = 4096;
const PAGES: u32 = 256;
const base = arena(PAGES);
const top = base + PAGES * PAGE;

function setUp(): void {
  resetPages();
  expect(allocInit(base, top)).toBe(true);
}

// The free list as "start-in-pages:length" words, lowest first, relative to base.
function freeList(): string {
  let text = "";
  for (let r = areaLowest(); r != 0; r = changetype<MemArea>(r).upper) {
    const a = changetype<MemArea>(r);
    if (a.bin == 0) continue;
    text += (text.length > 0 ? " " : "") + ((a.start - base) / PAGE).toString() + ":" + a.pages.toString();
  }
  return text;
}

let target: u32 = 0;

describe("bootstrap", () => {
  it("makes the first record slab on the first page and one free area of the rest", () => {
    setUp();
    expect(areaUsedCount()).toBe(1);
    expect(areaUsedPages()).toBe(1);
    expect(freeList()).toBe("1:255");
    expect(backedPages()).toBe(1);
  });
});

describe("areaAlloc", () => {
  it("splits the front off the first free area", () => {
    setUp();
    expect(areaAlloc(3)).toBe(base + PAGE);
    expect(freeList()).toBe("4:252");
    expect(areaFreePages()).toBe(252);
  });
  it("backs every page and tags each with the area's record", () => {
    setUp();
    const a = areaAlloc(3);
    expect(backedPages()).toBe(4);
    expect(areaOf(a)).not.toBe(0);
    expect(areaOf(a + 2 * PAGE + 5)).toBe(areaOf(a));
    expect(changetype<MemArea>(areaOf(a)).pages).toBe(3);
  });
  it("uses a hole low in the range before the range above it (first fit)", () => {
    setUp();
    const a = areaAlloc(2);
    areaAlloc(1);
    areaFree(a);
    expect(areaAlloc(1)).toBe(a);
    expect(freeList()).toBe("2:1 4:252");
  });
  it("skips a hole too small for the request", () => {
    setUp();
    const a = areaAlloc(1);
    areaAlloc(1);
    areaFree(a);
    expect(areaAlloc(2)).toBe(base + 3 * PAGE);
  });
  it("returns 0 for 0 pages and for more pages than the range holds", () => {
    setUp();
    expect(areaAlloc(0)).toBe(0);
    expect(areaAlloc(PAGES)).toBe(0);
    expect(freeList()).toBe("1:255");
  });
  it("returns 0 and changes nothing when physical pages run out half way", () => {
    setUp();
    areaAlloc(1);
    setPageLimit(backedPages() + 2);
    const used = areaUsedCount();
    const list = freeList();
    expect(areaAlloc(3)).toBe(0);
    expect(areaUsedCount()).toBe(used);
    expect(freeList()).toBe(list);
    expect(backedPages()).toBe(2);
  });
});

describe("areaFree merges", () => {
  it("with no free neighbour: a new hole", () => {
    setUp();
    areaAlloc(1);
    const b = areaAlloc(2);
    areaAlloc(1);
    areaFree(b);
    expect(freeList()).toBe("2:2 5:251");
    expect(backedPages()).toBe(3);
  });
  it("with the free area before it", () => {
    setUp();
    areaAlloc(1);
    const b = areaAlloc(2);
    const c = areaAlloc(1);
    areaAlloc(1);
    areaFree(b);
    areaFree(c);
    expect(freeList()).toBe("2:3 6:250");
  });
  it("with the free area after it", () => {
    setUp();
    areaAlloc(1);
    const b = areaAlloc(2);
    const c = areaAlloc(1);
    areaAlloc(1);
    areaFree(c);
    areaFree(b);
    expect(freeList()).toBe("2:3 6:250");
  });
  it("with both, into one free area", () => {
    setUp();
    const a = areaAlloc(1);
    const b = areaAlloc(2);
    const c = areaAlloc(1);
    areaFree(a);
    areaFree(c);
    expect(freeList()).toBe("1:1 4:252");
    expect(areaFreeCount()).toBe(2);
    areaFree(b);
    expect(freeList()).toBe("1:255");
    expect(areaFreeCount()).toBe(1);
    expect(areaUsedCount()).toBe(1);
    expect(backedPages()).toBe(1);
  });
});

describe("areaFree misuse stops the kernel and changes nothing", () => {
  it("refuses an unaligned address", () => {
    setUp();
    target = areaAlloc(1) + 8;
    expectPanic(() => { areaFree(target); });
    expect(areaUsedCount()).toBe(2);
  });
  it("refuses an address outside the range", () => {
    setUp();
    target = top;
    expectPanic(() => { areaFree(target); });
  });
  it("refuses an address where nothing was allocated", () => {
    setUp();
    target = base + 10 * PAGE;
    expectPanic(() => { areaFree(target); });
    expect(freeList()).toBe("1:255");
  });
  it("refuses the second page of an area", () => {
    setUp();
    target = areaAlloc(2) + PAGE;
    expectPanic(() => { areaFree(target); });
    expect(areaUsedPages()).toBe(3);
  });
  it("refuses a slab's area", () => {
    setUp();
    target = <u32>alloc(16) & ~(PAGE - 1);
    expectPanic(() => { areaFree(target); });
    expect(areaUsedCount()).toBe(2);
  });
  it("refuses a double free", () => {
    setUp();
    target = areaAlloc(1);
    areaFree(target);
    expectPanic(() => { areaFree(target); });
    expect(freeList()).toBe("1:255");
  });
});

describe("the record cache", () => {
  it("grows many times over for many areas, and shrinks back when they go", () => {
    setUp();
    // A small range holds few areas; use a range of its own, every other page used.
    const many = arena(4096);
    resetPages();
    allocInit(many, many + 4096 * PAGE);
    const n: u32 = 1500;
    const pages = heap.alloc(n * 2 * 4);
    // Pairs of pages, then the second of each freed: a hole after every area.
    for (let i: u32 = 0; i < n * 2; i++) {
      const a = areaAlloc(1);
      expect(a).not.toBe(0);
      store<u32>(pages + i * 4, a);
    }
    for (let i: u32 = 1; i < n * 2; i += 2) areaFree(load<u32>(pages + i * 4));
    // 1500 used areas and the holes between them: some 3000 records, 125 to a slab.
    const records = slabClass(CLASS_COUNT);
    expect(areaFreeCount()).toBeGreaterThanOrEqual(n - 1);
    expect(records.slabs).toBeGreaterThanOrEqual(24);
    expect(records.inUse).toBe(areaUsedCount() + areaFreeCount());
    for (let r = areaLowest(); r != 0; r = changetype<MemArea>(r).upper) {
      // every hole is one page between two used ones, but the free rest at the top
      const a = changetype<MemArea>(r);
      if (a.bin != 0 && a.upper != 0) expect(a.pages).toBe(1);
      // the address links tile the range
      if (a.upper != 0) expect(changetype<MemArea>(a.upper).start).toBe(a.end);
    }
    for (let i: u32 = 0; i < n * 2; i += 2) areaFree(load<u32>(pages + i * 4));
    allocTrim();
    expect(areaUsedCount()).toBe(1);
    expect(areaFreeCount()).toBe(1);
    expect(backedPages()).toBe(1);
  });
});
