// kernel/mm/mem.ts: physical page bookkeeping.
//
// One descriptor per 4 KiB physical page, from address 0 up to the highest
// available byte below 4 GiB, in an array placed right after the kernel
// (layout kernelEnd), or after the multiboot structures when the loader put
// them there (QEMU puts its buffer right after the kernel's last segment).
// Every page of the array must be available RAM in the map, and enough
// pages must be left free for the boot (MEM_BOOT_PAGES); otherwise memInit
// writes nothing and says why. A page is free only if the memory map calls it
// available and nothing reserves it: the first 1 MiB (BIOS data, VGA), the
// kernel image and the AssemblyScript region, the descriptor array itself,
// the multiboot structures, and every range the map does not call available
// (where ranges overlap, reserved wins). Free pages form a stack linked
// through their descriptors, so pageAlloc and pageRelease are O(1).
//
// Each page has a reference count: pageAlloc hands out a page with one
// reference, pageRetain adds one (a second mapping), pageRelease drops one
// and frees the page at zero. Misuse (releasing a free, reserved or unknown
// page) stops the kernel; running out returns 0. pageAlloc and pageRelease
// refuse to run in interrupt context (core/context.ts).
//
// A descriptor (8 bytes):
//   +0 refCount u16   references held; 0 when free or reserved
//   +2 flags    u16   PAGE_AVAILABLE | PAGE_RESERVED | PAGE_FREE
//   +4 link     u32   free: index of the next free page (NO_PAGE ends the list)
//                     in use: a word for the page's user (the slab allocator's owner)

import { print, printDec, printHex, printSize, println } from "../core/console";
import { kernelEnd, kernelStart } from "../core/layout";
import {
  MultibootInfo, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_LOADER_NAME, MMAP_AVAILABLE,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType,
} from "../core/multiboot";
import { refuseInInterrupt } from "../core/context";
import { panicAt } from "../core/panic";
import { cstringLength } from "../lib/cmdline";

@inline export const PAGE_SIZE: u32 = 4096;
@inline export const PAGE_SHIFT: u32 = 12;
@inline export const PAGE_MASK: u32 = PAGE_SIZE - 1;
/** Physical addresses below this are never handed out (BIOS data area, VGA, ROMs). */
@inline export const LOW_MEMORY_END: u32 = 0x100000;
/** Pages at or above 4 GiB cannot be described with 32-bit addresses. */
@inline const ADDRESS_SPACE_END: u64 = 1 << 32;

@inline export const PAGE_AVAILABLE: u16 = 1 << 0;  // the memory map says RAM
@inline export const PAGE_RESERVED: u16 = 1 << 1;   // never handed out
@inline export const PAGE_FREE: u16 = 1 << 2;       // on the free list
@inline const NO_PAGE: u32 = 0xFFFFFFFF;

// memInit's answers.
@inline export const MEM_OK: u32 = 0;
/** The boot loader gave no memory map. */
@inline export const MEM_NO_MAP: u32 = 1;
/** The descriptor array would not lie wholly in available RAM (nothing was written). */
@inline export const MEM_DESCRIPTORS_OUTSIDE_RAM: u32 = 2;
/** Fewer than MEM_BOOT_PAGES pages are free. */
@inline export const MEM_TOO_LITTLE: u32 = 3;
/**
 * Free pages the rest of the boot needs at least: the page directory and
 * the first page tables, the first slabs and areas. At the minimum RAM
 * (4 MiB) about 220 are free.
 */
@inline export const MEM_BOOT_PAGES: u32 = 64;

@unmanaged export class PageDescriptor {
  refCount: u16;
  flags: u16;
  link: u32;
}
@inline export const DESCRIPTOR_BYTES: u32 = 8;
/** What a page's u16 reference count can hold. */
@inline const MAX_REFERENCES: u16 = 0xFFFF;

// The whole state of the physical page allocator.
let descriptors: usize = 0;      // the array
let pageCount: u32 = 0;          // pages described, from address 0
let freeHead: u32 = NO_PAGE;     // top of the free stack
let freePages: u32 = 0;
let reservedPages: u32 = 0;

@inline function descriptor(page: u32): PageDescriptor {
  return changetype<PageDescriptor>(descriptors + <usize>page * DESCRIPTOR_BYTES);
}

