// kernel/arch/x86/paging.ts and mirror.ts on the host: entries, the address
// split, the mirror arithmetic, and a software page walk over directories
// built in test memory that proves the mirror identities for several
// choices of N.
import { mirrorDirectory, mirrorTable, MIRROR_INDEX, MIRROR_BASE } from "../../kernel/arch/x86/mirror";
import {
  entryFlags, entryFrame, makeEntry, PDE_GRANTS, PTE_ACCESSED, PTE_DIRTY, pdeIndex, pteIndex,
  PTE_ADDRESS, PTE_PRESENT, PTE_USER, PTE_WRITABLE,
} from "../../kernel/arch/x86/paging";

/** pageTranslate's answer for an unmapped address (kernel/mm/pages.ts). */
const PAGE_NOT_MAPPED: u64 = 1 << 32;

/**
 * The walk the MMU does (SDM vol. 3, 4.3), over a directory kept in test
 * memory, where physical address p is found at `physBase + p`: the physical
 * address for `vaddr`, or PAGE_NOT_MAPPED.
 */
function softwareWalk(physBase: usize, directory: u32, vaddr: u32): u64 {
  const pde = load<u32>(physBase + directory + pdeIndex(vaddr) * 4);
  if ((pde & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  const pte = load<u32>(physBase + entryFrame(pde) + pteIndex(vaddr) * 4);
  if ((pte & PTE_PRESENT) == 0) return PAGE_NOT_MAPPED;
  return <u64>(entryFrame(pte) | (vaddr & 0xFFF));
}

describe("entries", () => {
  it("encode a frame and flags, always present", () => {
    expect(makeEntry(0x00345000, PTE_WRITABLE)).toBe(0x00345003);
    expect(makeEntry(0x00345000, 0)).toBe(0x00345001);
    expect(makeEntry(0xFFFFF000, PTE_WRITABLE | PTE_USER)).toBe(0xFFFFF007);
  });
  it("keep the frame and the flags apart", () => {
    expect(makeEntry(0x00345123, 0)).toBe(0x00345001, "offset bits of the address never reach the flags");
    expect(makeEntry(0x00345000, 0x12345000 | PTE_USER)).toBe(0x00345005, "address bits of the flags never reach the frame");
  });
  it("decode what they encode", () => {
    const e = makeEntry(0x0ABCD000, PTE_WRITABLE | PTE_USER);
    expect(entryFrame(e)).toBe(0x0ABCD000);
    expect(entryFlags(e)).toBe(PTE_PRESENT | PTE_WRITABLE | PTE_USER);
    expect(entryFlags(e | PTE_ACCESSED | PTE_DIRTY) & (PTE_ACCESSED | PTE_DIRTY)).toBe(PTE_ACCESSED | PTE_DIRTY);
  });
  it("give a directory entry every right, for the table entries to restrict", () => {
    expect(entryFlags(makeEntry(0x1000, PDE_GRANTS))).toBe(PTE_PRESENT | PTE_WRITABLE | PTE_USER);
  });
});

describe("address split", () => {
  it("takes the top 10 bits for the directory and the next 10 for the table", () => {
    expect(pdeIndex(0xDEADBEEF)).toBe(0x37A);
    expect(pteIndex(0xDEADBEEF)).toBe(0x2DB);
  });
  it("puts the kernel's mirror at PDE 1023, tables from 0xFFC00000, the directory at 0xFFFFF000", () => {
    expect(MIRROR_INDEX).toBe(1023);
    expect(MIRROR_BASE).toBe(0xFFC00000);
    expect(mirrorTable(0)).toBe(0xFFC00000);
    expect(mirrorTable(1)).toBe(0xFFC01000);
    expect(mirrorDirectory()).toBe(0xFFFFF000);
  });
  it("computes N x 4 MiB + I x 4 KiB for another N", () => {
    expect(mirrorTable(5, 768)).toBe(768 * 0x400000 + 5 * 0x1000);
    expect(mirrorDirectory(768)).toBe(768 * 0x400000 + 768 * 0x1000);
  });
});

// "Physical" memory for the walker: page-aligned test memory, where a
// physical address p is the wasm address p (physBase 0).
const ARENA_PAGES: usize = 5;
const arena = (heap.alloc((ARENA_PAGES + 1) * 4096) + 4095) & ~<usize>4095;
const directory = <u32>arena;
const table = <u32>arena + 0x1000;
const frame = <u32>arena + 0x2000;
const USED_PDE: u32 = 5;
const USED_PTE: u32 = 7;
const vaddr: u32 = (USED_PDE << 22) | (USED_PTE << 12) | 0x123;

function buildDirectory(n: u32): void {
  memory.fill(arena, 0, ARENA_PAGES * 4096);
  store<u32>(directory + n * 4, directory | PTE_PRESENT | PTE_WRITABLE);
  store<u32>(directory + USED_PDE * 4, table | PTE_PRESENT | PTE_WRITABLE);
  store<u32>(table + USED_PTE * 4, frame | PTE_PRESENT | PTE_WRITABLE | PTE_USER);
}

function walk(address: u32): u64 {
  return softwareWalk(0, directory, address);
}

function proveMirror(n: u32): void {
  buildDirectory(n);
  // The address itself.
  expect(walk(vaddr)).toBe(<u64>(frame | 0x123));
  // N x 4 MiB + N x 4 KiB reaches the directory.
  expect(walk(mirrorDirectory(n))).toBe(<u64>directory);
  // N x 4 MiB + I x 4 KiB reaches table I.
  expect(walk(mirrorTable(USED_PDE, n))).toBe(<u64>table);
  // The PTE and the PDE for vaddr are where the mirror says.
  expect(walk(mirrorTable(pdeIndex(vaddr), n) + pteIndex(vaddr) * 4)).toBe(<u64>(table + USED_PTE * 4));
  expect(walk(mirrorDirectory(n) + pdeIndex(vaddr) * 4)).toBe(<u64>(directory + USED_PDE * 4));
  // A directory entry with no table shows nothing in the window.
  expect(walk(mirrorTable(USED_PDE + 1, n))).toBe(PAGE_NOT_MAPPED);
}

describe("the mirror, proved by a software walk", () => {
  it("works for N = 1023", () => { proveMirror(1023); });
  it("works for N = 768", () => { proveMirror(768); });
  it("works for N = 512", () => { proveMirror(512); });
  it("works for N = 1", () => { proveMirror(1); });
  it("shows nothing when the directory has no entry N", () => {
    buildDirectory(1023);
    store<u32>(directory + 1023 * 4, 0);
    expect(walk(mirrorDirectory(1023))).toBe(PAGE_NOT_MAPPED);
  });
  it("keeps the entry's flags out of the address", () => {
    buildDirectory(1023);
    expect(<u32>walk(mirrorTable(USED_PDE)) & ~PTE_ADDRESS).toBe(0);
  });
});
