// Lazy areas on the host: kernel/mm/area.ts areaAllocLazy and kernel/mm/lazy.ts
// lazyBack over an arena of wasm memory, with the page double
// (tests/unit/page-double.js) keeping parked pages apart from backed ones.
import { allocInit, allocTrim } from "../../kernel/mm/alloc";
import {
  AREA_LAZY, AREA_PLAIN, AREA_READ_ONLY, areaAlloc, areaBackedPages, areaFree, areaLowest, areaOf, areaAllocLazy, areaUsedCount, MemArea,
} from "../../kernel/mm/area";
import { lazyAreaOf, lazyBack, lazyPagesBacked, LAZY_BACKED, LAZY_NOT_MINE, LAZY_OUT_OF_MEMORY } from "../../kernel/mm/lazy";
import { arena, backedPages, pageReadOnly, parkedPages, resetPages, setPageLimit, setParkLimit } from "./host";

const PAGE: u32 = 4096;
const PAGES: u32 = 256;
const base = arena(PAGES);
const top = base + PAGES * PAGE;

function setUp(): void {
  resetPages();
  expect(allocInit(base, top)).toBe(true);
}

function record(addr: u32): MemArea { return changetype<MemArea>(areaOf(addr)); }

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

describe("areaAllocLazy", () => {
  it("takes the range from the free list and parks its pages without backing any", () => {
    setUp();
    const a = areaAllocLazy(8);
    expect(a).toBe(base + PAGE);
    expect(freeList()).toBe("9:247");
    expect(backedPages()).toBe(1, "only the first record slab");
    expect(parkedPages()).toBe(8);
    expect(record(a).kind).toBe(AREA_LAZY);
    expect(areaBackedPages(areaOf(a))).toBe(0);
  });
  it("lets areaOf find the area from any of its unbacked pages", () => {
    setUp();
    const a = areaAllocLazy(8);
    expect(areaOf(a)).not.toBe(0);
    expect(areaOf(a + 7 * PAGE + 4095)).toBe(areaOf(a));
    expect(lazyAreaOf(a + 3 * PAGE + 12)).toBe(areaOf(a));
  });
  it("marks areaAlloc's areas plain and fully backed", () => {
    setUp();
    const a = areaAlloc(3);
    expect(record(a).kind).toBe(AREA_PLAIN);
    expect(areaBackedPages(areaOf(a))).toBe(3);
  });
  it("returns 0 for 0 pages and for more than the range", () => {
    setUp();
    expect(areaAllocLazy(0)).toBe(0);
    expect(areaAllocLazy(PAGES)).toBe(0);
    expect(freeList()).toBe("1:255");
    expect(parkedPages()).toBe(0);
  });
  it("returns 0 and changes nothing when parking runs out halfway (no page table)", () => {
    setUp();
    setParkLimit(5);
    const used = areaUsedCount();
    expect(areaAllocLazy(8)).toBe(0);
    expect(parkedPages()).toBe(0, "the five parked pages were given back");
    expect(freeList()).toBe("1:255");
    expect(areaUsedCount()).toBe(used);
    setParkLimit(u32.MAX_VALUE);
    expect(areaAllocLazy(8)).toBe(base + PAGE);
  });
});