@inline export function alignDown(value: u64, alignment: u64): u64 { return value & ~(alignment - 1); }
@inline export function alignUp(value: u64, alignment: u64): u64 { return (value + alignment - 1) & ~(alignment - 1); }

/** Pages described (total), free, and reserved (never handed out). */
export function memTotalPages(): u32 { return pageCount; }
export function memFreePages(): u32 { return freePages; }
export function memReservedPages(): u32 { return reservedPages; }
/** Pages handed out and not yet released. */
export function memUsedPages(): u32 { return pageCount - freePages - reservedPages; }
/** The descriptor array: [memDescriptors(), memDescriptorsEnd()). */
export function memDescriptors(): usize { return descriptors; }
export function memDescriptorsEnd(): usize { return descriptors + <usize>pageCount * DESCRIPTOR_BYTES; }

// ---------------------------------------------------------------------------
// Set-up, in three steps that the kernel (memInit) and the host tests share:
// memSetup (every page reserved), then any number of memAddAvailable and
// memReserve in any order, then memFinish (build the free list, count).

/** Starts describing `pages` pages with the array at `array`; every page starts unavailable. */
export function memSetup(array: usize, pages: u32): void {
  descriptors = array;
  pageCount = pages;
  memory.fill(array, 0, <usize>pages * DESCRIPTOR_BYTES);
}

/** Marks the pages entirely inside [start, end) as RAM. Partial pages at the edges are not. */
export function memAddAvailable(start: u64, end: u64): void {
  const first = alignUp(start, PAGE_SIZE) >> PAGE_SHIFT;
  const last = min(alignDown(min(end, ADDRESS_SPACE_END), PAGE_SIZE) >> PAGE_SHIFT, <u64>pageCount);
  for (let page = first; page < last; page++) descriptor(<u32>page).flags |= PAGE_AVAILABLE;
}

/** Marks every page that [start, end) touches as reserved. */
export function memReserve(start: u64, end: u64): void {
  if (end <= start) return;
  const first = start >> PAGE_SHIFT;
  const last = min(alignUp(min(end, ADDRESS_SPACE_END), PAGE_SIZE) >> PAGE_SHIFT, <u64>pageCount);
  for (let page = first; page < last; page++) descriptor(<u32>page).flags |= PAGE_RESERVED;
}

/** Builds the free stack (lowest page on top) and the counters. */
export function memFinish(): void {
  freeHead = NO_PAGE;
  freePages = 0;
  reservedPages = 0;
  for (let page = pageCount; page-- > 0;) {
    const d = descriptor(page);
    if ((d.flags & PAGE_AVAILABLE) == 0) d.flags |= PAGE_RESERVED;
    if ((d.flags & PAGE_RESERVED) != 0) {
      reservedPages++;
      continue;
    }
    d.flags |= PAGE_FREE;
    d.link = freeHead;
    freeHead = page;
    freePages++;
  }
}

// ---------------------------------------------------------------------------
// Allocation.

/** A free physical page with one reference, or 0 when none is left (0 is never a free page). */
export function pageAlloc(): u32 {
  refuseInInterrupt("pageAlloc", 0);
  if (freeHead == NO_PAGE) return 0;
  const page = freeHead;
  const d = descriptor(page);
  freeHead = d.link;
  freePages--;
  d.flags &= ~PAGE_FREE;
  d.refCount = 1;
  d.link = 0;
  return page << PAGE_SHIFT;
}

/** Adds a reference to the page at `paddr`, which must be in use. */
export function pageRetain(paddr: u32): void {
  pageRetainInUse(checkedPage("pageRetain", paddr) << PAGE_SHIFT);
}

/** Drops a reference to the page at `paddr`; the last one frees it. */
export function pageRelease(paddr: u32): void {
  refuseInInterrupt("pageRelease", paddr);
  pageReleaseInUse(checkedPage("pageRelease", paddr) << PAGE_SHIFT);
}

/**
 * pageRetain and pageRelease without their check, for a caller that has
 * just made sure with pageIsInUse (paging does, before changing anything).
 */
@inline export function pageRetainInUse(paddr: u32): void {
  const d = descriptor(paddr >> PAGE_SHIFT);
  if (d.refCount == MAX_REFERENCES) panicAt("pageRetain", "too many references to the page", paddr);
  d.refCount++;
}

