// kernel/ktest/paging.ts: `test=paging`, the page tables as the MMU sees them.
// Probes (arch/x86/probe.ts) let a case expect a page fault and carry on.

import { check, checkEqual, refused, suite } from "./harness";
import { readCr0, readCr3 } from "../arch/x86/cpu";
import { PF_PRESENT, PF_WRITE, VECTOR_PAGE_FAULT } from "../arch/x86/exceptions";
import { stackGuard } from "../arch/x86/layout";
import { MIRROR_INDEX, mirrorDirectory, mirrorTable, pdeAddress } from "../arch/x86/mirror";
import { CR0_PG, CR0_WP, ENTRIES_PER_TABLE, pdeIndex, PAGE_SIZE, PDE_SHIFT, PTE_ADDRESS, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { probeFaultCount, probeLastAddress, probeLastErrorCode, probeLastVector, probeLoad, probeStore, probeValue } from "../arch/x86/probe";
import { framesFree, framesInUse, frameAlloc, frameRefCount, frameRelease, frameRetain, FRAME_MAX_REFERENCES } from "../mm/frames";
import { HAND_MAP_BASE } from "../mm/regions";
import { pageEntry, pageMap, pageTableEntries, pageTranslate, pageUnmap, PAGE_NOT_MAPPED } from "../mm/pages";

// Test addresses in the window for mappings by hand (HAND_MAP_BASE), under
// three directory entries in a row that have no table when the suite starts
// (chosen then: the monitor's `map` may have used the first ones):
// TEST_A and TEST_B under the first, TEST_C and TEST_D under the second; the
// cycles use all three.
let TEST_A: u32 = 0;
let TEST_B: u32 = 0;
let TEST_C: u32 = 0;
let TEST_D: u32 = 0;
@inline const TEST_TABLES: u32 = 3;
@inline const GARBAGE: u32 = 0xA5A5A5A5;
@inline const MAP_CYCLES: i32 = 1000;

function pagingSuite(): void {
  const base = emptyTables(TEST_TABLES);
  check("three empty directory entries in a row in the window for mappings by hand", base != 0, "every run of three has a table");
  if (base == 0) return;
  TEST_A = base;
  TEST_B = base + PAGE_SIZE;
  TEST_C = base + (1 << PDE_SHIFT);
  TEST_D = TEST_C + PAGE_SIZE;
  controlRegisters();
  mirror();
  aliasing();
  unmappedFaults();
  readOnly();
  tablesComeAndGo();
  staleTranslation();
  cycles();
  refusedMapChangesNothing();
}

// The first of `n` directory entries in a row without a table, from
// HAND_MAP_BASE up to the mirror, as an address; 0 when there is none.
function emptyTables(n: u32): u32 {
  let run: u32 = 0;
  for (let i = pdeIndex(HAND_MAP_BASE); i < MIRROR_INDEX; i++) {
    run = (load<u32>(mirrorDirectory() + i * 4) & PTE_PRESENT) == 0 ? run + 1 : 0;
    if (run == n) return (i + 1 - n) << PDE_SHIFT;
  }
  return 0;
}

function controlRegisters(): void {
  check("CR0.PG and CR0.WP are set", (readCr0() & (CR0_PG | CR0_WP)) == (CR0_PG | CR0_WP));
  checkEqual("PDE 1023 points back at the directory in CR3", load<u32>(mirrorDirectory() + MIRROR_INDEX * 4) & PTE_ADDRESS, readCr3());
  checkEqual("the directory's mirror address is 0xFFFFF000", mirrorDirectory(), 0xFFFFF000);
  checkEqual("an identity-mapped address translates to itself", pageTranslate(0x00100123), 0x00100123);
  checkEqual("page 0 is not mapped (null pointers fault)", pageTranslate(0), PAGE_NOT_MAPPED);
  checkEqual("the stack guard page is not mapped", pageTranslate(<u32>stackGuard()), PAGE_NOT_MAPPED);
}

function mirror(): void {
  checkEqual("the mirror's view of the directory is the page in CR3", pageTranslate(mirrorDirectory()), readCr3());
  // Map the directory's own page elsewhere, from CR3: the bytes match the mirror's.
  const directory = readCr3();
  const ok = pageMap(TEST_C, directory, 0);
  check("the directory page can be mapped read-only elsewhere", ok && !probeStore(TEST_C, 0));
  let same = true;
  for (let i: u32 = 0; i < PAGE_SIZE; i += 4) if (load<u32>(TEST_C + i) != load<u32>(mirrorDirectory() + i)) same = false;
  check("the directory read through the mirror equals the page in CR3", same);
  // Every present PDE's table, read through the mirror, is the page the
  // directory names: each one mapped at TEST_D (the table under TEST_C,
  // whose PDE is present already) from the copy at TEST_C, not the mirror.
  let tables: u32 = 0;
  let agree: u32 = 0;
  for (let i: u32 = 0; i < ENTRIES_PER_TABLE; i++) {
    const pde = load<u32>(TEST_C + i * 4);
    if ((pde & PTE_PRESENT) == 0) continue;
    tables++;
    pageMap(TEST_D, pde & PTE_ADDRESS, 0);
    if (memory.compare(TEST_D, mirrorTable(i), PAGE_SIZE) == 0) agree++;
    pageUnmap(TEST_D);
  }
  check("the directory has present PDEs: the identity map, the mirror, TEST_C", tables >= 3);
  checkEqual("each present PDE's table, mapped from the directory in CR3, reads as the mirror shows it", agree, tables);
  pageUnmap(TEST_C);
}

function aliasing(): void {
  const free = framesFree();
  const page = frameAlloc();
  check("a physical page is allocated", page != 0);
  pageMap(TEST_A, page, PTE_WRITABLE);
  pageMap(TEST_B, page, PTE_WRITABLE);
  checkEqual("two mappings and the allocation hold three references", frameRefCount(page), 3);
  store<u32>(TEST_A + 0x10, 0xC0FFEE);
  checkEqual("a write through one mapping is read through the other", load<u32>(TEST_B + 0x10), 0xC0FFEE);
  checkEqual("both addresses translate to the same page", pageTranslate(TEST_B + 0x10), <u64>page + 0x10);
  frameRelease(page);
  pageUnmap(TEST_A);
  pageUnmap(TEST_B);
  checkEqual("the page is free again once both mappings are gone", framesFree(), free);
}

function unmappedFaults(): void {
  const page = frameAlloc();
  pageMap(TEST_A, page, PTE_WRITABLE);
  frameRelease(page);
  store<u32>(TEST_A, 7);
  check("a mapped page reads back through a probe", probeLoad(TEST_A) && probeValue() == 7);
  pageUnmap(TEST_A);
  const faults = probeFaultCount();
  check("reading an unmapped page faults", !probeLoad(TEST_A));
  checkEqual("...with one page fault", probeFaultCount(), faults + 1);
  checkEqual("...vector 14", probeLastVector(), VECTOR_PAGE_FAULT);
  checkEqual("...CR2 is the unmapped address", probeLastAddress(), TEST_A);
  checkEqual("...error code: not present, read, supervisor", probeLastErrorCode(), 0);
  check("writing an unmapped page faults", !probeStore(TEST_A + 8, 1));
  checkEqual("...error code: not present, write", probeLastErrorCode(), PF_WRITE);
  checkEqual("...CR2 is the written address", probeLastAddress(), TEST_A + 8);
}

function readOnly(): void {
  const page = frameAlloc();
  pageMap(TEST_A, page, 0);
  frameRelease(page);
  check("a read-only page can be read", probeLoad(TEST_A));
  check("with CR0.WP even the kernel cannot write a read-only page", !probeStore(TEST_A, 1));
  checkEqual("...error code: protection violation, write", probeLastErrorCode(), PF_PRESENT | PF_WRITE);
  pageUnmap(TEST_A);
}

function tablesComeAndGo(): void {
  const table = pdeIndex(TEST_A);
  const free = framesFree();
  checkEqual("no page table under the test address at first", load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT, 0);
  const a = frameAlloc();
  const b = frameAlloc();
  // The next free page, filled with garbage, is the one the new table gets
  // (the free list hands out the page released last).
  const dirty = garbagePage();
  pageMap(TEST_A, a, PTE_WRITABLE);
  check("mapping into an empty PDE creates its table", (load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT) != 0);
  checkEqual("...on the page that held garbage", load<u32>(pdeAddress(TEST_A)) & PTE_ADDRESS, dirty);
  checkEqual("...whose count is 1", pageTableEntries(table), 1);
  checkEqual("...and the new table costs one page", framesFree(), free - 3);
  let zeroed = true;
  for (let j: u32 = 1; j < ENTRIES_PER_TABLE; j++) if (load<u32>(mirrorTable(table) + j * 4) != 0) zeroed = false;
  check("...the rest of the new table is zeroed", zeroed);
  pageMap(TEST_B, b, PTE_WRITABLE);
  checkEqual("a second mapping in the same table counts 2", pageTableEntries(table), 2);
  frameRelease(a);
  frameRelease(b);
  pageUnmap(TEST_A);
  checkEqual("unmapping one leaves the table with 1", pageTableEntries(table), 1);
  check("...and the table in place", (load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT) != 0);
  pageUnmap(TEST_B);
  checkEqual("unmapping the last entry frees the table", load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT, 0);
  checkEqual("...its count is 0", pageTableEntries(table), 0);
  checkEqual("...and every page is back", framesFree(), free);
}

// Fills a free page with GARBAGE and frees it again: it is the next frameAlloc.
function garbagePage(): u32 {
  const page = frameAlloc();
  pageMap(TEST_C, page, PTE_WRITABLE);
  memory.fill(TEST_C, <u8>GARBAGE, PAGE_SIZE);
  frameRelease(page);
  pageUnmap(TEST_C);   // frees the table under TEST_C first, then the page
  return page;
}

// A translation the TLB still holds after an unmap would show the old page:
// pageUnmap must invalidate it (INVLPG, SDM vol. 3, 4.10.4.1).
function staleTranslation(): void {
  const a = frameAlloc();
  const b = frameAlloc();
  pageMap(TEST_B, b, PTE_WRITABLE);   // write B's mark through another address
  store<u32>(TEST_B, 0xB);
  pageUnmap(TEST_B);
  pageMap(TEST_A, a, PTE_WRITABLE);
  store<u32>(TEST_A, 0xA);
  checkEqual("a page mapped to frame A reads A's mark", load<u32>(TEST_A), 0xA);
  pageUnmap(TEST_A);
  pageMap(TEST_A, b, PTE_WRITABLE);
  checkEqual("unmapped, then mapped to frame B, the same address reads B's mark (no stale TLB entry)", load<u32>(TEST_A), 0xB);
  pageUnmap(TEST_A);
  frameRelease(a);
  frameRelease(b);
}

function cycles(): void {
  const free = framesFree();
  let intact = true;
  for (let i = 0; i < MAP_CYCLES; i++) {
    const page = frameAlloc();
    const vaddr = TEST_A + <u32>(i % 3) * 0x400000;   // three tables, each created and freed
    pageMap(vaddr, page, PTE_WRITABLE);
    frameRelease(page);
    store<u32>(vaddr, <u32>i);
    if (load<u32>(vaddr) != <u32>i) intact = false;
    pageUnmap(vaddr);
  }
  check("1000 map/write/unmap cycles read back what they wrote", intact);
  checkEqual("after 1000 map/unmap cycles the free count is where it started", framesFree(), free);
}


// pageMap's refusal of a frame whose count is full comes before any change:
// under an empty directory entry, no table is made for it.
let fullFrame: u32 = 0;

function mapFullFrame(): void {
  pageMap(TEST_A, fullFrame, PTE_WRITABLE);
}

function refusedMapChangesNothing(): void {
  fullFrame = frameAlloc();
  for (let i: u32 = 1; i < FRAME_MAX_REFERENCES; i++) frameRetain(fullFrame);
  const inUse = framesInUse();
  check("pageMap of a frame with 65,535 references is refused", refused(mapFullFrame));
  checkEqual("...and leaves no page table under the address", load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT, 0);
  checkEqual("...nor a frame in use", framesInUse(), inUse);
  for (let i: u32 = 0; i < FRAME_MAX_REFERENCES; i++) frameRelease(fullFrame);
  checkEqual("...and the frame is free once its references are dropped", frameRefCount(fullFrame), 0);
}

// The suites of this file (kernel/ktest/harness.ts), registered last: a
// registration runs at start-up, after everything above is initialised.
suite("paging", "the page tables as the MMU sees them, through the mirror", pagingSuite);
