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
// The record layouts (MemArea, SlabDesc, SlabEntry) and the kernel's own
// constants (PTE_PARKED, AREA_LAZY, HAND_MAP_BASE, ...) come from the build,
// under "layout" in kernel-symbols.json (tools/build/layout.mjs takes them
// from the compiled classes); only the x86 entry format is written here,
// from the SDM. The kernel keeps running
// while the page reads, so every list walk is bounded and a torn read shows
// as odd numbers for one refresh, never a hang.

export const PAGE = 4096;
export const ENTRIES = 1024;

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

/** At most this many records per list are walked in one refresh. */
const LIST_LIMIT = 20000;
/** At most this many pages of one area are looked up (a torn read can give any count). */
const AREA_PAGES_LIMIT = 1 << 20;

/**
 * The regions of the kernel's virtual address space (kernel/mm/regions.ts),
 * low to high; KernelMemory.regions() gives their bounds.
 */
export const REGIONS = {
  identity: "identity map",
  areas: "areas",
  user: "user space",
  hand: "mapped by hand",
  directories: "the page directories",
  second: "kept for a second mirror",
  mirror: "the mirror",
};

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
    /** The kernel's constants by name (MIRROR_INDEX, CLASS_COUNT, ...). */
    this.constants = symbols.layout.constants;
    this.records = symbols.layout.records;
    const c = this.constants;
    this.areaKinds = { [c.AREA_PLAIN]: "plain", [c.AREA_SLAB]: "slab", [c.AREA_LAZY]: "lazy" };
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

  /**
   * The regions' bounds, low to high: [{ name, start, end }] with `end`
   * exclusive (2^32 for the mirror). The identity map ends where the kernel
   * set it (pagingInit, from the RAM it found); the areas end at
   * USER_BASE, user space at HAND_MAP_BASE, the window mapped by hand at the
   * directories' window (DIRECTORY_VIEWS, one entry), then the entry kept
   * for a second mirror and the mirror, PDE MIRROR_INDEX.
   */
  regions() {
    const { USER_BASE, HAND_MAP_BASE, DIRECTORY_VIEWS, MIRROR_INDEX } = this.constants;
    const bounds = [0, this.global("kernel/mm/regions/identityEnd"), USER_BASE, HAND_MAP_BASE, DIRECTORY_VIEWS,
      DIRECTORY_VIEWS + ENTRIES * PAGE, MIRROR_INDEX * ENTRIES * PAGE, 2 ** 32];
    return Object.keys(REGIONS).map((name, k) => ({ name, start: bounds[k], end: bounds[k + 1] }));
  }

  /**
   * Whether `entry` is parked (kernel/arch/x86/paging.ts entryParked): not
   * present, PTE_PARKED set. The CPU ignores every other bit of a
   * not-present entry (SDM vol. 3, 4.3); the kernel keeps a lazy area's
   * record there (kernel/mm/pages.ts pagePark), so the page is reserved for
   * that area and its first touch backs it.
   */
  parked(entry) {
    const { PTE_PARKED } = this.constants;
    return (entry & (PTE_PRESENT | PTE_PARKED)) === PTE_PARKED;
  }
  /** The word a parked entry keeps: the address of its lazy area's record. */
  parkedWord(entry) { return (entry & this.constants.PTE_PARKED_WORD) >>> 0; }

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

  /**
   * The record `name` (MemArea, SlabDesc, ...) at virtual `va`, its fields
   * by name, or null when it is not mapped.
   */
  record(name, va) {
    const { bytes, fields } = this.records[name];
    const b = this.virtualBytes(va, bytes);
    if (!b) return null;
    const view = new DataView(b.buffer);
    const record = {};
    for (const [field, { offset, bytes: size }] of Object.entries(fields)) {
      record[field] = size === 1 ? view.getUint8(offset) : size === 2 ? view.getUint16(offset, true) : view.getUint32(offset, true);
    }
    return record;
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

  /** `length` bytes at virtual `va`, page by page through the walk, or null where one is unmapped. */
  virtualBytes(va, length) {
    const bytes = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const { physical } = this.walk((va + done) >>> 0);
      if (physical === null) return null;
      const piece = Math.min(length - done, PAGE - (physical & 0xfff));
      bytes.set(this.read(physical, piece), done);
      done += piece;
    }
    return bytes;
  }

  /**
   * For each page of the `pages` pages from `start`: 1 where the walk finds
   * it present (backed by a frame), 0 where not (parked or unmapped).
   */
  backedPages(start, pages) {
    const backed = new Uint8Array(pages);
    const directory = this.directoryFrame();
    if (!directory) return backed;
    const pdes = this.table(directory);
    for (let k = 0; k < pages;) {
      const va = (start + k * PAGE) >>> 0;
      const pde = pdes[va >>> 22];
      const inTable = Math.min(pages - k, ENTRIES - ((va >>> 12) & 1023));
      if (pde & PTE_PRESENT) {
        const ptes = pde & PDE_LARGE ? null : this.table(entryFrame(pde));
        for (let n = 0; n < inTable; n++) backed[k + n] = ptes ? ptes[((va >>> 12) & 1023) + n] & PTE_PRESENT : 1;
      }
      k += inTable;
    }
    return backed;
  }

  /**
   * The area allocator's range and counters, the used list in its order, and
   * the free areas in address order (kernel/mm/area.ts: the areas tile the
   * range, linked by address through `upper` from `lowest`), as areaDump
   * prints them. A used area has its kind (plain, slab or lazy), and which
   * of its pages are backed: all of a plain or slab area's, those of a lazy
   * area that were touched (areaBackedPages counts them the same way, from
   * the page tables).
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
        const a = this.record("MemArea", record);
        if (!a) break;
        const kind = this.areaKinds[a.kind] ?? "plain";
        if (keep(a.bin)) {
          const area = { record, start: a.start, pages: a.pages, slab: a.slab, areaKind: kind, readOnly: (a.flags & this.constants.AREA_READ_ONLY) !== 0 };
          if (a.bin) result.free.push(area);
          else {
            area.backed = this.backedPages(a.start, Math.min(a.pages, AREA_PAGES_LIMIT));
            area.backedCount = area.backed.reduce((n, b) => n + b, 0);
            result.used.push(area);
          }
        }
        record = link === "next" ? a.next : a.upper;
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
    const classes = this.constants.CLASS_COUNT;
    const stride = this.records.SlabDesc.bytes;
    for (let i = 0; i <= classes; i++) {
      const d = this.record("SlabDesc", i === classes ? records : table + i * stride);
      if (!d) return [];
      const { size, slabPages, capacity, partial, slabs } = d;
      if (size === 0) return []; // the allocator is not set up yet
      // The full list has no free block: free blocks and empty slabs are all on the partial list.
      let free = 0;
      let emptySlabs = 0;
      for (let slab = partial, seen = 0; slab && seen < LIST_LIMIT; seen++) {
        const e = this.record("SlabEntry", slab);
        if (!e) break;
        free += capacity - e.inUse;
        if (e.inUse === 0) emptySlabs++;
        slab = e.next;
      }
      const inUse = slabs * capacity - free;
      rows.push({ name: i === classes ? "records" : String(i), size, slabPages, capacity, slabs, emptySlabs, inUse, free, pages: slabs * slabPages });
    }
    return rows;
  }
}