@inline export function pageReleaseInUse(paddr: u32): void {
  const page = paddr >> PAGE_SHIFT;
  const d = descriptor(page);
  if (--d.refCount != 0) return;
  d.flags |= PAGE_FREE;
  d.link = freeHead;
  freeHead = page;
  freePages++;
}

/** The references held on the page at `paddr` (0 for free and reserved pages). */
export function pageRefCount(paddr: u32): u32 {
  const page = paddr >> PAGE_SHIFT;
  return page < pageCount ? descriptor(page).refCount : 0;
}

/** The flags of the page at `paddr`, 0 beyond the described range. */
export function pageFlags(paddr: u32): u16 {
  const page = paddr >> PAGE_SHIFT;
  return page < pageCount ? descriptor(page).flags : 0;
}

/** The owner word of the page at `paddr` if it is in use, else 0 (mm/backing tags area pages with it). */
export function pageOwner(paddr: u32): u32 {
  return pageIsInUse(paddr) ? descriptor(paddr >> PAGE_SHIFT).link : 0;
}
/**
 * The owner word of a page that a mapping holds: no check, because a
 * present entry always refers to a page in use (pageMap checks it and the
 * mapping's reference keeps it so). The allocators' free path uses it.
 */
@inline export function pageOwnerMapped(paddr: u32): u32 { return descriptor(paddr >> PAGE_SHIFT).link; }
/** Sets the owner word of an in-use page. */
export function pageSetOwner(paddr: u32, owner: u32): void {
  descriptor(checkedPage("pageSetOwner", paddr)).link = owner;
}

/**
 * Whether the page at `paddr` is a page in use: aligned, described, neither
 * reserved nor free. Everything that takes a page from a caller checks this
 * first and changes nothing when it fails.
 */
/** pageIsInUse for an address the caller has checked is page aligned. */
@inline export function pageIsInUseAligned(paddr: u32): bool {
  const page = paddr >> PAGE_SHIFT;
  return page < pageCount && (descriptor(page).flags & (PAGE_RESERVED | PAGE_FREE)) == 0;
}

export function pageIsInUse(paddr: u32): bool {
  const page = paddr >> PAGE_SHIFT;
  if ((paddr & PAGE_MASK) != 0 || page >= pageCount) return false;
  return (descriptor(page).flags & (PAGE_RESERVED | PAGE_FREE)) == 0;
}

function checkedPage(functionName: string, paddr: u32): u32 {
  if ((paddr & PAGE_MASK) != 0) panicAt(functionName, "unaligned physical address", paddr);
  const page = paddr >> PAGE_SHIFT;
  if (page >= pageCount) panicAt(functionName, "physical address beyond RAM", paddr);
  const flags = descriptor(page).flags;
  if ((flags & PAGE_RESERVED) != 0) panicAt(functionName, "reserved physical page", paddr);
  if ((flags & PAGE_FREE) != 0) panicAt(functionName, "physical page is free (double release?)", paddr);
  return page;
}

// ---------------------------------------------------------------------------
// The kernel's set-up from the multiboot memory map.

/**
 * Describes physical memory from the boot loader's map and reports it.
 * Returns MEM_OK, or why the kernel cannot go on: MEM_NO_MAP,
 * MEM_DESCRIPTORS_OUTSIDE_RAM (checked before the array is written),
 * MEM_TOO_LITTLE.
 */
