// kernel/mm/frames.ts on the host: the frame descriptors built from a synthetic
// memory map with holes, overlaps and unaligned edges, then allocation,
// reference counts, exhaustion, and misuse.
import {
  framesAddAvailable, framesFinish, framesFree, framesReserve, framesReserved, framesSetup, framesTotal, framesInUse,
  frameAlloc, frameFlags, frameRefCount, frameRelease, frameRetain, FRAME_FREE, FRAME_RESERVED,
} from "../../kernel/mm/frames";
import { PAGE_SIZE } from "../../kernel/arch/x86/paging";
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
  framesSetup(descriptors, PAGES);
  framesAddAvailable(0x1000, 0x9FC00);
  framesReserve(0x9FC00, 0xC0000);
  framesAddAvailable(0xC0800, 0xF0000);
  framesReserve(0xE0000, 0xE2000);
  framesAddAvailable(0x5000, 0x8000);
  framesAddAvailable(0xF8000, 0x200000);
  framesFinish();
}

describe("descriptors from a memory map", () => {
  it("counts free and reserved frames", () => {
    setUp();
    expect(framesTotal()).toBe(PAGES);
    expect(framesFree()).toBe(EXPECTED_FREE);
    expect(framesReserved()).toBe(PAGES - EXPECTED_FREE);
    expect(framesInUse()).toBe(0);
  });
  it("leaves partial frames at unaligned edges reserved", () => {
    setUp();
    expect(frameFlags(0x9F000) & FRAME_RESERVED).toBe(FRAME_RESERVED);
    expect(frameFlags(0xC0000) & FRAME_RESERVED).toBe(FRAME_RESERVED);
    expect(frameFlags(0xC1000) & FRAME_FREE).toBe(FRAME_FREE);
  });
  it("lets a reserved range win over an available one", () => {
    setUp();
    expect(frameFlags(0xE0000) & FRAME_RESERVED).toBe(FRAME_RESERVED);
    expect(frameFlags(0xE1000) & FRAME_RESERVED).toBe(FRAME_RESERVED);
    expect(frameFlags(0xE2000) & FRAME_FREE).toBe(FRAME_FREE);
  });
  it("keeps page 0 and the holes out of the free list", () => {
    setUp();
    expect(frameFlags(0) & FRAME_RESERVED).toBe(FRAME_RESERVED);
    expect(frameFlags(0xF0000) & FRAME_RESERVED).toBe(FRAME_RESERVED);
  });
});

describe("frameAlloc and frameRelease", () => {
  it("hands out the lowest free page first, with one reference", () => {
    setUp();
    expect(frameAlloc()).toBe(0x1000);
    expect(frameAlloc()).toBe(0x2000);
    expect(frameRefCount(0x1000)).toBe(1);
    expect(framesInUse()).toBe(2);
  });
  it("frees a page when its last reference goes", () => {
    setUp();
    const page = frameAlloc();
    frameRetain(page);
    expect(frameRefCount(page)).toBe(2);
    frameRelease(page);
    expect(framesFree()).toBe(EXPECTED_FREE - 1);
    frameRelease(page);
    expect(framesFree()).toBe(EXPECTED_FREE);
    expect(frameFlags(page) & FRAME_FREE).toBe(FRAME_FREE);
  });
  it("reuses the page freed last", () => {
    setUp();
    const a = frameAlloc();
    frameAlloc();
    frameRelease(a);
    expect(frameAlloc()).toBe(a);
  });
  it("returns 0 when exhausted and changes nothing", () => {
    setUp();
    for (let i: u32 = 0; i < EXPECTED_FREE; i++) expect(frameAlloc()).not.toBe(0);
    expect(framesFree()).toBe(0);
    expect(frameAlloc()).toBe(0);
    expect(framesFree()).toBe(0);
    expect(framesInUse()).toBe(EXPECTED_FREE);
  });
  it("gives every page back after all are released", () => {
    setUp();
    for (let i: u32 = 0; i < EXPECTED_FREE; i++) frameAlloc();
    for (let p: u32 = 0; p < PAGES; p++) if ((frameFlags(p * PAGE_SIZE) & (FRAME_FREE | FRAME_RESERVED)) == 0) frameRelease(p * PAGE_SIZE);
    expect(framesFree()).toBe(EXPECTED_FREE);
  });
});

describe("misuse stops the kernel and changes nothing", () => {
  it("refuses a double release", () => {
    setUp();
    const page = frameAlloc();
    frameRelease(page);
    expectPanic(() => { frameRelease(0x1000); });
    expect(framesFree()).toBe(EXPECTED_FREE);
  });
  it("refuses to release a reserved frame", () => {
    setUp();
    expectPanic(() => { frameRelease(0x9F000); });
    expect(framesFree()).toBe(EXPECTED_FREE);
  });
  it("refuses an unaligned address", () => {
    setUp();
    frameAlloc();
    expectPanic(() => { frameRelease(0x1008); });
    expect(frameRefCount(0x1000)).toBe(1);
  });
  it("refuses an address beyond the described memory", () => {
    setUp();
    expectPanic(() => { frameRetain(0x200000); });
    expect(framesFree()).toBe(EXPECTED_FREE);
  });
});
