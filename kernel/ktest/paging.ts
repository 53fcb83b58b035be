// kernel/ktest/paging.ts: `test=paging`, the page tables as the MMU sees them.
// Probes (core/probe.ts) let a case expect a page fault and carry on.

import { check, checkEqual, suiteBegin, suiteEnd } from "./harness";
import { readCr0, readCr3 } from "../arch/x86/cpu";
import {
  CR0_PG, CR0_WP, MIRROR_INDEX, mirrorDirectory, mirrorTable, pageEntry, pageMap, pageTableEntries, pageTranslate,
  pageUnmap, pdeAddress, pdeIndex, PAGE_NOT_MAPPED, PTE_ADDRESS, PTE_PRESENT, PTE_WRITABLE,
} from "../arch/x86/paging";
import { probeFaultCount, probeLastAddress, probeLastErrorCode, probeLastVector, probeLoad, probeStore, probeValue } from "../core/probe";
import { PF_PRESENT, PF_WRITE, VECTOR_PAGE_FAULT } from "../core/exceptions";
import { stackGuard } from "../core/layout";
import { memFreePages, pageAlloc, pageRefCount, pageRelease, PAGE_SIZE } from "../mm/mem";

// Test addresses in directory entries the kernel leaves empty (1 GiB, 1 GiB + 4 MiB).
@inline const TEST_A: u32 = 0x40000000;
@inline const TEST_B: u32 = 0x40001000;
@inline const TEST_C: u32 = 0x40400000;
@inline const MAP_CYCLES: i32 = 1000;

export function pagingSuite(): void {
  suiteBegin("paging");
  controlRegisters();
  mirror();
  aliasing();
  unmappedFaults();
  readOnly();
  tablesComeAndGo();
  cycles();
  suiteEnd();
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
  // Every present PDE's table appears at its place in the window.
  let agree = true;
  for (let i: u32 = 0; i < 1024; i++) {
    const pde = load<u32>(mirrorDirectory() + i * 4);
    if ((pde & PTE_PRESENT) != 0 && pageTranslate(mirrorTable(i)) != <u64>(pde & PTE_ADDRESS)) agree = false;
  }
  check("each present PDE's table is where the mirror says", agree);
  // Map the directory's own page elsewhere: the bytes match the mirror's.
  const directory = readCr3();
  const ok = pageMap(TEST_C, directory, 0);
  check("the directory page can be mapped read-only elsewhere", ok && !probeStore(TEST_C, 0));
  let same = true;
  for (let i: u32 = 0; i < PAGE_SIZE; i += 4) if (load<u32>(TEST_C + i) != load<u32>(mirrorDirectory() + i)) same = false;
  check("the directory read through the mirror equals the page in CR3", same);
  pageUnmap(TEST_C);
}

function aliasing(): void {
  const free = memFreePages();
  const page = pageAlloc();
  check("a physical page is allocated", page != 0);
  pageMap(TEST_A, page, PTE_WRITABLE);
  pageMap(TEST_B, page, PTE_WRITABLE);
  checkEqual("two mappings and the allocation hold three references", pageRefCount(page), 3);
  store<u32>(TEST_A + 0x10, 0xC0FFEE);
  checkEqual("a write through one mapping is read through the other", load<u32>(TEST_B + 0x10), 0xC0FFEE);
  checkEqual("both addresses translate to the same page", pageTranslate(TEST_B + 0x10), <u64>page + 0x10);
  pageRelease(page);
  pageUnmap(TEST_A);
  pageUnmap(TEST_B);
  checkEqual("the page is free again once both mappings are gone", memFreePages(), free);
}

function unmappedFaults(): void {
  const page = pageAlloc();
  pageMap(TEST_A, page, PTE_WRITABLE);
  pageRelease(page);
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
  const page = pageAlloc();
  pageMap(TEST_A, page, 0);
  pageRelease(page);
  check("a read-only page can be read", probeLoad(TEST_A));
  check("with CR0.WP even the kernel cannot write a read-only page", !probeStore(TEST_A, 1));
  checkEqual("...error code: protection violation, write", probeLastErrorCode(), PF_PRESENT | PF_WRITE);
  pageUnmap(TEST_A);
}

function tablesComeAndGo(): void {
  const table = pdeIndex(TEST_A);
  const free = memFreePages();
  checkEqual("no page table under the test address at first", load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT, 0);
  const a = pageAlloc();
  const b = pageAlloc();
  pageMap(TEST_A, a, PTE_WRITABLE);
  check("mapping into an empty PDE creates its table", (load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT) != 0);
  checkEqual("...whose count is 1", pageTableEntries(table), 1);
  checkEqual("...and the new table costs one page", memFreePages(), free - 3);
  check("...the rest of the new table is zeroed", pageEntry(TEST_A + 0x3FF000) == 0 && pageEntry(TEST_B) == 0);
  pageMap(TEST_B, b, PTE_WRITABLE);
  checkEqual("a second mapping in the same table counts 2", pageTableEntries(table), 2);
  pageRelease(a);
  pageRelease(b);
  pageUnmap(TEST_A);
  checkEqual("unmapping one leaves the table with 1", pageTableEntries(table), 1);
  check("...and the table in place", (load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT) != 0);
  pageUnmap(TEST_B);
  checkEqual("unmapping the last entry frees the table", load<u32>(pdeAddress(TEST_A)) & PTE_PRESENT, 0);
  checkEqual("...its count is 0", pageTableEntries(table), 0);
  checkEqual("...and every page is back", memFreePages(), free);
}

function cycles(): void {
  const free = memFreePages();
  let intact = true;
  for (let i = 0; i < MAP_CYCLES; i++) {
    const page = pageAlloc();
    const vaddr = TEST_A + <u32>(i % 3) * 0x400000;   // three tables, each created and freed
    pageMap(vaddr, page, PTE_WRITABLE);
    pageRelease(page);
    store<u32>(vaddr, <u32>i);
    if (load<u32>(vaddr) != <u32>i) intact = false;
    pageUnmap(vaddr);
  }
  check("1000 map/write/unmap cycles read back what they wrote", intact);
  checkEqual("after 1000 map/unmap cycles the free count is where it started", memFreePages(), free);
}