export function memInit(info: MultibootInfo): u32 {
  let top: u64 = 0;
  let ram: u64 = 0;
  let ignored: u64 = 0;
  let ranges: u32 = 0;
  for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
    if (mmapType(e) != MMAP_AVAILABLE) continue;
    const start = mmapBase(e);
    const end = start + mmapLength(e);
    ranges++;
    ram += mmapLength(e);
    if (end > ADDRESS_SPACE_END) ignored += end - max(start, ADDRESS_SPACE_END);
    if (start < ADDRESS_SPACE_END) top = max(top, min(end, ADDRESS_SPACE_END));
  }
  if (ranges == 0) return MEM_NO_MAP;

  collectMultiboot(info);
  const array = <usize>alignUp(max(<u64>kernelEnd(), multibootEnd()), PAGE_SIZE);
  const pages = <u32>(alignDown(top, PAGE_SIZE) >> PAGE_SHIFT);
  const arrayEnd = <u64>array + <u64>pages * DESCRIPTOR_BYTES;
  if (!mapCovers(info, array, arrayEnd)) {
    print("mem: the page descriptors would lie at ");
    printHex(array);
    print("-");
    printHex(arrayEnd - 1);
    println(", not all of it available RAM");
    return MEM_DESCRIPTORS_OUTSIDE_RAM;
  }
  memSetup(array, pages);
  for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
    const start = mmapBase(e);
    const end = start + mmapLength(e);
    if (mmapType(e) == MMAP_AVAILABLE) memAddAvailable(start, end);
    else memReserve(start, end);
  }
  memReserve(0, LOW_MEMORY_END);
  memReserve(kernelStart(), kernelEnd());
  memReserve(array, memDescriptorsEnd());
  reserveMultiboot();
  memFinish();

  print("mem: ");
  printSize(ram);
  print(" of RAM in ");
  printDec(ranges);
  print(" ranges; ");
  printDec(pageCount);
  print(" pages below 4 GiB: ");
  printDec(freePages);
  print(" free, ");
  printDec(reservedPages);
  println(" reserved");
  print("mem: page descriptors at ");
  printHex(array);
  print("-");
  printHex(memDescriptorsEnd() - 1);
  println();
  if (ignored != 0) {
    print("mem: ignoring ");
    printSize(ignored);
    println(" of RAM above 4 GiB (no PAE)");
  }
  if (freePages < MEM_BOOT_PAGES) {
    print("mem: ");
    printDec(freePages);
    print(" free pages; the boot needs at least ");
    printDec(MEM_BOOT_PAGES);
    println();
    return MEM_TOO_LITTLE;
  }
  return MEM_OK;
}

/**
 * Whether every page that [start, end) touches is available RAM in the map
 * and no other range of the map touches it (reserved wins, as in memFinish).
 */
export function mapCovers(info: MultibootInfo, start: u64, end: u64): bool {
  const first = alignDown(start, PAGE_SIZE);
  const last = alignUp(end, PAGE_SIZE);
  // Walk up from `first` through the available ranges until `last` (the
  // map is not sorted, so each step looks at every range).
  let at = first;
  let moved = true;
  while (at < last && moved) {
    moved = false;
    for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
      const base = mmapBase(e);
      const limit = base + mmapLength(e);
      if (mmapType(e) == MMAP_AVAILABLE && base <= at && limit > at) {
        at = limit;
        moved = true;
      }
    }
  }
  if (at < last) return false;
  for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
    const base = mmapBase(e);
    if (mmapType(e) != MMAP_AVAILABLE && base < last && base + mmapLength(e) > first) return false;
  }
  return true;
}

// The information structure, the map, the command line and the loader name
// may lie anywhere the loader chose; none of them may be handed out or
// overwritten. Each range is [start, end).
@inline const MULTIBOOT_RANGES: i32 = 4;
const multibootRanges = memory.data(MULTIBOOT_RANGES * 16, 8);

function collectMultiboot(info: MultibootInfo): void {
  memory.fill(multibootRanges, 0, MULTIBOOT_RANGES * 16);
  const at = changetype<usize>(info);
  setRange(0, at, at + offsetof<MultibootInfo>());
  if (mmapFirst(info) != 0) setRange(1, info.mmapAddr, <u64>info.mmapAddr + info.mmapLength);
  if ((info.flags & MULTIBOOT_INFO_CMDLINE) != 0) {
    setRange(2, info.cmdline, <u64>info.cmdline + <u64>cstringLength(info.cmdline) + 1);
  }
  if ((info.flags & MULTIBOOT_INFO_LOADER_NAME) != 0) {
    setRange(3, info.bootLoaderName, <u64>info.bootLoaderName + <u64>cstringLength(info.bootLoaderName) + 1);
  }
}

function setRange(i: i32, start: u64, end: u64): void {
  store<u64>(multibootRanges + <usize>(i * 16), start);
  store<u64>(multibootRanges + <usize>(i * 16 + 8), end);
}

/** The end of the highest multiboot structure (after collectMultiboot). */
function multibootEnd(): u64 {
  let end: u64 = 0;
  for (let i = 0; i < MULTIBOOT_RANGES; i++) end = max(end, load<u64>(multibootRanges + <usize>(i * 16 + 8)));
  return end;
}

function reserveMultiboot(): void {
  for (let i = 0; i < MULTIBOOT_RANGES; i++) {
    memReserve(load<u64>(multibootRanges + <usize>(i * 16)), load<u64>(multibootRanges + <usize>(i * 16 + 8)));
  }
}