describe("lazyBack", () => {
  it("backs the touched page, zeroed, and counts it in the area and in total", () => {
    setUp();
    const a = areaAllocLazy(4);
    memory.fill(a + 2 * PAGE, 0xAB, PAGE);
    const total = lazyPagesBacked();
    expect(lazyBack(a + 2 * PAGE + 100)).toBe(LAZY_BACKED);
    expect(areaBackedPages(areaOf(a))).toBe(1);
    expect(lazyPagesBacked()).toBe(total + 1);
    expect(backedPages()).toBe(2);
    expect(parkedPages()).toBe(3);
    let nonzero = 0;
    for (let off: u32 = 0; off < PAGE; off++) if (load<u8>(a + 2 * PAGE + off) != 0) nonzero++;
    expect(nonzero).toBe(0, "the page is zeroed");
    expect(areaOf(a + 2 * PAGE)).toBe(areaOf(a), "the backed page keeps its tag");
  });
  it("backs a read-only area's page read-only", () => {
    setUp();
    const a = areaAllocLazy(2, AREA_READ_ONLY);
    expect(lazyBack(a)).toBe(LAZY_BACKED);
    expect(pageReadOnly(a)).toBe(true);
    const b = areaAllocLazy(2);
    expect(lazyBack(b)).toBe(LAZY_BACKED);
    expect(pageReadOnly(b)).toBe(false);
  });
  it("is not for a page already backed, a plain area, a free range or outside the range", () => {
    setUp();
    const a = areaAllocLazy(2);
    expect(lazyBack(a)).toBe(LAZY_BACKED);
    const plain = areaAlloc(1);
    const before = backedPages();
    expect(lazyBack(a)).toBe(LAZY_NOT_MINE);
    expect(lazyBack(plain)).toBe(LAZY_NOT_MINE);
    expect(lazyBack(top - PAGE)).toBe(LAZY_NOT_MINE);
    expect(lazyBack(top + PAGE)).toBe(LAZY_NOT_MINE);
    expect(lazyBack(base - PAGE)).toBe(LAZY_NOT_MINE);
    expect(backedPages()).toBe(before);
    expect(areaBackedPages(areaOf(a))).toBe(1);
  });
  it("answers LAZY_OUT_OF_MEMORY, changing nothing, when no page is left", () => {
    setUp();
    const a = areaAllocLazy(4);
    setPageLimit(backedPages());
    expect(lazyBack(a + PAGE)).toBe(LAZY_OUT_OF_MEMORY);
    expect(areaBackedPages(areaOf(a))).toBe(0);
    expect(parkedPages()).toBe(4);
    setPageLimit(u32.MAX_VALUE);
    expect(lazyBack(a + PAGE)).toBe(LAZY_BACKED);
  });
});

describe("areaFree of a lazy area", () => {
  it("unbacks exactly the backed pages and unparks the rest", () => {
    setUp();
    const backedAtStart = backedPages();
    const a = areaAllocLazy(16);
    lazyBack(a);
    lazyBack(a + 7 * PAGE);
    lazyBack(a + 15 * PAGE);
    expect(backedPages()).toBe(backedAtStart + 3);
    areaFree(a);
    expect(backedPages()).toBe(backedAtStart);
    expect(parkedPages()).toBe(0);
    expect(freeList()).toBe("1:255", "the range merged back");
  });
  it("of an untouched area gives back the parked entries only", () => {
    setUp();
    const a = areaAllocLazy(5);
    areaFree(a);
    expect(parkedPages()).toBe(0);
    expect(freeList()).toBe("1:255");
  });
});

describe("a lazy area's record moved by the record cache", () => {
  it("is still found from its parked and backed pages, which follow it", () => {
    setUp();
    // Fill the first record slab with plain areas, so the lazy area's record
    // lands in a later slab; free them, and allocTrim packs it down.
    const plain = new StaticArray<u32>(150);
    for (let i = 0; i < 150; i++) plain[i] = areaAlloc(1);
    const a = areaAllocLazy(4);
    expect(lazyBack(a + PAGE)).toBe(LAZY_BACKED);
    const before = areaOf(a);
    for (let i = 0; i < 150; i++) areaFree(plain[i]);
    allocTrim();
    const after = areaOf(a);
    expect(after).not.toBe(before, "the record moved");
    expect(areaOf(a + PAGE)).toBe(after, "the backed page's tag followed");
    expect(areaOf(a + 3 * PAGE)).toBe(after, "so did the parked pages'");
    expect(changetype<MemArea>(after).kind).toBe(AREA_LAZY);
    expect(areaBackedPages(after)).toBe(1);
    expect(lazyBack(a + 2 * PAGE)).toBe(LAZY_BACKED);
    expect(areaBackedPages(after)).toBe(2);
    areaFree(a);
    expect(parkedPages()).toBe(0);
  });
});
