// kernel/core/multiboot.ts on the host: the structure layout against the
// Multiboot 0.6.96 spec (section 3.3), and memory map walking over a map
// built in test memory.
import {
  MultibootInfo, MULTIBOOT_INFO_MEM_MAP, MMAP_AVAILABLE, MMAP_RESERVED,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType, mmapTypeName,
} from "../../kernel/core/multiboot";

describe("MultibootInfo layout", () => {
  it("puts each field at the spec's offset", () => {
    expect(offsetof<MultibootInfo>("flags")).toBe(0);
    expect(offsetof<MultibootInfo>("memLower")).toBe(4);
    expect(offsetof<MultibootInfo>("memUpper")).toBe(8);
    expect(offsetof<MultibootInfo>("cmdline")).toBe(16);
    expect(offsetof<MultibootInfo>("mmapLength")).toBe(44);
    expect(offsetof<MultibootInfo>("mmapAddr")).toBe(48);
    expect(offsetof<MultibootInfo>("bootLoaderName")).toBe(64);
  });
});

// Builds a two-entry map the way a loader lays it out: each entry is
// size (not counting itself), base u64 at +4, length u64 at +12, type at +20.
// The second entry has a larger `size` (extra bytes a loader may add).
const ENTRY_A: usize = 0;
const ENTRY_B: usize = 24;
const MAP_BYTES: u32 = 24 + 28;

function buildMap(): MultibootInfo {
  const map = heap.alloc(64);
  store<u32>(map + ENTRY_A, 20);
  store<u64>(map + ENTRY_A + 4, 0);
  store<u64>(map + ENTRY_A + 12, 0x9FC00);
  store<u32>(map + ENTRY_A + 20, MMAP_AVAILABLE);
  store<u32>(map + ENTRY_B, 24);
  store<u64>(map + ENTRY_B + 4, 0x100000000);
  store<u64>(map + ENTRY_B + 12, 0x20000000);
  store<u32>(map + ENTRY_B + 20, MMAP_RESERVED);
  const info = changetype<MultibootInfo>(heap.alloc(offsetof<MultibootInfo>()));
  info.flags = MULTIBOOT_INFO_MEM_MAP;
  info.mmapAddr = <u32>map;
  info.mmapLength = MAP_BYTES;
  return info;
}

describe("memory map walk", () => {
  it("reads unaligned 64-bit fields and follows each entry's size", () => {
    const info = buildMap();
    const first = mmapFirst(info);
    expect(first).toBe(<usize>info.mmapAddr);
    expect(mmapLength(first)).toBe(0x9FC00);
    expect(mmapType(first)).toBe(MMAP_AVAILABLE);
    const second = mmapNext(info, first);
    expect(second).toBe(<usize>info.mmapAddr + ENTRY_B);
    expect(mmapBase(second)).toBe(0x100000000);
    expect(mmapLength(second)).toBe(0x20000000);
    expect(mmapType(second)).toBe(MMAP_RESERVED);
    expect(mmapNext(info, second)).toBe(0);
  });
  it("gives no entry when the flag is clear", () => {
    const info = buildMap();
    info.flags = 0;
    expect(mmapFirst(info)).toBe(0);
  });
  it("names the region types", () => {
    expect(mmapTypeName(MMAP_AVAILABLE)).toBe("available");
    expect(mmapTypeName(MMAP_RESERVED)).toBe("reserved");
    expect(mmapTypeName(99)).toBe("unknown");
  });
});
