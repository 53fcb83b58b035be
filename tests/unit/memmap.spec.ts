// kernel/mm/memmap.ts memmapInit on the host: where the frame-descriptor array is
// placed (after the multiboot structures; the host's kernel image is empty)
// and the refusals when that place, or what is left free, is not RAM enough.
import { MultibootInfo, MULTIBOOT_INFO_MEM_MAP, MMAP_AVAILABLE, MMAP_RESERVED } from "../../kernel/core/multiboot";
import { PAGE_SIZE } from "../../kernel/arch/x86/paging";
import { frameDescriptors, framesFree } from "../../kernel/mm/frames";
import { mapCovers, memmapInit, MEMMAP_BOOT_FRAMES, MEMMAP_DESCRIPTORS_OUTSIDE_RAM, MEMMAP_OK, MEMMAP_TOO_LITTLE } from "../../kernel/mm/memmap";

// One buffer holds the information structure, then the map, then room for
// the descriptor array memmapInit will place after them.
const BUFFER_BYTES: u32 = 64 * 1024;
const ENTRY_BYTES: u32 = 24;
const buffer = (heap.alloc(BUFFER_BYTES + PAGE_SIZE) + PAGE_SIZE - 1) & ~<usize>(PAGE_SIZE - 1);
const info = changetype<MultibootInfo>(buffer);
const map = buffer + offsetof<MultibootInfo>();
let entries: u32 = 0;

function mapStart(): void {
  memory.fill(buffer, 0, offsetof<MultibootInfo>());
  info.flags = MULTIBOOT_INFO_MEM_MAP;
  info.mmapAddr = <u32>map;
  entries = 0;
  info.mmapLength = 0;
}

function mapAdd(base: u64, length: u64, type: u32): void {
  const e = map + <usize>(entries * ENTRY_BYTES);
  store<u32>(e, ENTRY_BYTES - 4);
  store<u64>(e + 4, base);
  store<u64>(e + 12, length);
  store<u32>(e + 20, type);
  entries++;
  info.mmapLength = entries * ENTRY_BYTES;
}

/** Where memmapInit puts the array: the first page after the map (4 entries at most here). */
function arrayStart(): u64 {
  return <u64>((map + 4 * ENTRY_BYTES + PAGE_SIZE - 1) & ~<usize>(PAGE_SIZE - 1));
}

// "RAM" up to 1 MiB past the buffer: only the descriptors are written, and
// they (a few KiB) fit in the buffer; above them MEMMAP_BOOT_FRAMES pages are free.
const RAM_END: u64 = <u64>buffer + 0x100000;

describe("memmapInit: the page-descriptor array", () => {
  it("is placed after the multiboot structures when RAM covers it", () => {
    mapStart();
    mapAdd(0, RAM_END, MMAP_AVAILABLE);
    expect(memmapInit(info)).toBe(MEMMAP_OK);
    expect(<u64>frameDescriptors()).toBe(arrayStart());
    expect(framesFree()).toBeGreaterThanOrEqual(MEMMAP_BOOT_FRAMES);
  });
  it("is refused, unwritten, when RAM ends before it", () => {
    mapStart();
    mapAdd(0, arrayStart(), MMAP_AVAILABLE);
    const at = <usize>arrayStart();
    store<u64>(at, 0x5AFE5AFE5AFE5AFE);
    expect(memmapInit(info)).toBe(MEMMAP_DESCRIPTORS_OUTSIDE_RAM);
    expect(load<u64>(at)).toBe(0x5AFE5AFE5AFE5AFE, "nothing written where RAM is missing");
  });
  it("is refused when a reserved range of the map lies under it", () => {
    mapStart();
    mapAdd(0, RAM_END, MMAP_AVAILABLE);
    mapAdd(arrayStart(), PAGE_SIZE, MMAP_RESERVED);
    expect(memmapInit(info)).toBe(MEMMAP_DESCRIPTORS_OUTSIDE_RAM);
  });
  it("is refused when it would cross a hole between available ranges", () => {
    mapStart();
    mapAdd(0, arrayStart(), MMAP_AVAILABLE);
    mapAdd(arrayStart() + PAGE_SIZE, RAM_END - arrayStart() - PAGE_SIZE, MMAP_AVAILABLE);
    expect(memmapInit(info)).toBe(MEMMAP_DESCRIPTORS_OUTSIDE_RAM);
  });
  it("may span two adjacent available ranges, in any order in the map", () => {
    mapStart();
    mapAdd(arrayStart() + 8, RAM_END - arrayStart() - 8, MMAP_AVAILABLE);
    mapAdd(0, arrayStart() + 8, MMAP_AVAILABLE);
    expect(memmapInit(info)).toBe(MEMMAP_OK);
  });
});

describe("memmapInit: too little RAM", () => {
  it("says so when fewer than MEMMAP_BOOT_FRAMES pages are left free", () => {
    mapStart();
    // Just past the array: only a handful of pages above it are free.
    mapAdd(0, arrayStart() + 4 * PAGE_SIZE, MMAP_AVAILABLE);
    expect(memmapInit(info)).toBe(MEMMAP_TOO_LITTLE);
  });
});

describe("mapCovers", () => {
  it("counts a page as covered only when all of it is available", () => {
    mapStart();
    mapAdd(0x1000, 0x1800, MMAP_AVAILABLE);
    expect(mapCovers(info, 0x1000, 0x2000)).toBe(true);
    expect(mapCovers(info, 0x1000, 0x2001)).toBe(false);
    expect(mapCovers(info, 0x0FFF, 0x1800)).toBe(false);
  });
});
