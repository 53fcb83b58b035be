// web/memory.mjs: the kernel's memory as the panels show it, read from the
// emulated machine's physical memory.
//
// Nothing here goes through the kernel: the page walk is done from CR3 the
// way the CPU does it (Intel SDM vol. 3, 4.3 "32-bit paging": CR3 holds the
// directory's frame; PDE = directory[va >> 22], PTE = table[(va >> 12) & 1023],
// each entry's bits 31:12 a frame), and kernel globals are read at the
// addresses the build wrote into kernel-symbols.json (tools/build/web-symbols.mjs).
// The kernel image is identity mapped, so those addresses are physical too;
// the area records and slabs live at virtual addresses in the area range and
// are read through the walk.
//
// The record layouts mirror kernel/mm/area.ts (MemArea) and kernel/mm/slab.ts
// (SlabDesc), as tools/gdb/kernel.py does; tests/web/v86.test.js compares what
// this module reads with what the kernel prints for `dump=alloc`, so a drift
// shows. The kernel keeps running while the page reads, so every list walk is
// bounded and a torn read shows as odd numbers for one refresh, never a hang.

export const PAGE = 4096;
export const ENTRIES = 1024;
export const MIRROR_INDEX = 1023;                 // paging.ts MIRROR_INDEX
export const MIRROR_BASE = MIRROR_INDEX << 22;    // page tables appear here

// Page directory and table entry bits (SDM vol. 3, 4.3, tables 4-4 to 4-6).
export const PTE_PRESENT = 0x1;
export const PTE_WRITABLE = 0x2;
export const PTE_USER = 0x4;
export const PTE_WRITE_THROUGH = 0x8;
export const PTE_CACHE_DISABLE = 0x10;
export const PTE_ACCESSED = 0x20;
export const PTE_DIRTY = 0x40;
export const PDE_LARGE = 0x80;                    // PS in a PDE (4 MiB page, with CR4.PSE)
export const PTE_GLOBAL = 0x100;
const FRAME_MASK = 0xfffff000;

const FLAG_NAMES = [
  [PTE_PRESENT, "present"], [PTE_WRITABLE, "writable"], [PTE_USER, "user"], [PTE_WRITE_THROUGH, "write-through"],
  [PTE_CACHE_DISABLE, "cache-disable"], [PTE_ACCESSED, "accessed"], [PTE_DIRTY, "dirty"], [PTE_GLOBAL, "global"],
];

// kernel/mm/area.ts MemArea (32 bytes): start, pages, next, prev, slab, lower, upper, and a
// last word of bin (u16: 0 for a used area, its free bin + 1 for a free one), kind and flags (u8 each).
const AREA_WORDS = 8;
const AREA_KINDS = ["plain", "slab", "lazy"];   // area.ts AREA_PLAIN, AREA_SLAB, AREA_LAZY
// kernel/mm/alloc.ts: CLASS_COUNT size classes (SLAB_CLASSES), then the record cache (RECORD_CACHE), SlabDesc of DESC_BYTES:
// size, shift, slabPages, capacity, partial, full, slabs, ... The counts of blocks in use and
// free are not stored; they are counted over the partial list, as SlabDesc's getters do.
// A slab's header (SlabEntry) starts: freeEl, inUse, next.
export const CLASS_COUNT = 10;
const DESC_BYTES = 64;
const DESC_WORDS = 7;
const SLAB_WORDS = 3;
/** At most this many records per list are walked in one refresh. */
const LIST_LIMIT = 20000;

export const hex = (value, digits = 8) => "0x" + (value >>> 0).toString(16).padStart(digits, "0");

/** The names of the flags set in an entry, low bits first. */
export function entryFlags(entry) {
  return FLAG_NAMES.filter(([bit]) => entry & bit).map(([, name]) => name);
}
export const entryFrame = (entry) => (entry & FRAME_MASK) >>> 0;

export class KernelMemory {
  /**
   * `read(address, length)` returns physical memory as a Uint8Array;
   * `symbols` is kernel-symbols.json; `cpu` gives the control registers
   * as the CPU holds them now: { cr0(), cr3() }.
   */
  constructor(read, symbols, cpu) {
    this.read = read;
    this.symbols = symbols;
    this.cpu = cpu;
    this.tables = new Map();
  }

  /**
   * Drops the directory and tables read so far. The walk reads each table
   * once and keeps it, so one refresh of the panels sees one consistent set
   * of tables however many addresses it translates; call this before the next.
   */
  forget() { this.tables.clear(); }

