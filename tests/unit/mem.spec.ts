// kernel/mm/mem.ts on the host: the page descriptors built from a synthetic
// memory map with holes, overlaps and unaligned edges, then allocation,
// reference counts, exhaustion, and misuse.
import {
  memAddAvailable, memFinish, memFreePages, memReserve, memReservedPages, memSetup, memTotalPages, memUsedPages,
  pageAlloc, pageFlags, pageRefCount, pageRelease, pageRetain, PAGE_FREE, PAGE_RESERVED, PAGE_SIZE,
} from "../../kernel/mm/mem";
import { expectPanic } from "./host";

// 1 MiB of "physical memory": 256 pages.
const PAGES: u32 = 256;
const descriptors = heap.alloc(PAGES * 8);

// Available [0x1000, 0x9FC00): the last page is partial, so pages 1..0x9E (158).
// Reserved hole [0x9FC00, 0xC0000).
// Available [0xC0800, 0xF0000): the first page is partial, so pages 0xC1..0xEF (47).
// Reserved [0xE0000, 0xE2000) inside it: pages 0xE0 and 0xE1 are taken back.
// Available [0x5000, 0x8000) again: overlaps the first range, counts once.
// Available [0xF8000, 0x200000): runs past the 256 pages described.
const EXPECTED_FREE: u32 = 158 + 47 - 2 + 8;

function setUp(): void {
  memSetup(descriptors, PAGES);
  memAddAvailable(0x1000, 0x9FC00);
  memReserve(0x9FC00, 0xC0000);
  memAddAvailable(0xC0800, 0xF0000);
  memReserve(0xE0000, 0xE2000);
  memAddAvailable(0x5000, 0x8000);
  memAddAvailable(0xF8000, 0x200000);
  memFinish();
}

describe("descriptors from a memory map", () => {
  it("counts free and reserved pages", () => {
    setUp();
    expect(memTotalPages()).toBe(PAGES);
    expect(memFreePages()).toBe(EXPECTED_FREE);
    expect(memReservedPages()).toBe(PAGES - EXPECTED_FREE);
    expect(memUsedPages()).toBe(0);
  });
  it("leaves partial pages at unaligned edges reserved", () => {
    setUp();
    expect(pageFlags(0x9F000) & PAGE_RESERVED).toBe(PAGE_RESERVED);
    expect(pageFlags(0xC0000) & PAGE_RESERVED).toBe(PAGE_RESERVED);
    expect(pageFlags(0xC1000) & PAGE_FREE).toBe(PAGE_FREE);
  });
  it("lets a reserved range win over an available one", () => {
    setUp();
    expect(pageFlags(0xE0000) & PAGE_RESERVED).toBe(PAGE_RESERVED);
    expect(pageFlags(0xE1000) & PAGE_RESERVED).toBe(PAGE_RESERVED);
    expect(pageFlags(0xE2000) & PAGE_FREE).toBe(PAGE_FREE);
  });
  it("keeps page 0 and the holes out of the free list", () => {
    setUp();
    expect(pageFlags(0) & PAGE_RESERVED).toBe(PAGE_RESERVED);
    expect(pageFlags(0xF0000) & PAGE_RESERVED).toBe(PAGE_RESERVED);
  });
});

describe("pageAlloc and pageRelease", () => {
  it("hands out the lowest free page first, with one reference", () => {
    setUp();
    expect(pageAlloc()).toBe(0x1000);
    expect(pageAlloc()).toBe(0x2000);
    expect(pageRefCount(0x1000)).toBe(1);
    expect(memUsedPages()).toBe(2);
  });
  it("frees a page when its last reference goes", () => {
    setUp();
    const page = pageAlloc();
    pageRetain(page);
    expect(pageRefCount(page)).toBe(2);
    pageRelease(page);
    expect(memFreePages()).toBe(EXPECTED_FREE - 1);
    pageRelease(page);
    expect(memFreePages()).toBe(EXPECTED_FREE);
    expect(pageFlags(page) & PAGE_FREE).toBe(PAGE_FREE);
  });
  it("reuses the page freed last", () => {
    setUp();
    const a = pageAlloc();
    pageAlloc();
    pageRelease(a);
    expect(pageAlloc()).toBe(a);
  });
  it("returns 0 when exhausted and changes nothing", () => {
    setUp();
    for (let i: u32 = 0; i < EXPECTED_FREE; i++) expect(pageAlloc()).not.toBe(0);
    expect(memFreePages()).toBe(0);
    expect(pageAlloc()).toBe(0);
    expect(memFreePages()).toBe(0);
    expect(memUsedPages()).toBe(EXPECTED_FREE);
  });
  it("gives every page back after all are released", () => {
    setUp();
    for (let i: u32 = 0; i < EXPECTED_FREE; i++) pageAlloc();
    for (let p: u32 = 0; p < PAGES; p++) if ((pageFlags(p * PAGE_SIZE) & (PAGE_FREE | PAGE_RESERVED)) == 0) pageRelease(p * PAGE_SIZE);
    expect(memFreePages()).toBe(EXPECTED_FREE);
  });
});

describe("misuse stops the kernel and changes nothing", () => {
  it("refuses a double release", () => {
    setUp();
    const page = pageAlloc();
    pageRelease(page);
    expectPanic(() => { pageRelease(0x1000); });
    expect(memFreePages()).toBe(EXPECTED_FREE);
  });
  it("refuses to release a reserved page", () => {
    setUp();
    expectPanic(() => { pageRelease(0x9F000); });
    expect(memFreePages()).toBe(EXPECTED_FREE);
  });
  it("refuses an unaligned address", () => {
    setUp();
    pageAlloc();
    expectPanic(() => { pageRelease(0x1008); });
    expect(pageRefCount(0x1000)).toBe(1);
  });
  it("refuses an address beyond the described memory", () => {
    setUp();
    expectPanic(() => { pageRetain(0x200000); });
    expect(memFreePages()).toBe(EXPECTED_FREE);
  });
});