  words(physical, count) {
    const bytes = this.read(physical, count * 4);
    return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4));
  }
  u32(physical) { return this.words(physical, 1)[0]; }

  /** An AssemblyScript global (a field of kernel_instance), by path: "kernel/mm/area/usedHead". */
  global(name) {
    const address = this.symbols.globals[name];
    if (address === undefined) throw new Error(`kernel-symbols.json has no global ${name}`);
    return this.u32(address);
  }

  /** CR0.PG: paging is on (SDM vol. 3, 2.5). */
  pagingOn() { return (this.cpu.cr0() & 0x80000000) !== 0; }
  /** The page directory's frame: CR3 bits 31:12, or 0 while paging is off. */
  directoryFrame() { return this.pagingOn() ? entryFrame(this.cpu.cr3()) : 0; }

  /** 1024 entries of the directory or table at `frame` (kept until forget()). */
  table(frame) {
    let entries = this.tables.get(frame);
    if (!entries) this.tables.set(frame, (entries = this.words(frame, ENTRIES)));
    return entries;
  }

  /** The walk for `va`: { pde, pte, physical } (physical null where the walk stops). */
  walk(va) {
    const directory = this.directoryFrame();
    if (!directory) return { pde: 0, pte: 0, physical: va >>> 0 };
    const pde = this.table(directory)[va >>> 22];
    if (!(pde & PTE_PRESENT)) return { pde, pte: 0, physical: null };
    if (pde & PDE_LARGE) return { pde, pte: 0, physical: ((pde & 0xffc00000) | (va & 0x3fffff)) >>> 0 };
    const pte = this.table(entryFrame(pde))[(va >>> 12) & 1023];
    if (!(pte & PTE_PRESENT)) return { pde, pte, physical: null };
    return { pde, pte, physical: (entryFrame(pte) | (va & 0xfff)) >>> 0 };
  }

  /** `count` words at virtual `va` (one page at most), or null when unmapped. */
  virtualWords(va, count) {
    const { physical } = this.walk(va);
    if (physical === null || (physical & 0xfff) + count * 4 > PAGE) return null;
    return this.words(physical, count);
  }

  /**
   * The area allocator's range and counters, the used list in its order, and
   * the free areas in address order (kernel/mm/area.ts: the areas tile the
   * range, linked by address through `upper` from `lowest`), as areaDump
   * prints them.
   */
  areas() {
    const g = (name) => this.global("kernel/mm/area/" + name);
    const result = {
      base: g("areaBase"), top: g("areaTop"),
      usedAreas: g("usedAreas"), usedPages: g("usedPages"), freeAreas: g("freeAreas"), freePages: g("freePages"),
      used: [], free: [],
    };
    const walk = (head, link, keep) => {
      for (let record = head, seen = 0; record && seen < LIST_LIMIT; seen++) {
        const w = this.virtualWords(record, AREA_WORDS);
        if (!w) break;
        const [start, pages, next, , slab, , upper, binKind] = w;
        const bin = binKind & 0xffff;
        const kind = AREA_KINDS[(binKind >>> 16) & 0xff] ?? "plain";
        if (keep(bin)) (bin ? result.free : result.used).push({ record, start, pages, slab, areaKind: kind });
        record = link === "next" ? next : upper;
      }
    };
    walk(g("usedHead"), "next", () => true);
    walk(g("lowest"), "upper", (bin) => bin !== 0);
    return result;
  }

  /** One row per size class, then the record cache (kernel/mm/slab.ts SlabDesc); [] before the allocator is up. */
  slabs() {
    const table = this.global("kernel/mm/alloc/SLAB_CLASSES");
    const records = this.global("kernel/mm/area/RECORD_CACHE");
    const rows = [];
    for (let i = 0; i <= CLASS_COUNT; i++) {
      const w = this.virtualWords(i === CLASS_COUNT ? records : table + i * DESC_BYTES, DESC_WORDS);
      if (!w) return [];
      const [size, , slabPages, capacity, partial, , slabs] = w;
      if (size === 0) return []; // the allocator is not set up yet
      // The full list has no free block: free blocks and empty slabs are all on the partial list.
      let free = 0;
      let emptySlabs = 0;
      for (let slab = partial, seen = 0; slab && seen < LIST_LIMIT; seen++) {
        const e = this.virtualWords(slab, SLAB_WORDS);
        if (!e) break;
        free += capacity - e[1];
        if (e[1] === 0) emptySlabs++;
        slab = e[2];
      }
      const inUse = slabs * capacity - free;
      rows.push({ name: i === CLASS_COUNT ? "records" : String(i), size, slabPages, capacity, slabs, emptySlabs, inUse, free, pages: slabs * slabPages });
    }
    return rows;
  }
}
