// kernel/mm/memmap.ts: the boot loader's memory map, turned into frames.
//
// memmapInit reads the multiboot map (core/multiboot.ts), places the frame
// descriptor array (mm/frames.ts) right after the kernel (layout kernelEnd),
// or after the multiboot structures when the loader put them there (QEMU
// puts its buffer right after the kernel's last segment), and describes
// every frame. Every page of the array must be available RAM in the map,
// and enough frames must be left free for the rest of the boot
// (MEMMAP_BOOT_FRAMES); otherwise it writes nothing and says why. Reserved,
// whatever the map says: the first 1 MiB (BIOS data, VGA), the kernel image
// and the AssemblyScript region, the descriptor array itself, the multiboot
// structures, and every range the map does not call available (where ranges
// overlap, reserved wins). The boot report (kernel/bringup.ts) prints what
// it found.

import { kernelEnd, kernelStart } from "../arch/x86/layout";
import { PAGE_SHIFT, PAGE_SIZE } from "../arch/x86/paging";
import {
  MultibootInfo, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_LOADER_NAME, MMAP_AVAILABLE,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType,
} from "../core/multiboot";
import { cstringLength } from "../lib/cmdline";
import {
  ADDRESS_SPACE_END, alignDown, alignUp, frameDescriptorsEnd, framesAddAvailable, framesFinish, framesFree, framesReserve,
  framesSetup, FRAME_DESCRIPTOR_BYTES,
} from "./frames";

/** Physical addresses below this are never handed out (BIOS data area, VGA, ROMs). */
@inline export const LOW_MEMORY_END: u32 = 0x100000;

// memmapInit's answers.
@inline export const MEMMAP_OK: u32 = 0;
/** The boot loader gave no memory map. */
@inline export const MEMMAP_NONE: u32 = 1;
/** The descriptor array would not lie wholly in available RAM (nothing was written). */
@inline export const MEMMAP_DESCRIPTORS_OUTSIDE_RAM: u32 = 2;
/** Fewer than MEMMAP_BOOT_FRAMES frames are free. */
@inline export const MEMMAP_TOO_LITTLE: u32 = 3;
/**
 * Free frames the rest of the boot needs at least: the page directory and
 * the first page tables, the first slabs and areas. At the minimum RAM
 * (4 MiB) about 220 are free.
 */
@inline export const MEMMAP_BOOT_FRAMES: u32 = 64;

// What the map said, for the boot report.
let ramBytes: u64 = 0;
let ramRanges: u32 = 0;
let ignoredBytes: u64 = 0;
let arrayStart: u64 = 0;
let arrayEnd: u64 = 0;

/** Bytes of RAM the map calls available, in how many ranges, and how many of them lie above 4 GiB. */
export function memmapRamBytes(): u64 { return ramBytes; }
export function memmapRamRanges(): u32 { return ramRanges; }
export function memmapIgnoredBytes(): u64 { return ignoredBytes; }
/** Where the frame descriptors were to go, [start, end) (also when that failed). */
export function memmapArrayStart(): u64 { return arrayStart; }
export function memmapArrayEnd(): u64 { return arrayEnd; }

/**
 * Describes physical memory from the boot loader's map. Returns MEMMAP_OK,
 * or why the kernel cannot go on: MEMMAP_NONE, MEMMAP_DESCRIPTORS_OUTSIDE_RAM
 * (checked before the array is written), MEMMAP_TOO_LITTLE.
 */
export function memmapInit(info: MultibootInfo): u32 {
  let top: u64 = 0;
  ramBytes = ignoredBytes = 0;
  ramRanges = 0;
  for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
    if (mmapType(e) != MMAP_AVAILABLE) continue;
    const start = mmapBase(e);
    const end = start + mmapLength(e);
    ramRanges++;
    ramBytes += mmapLength(e);
    if (end > ADDRESS_SPACE_END) ignoredBytes += end - max(start, ADDRESS_SPACE_END);
    if (start < ADDRESS_SPACE_END) top = max(top, min(end, ADDRESS_SPACE_END));
  }
  if (ramRanges == 0) return MEMMAP_NONE;

  collectMultiboot(info);
  const array = <usize>alignUp(max(<u64>kernelEnd(), multibootEnd()), PAGE_SIZE);
  const count = <u32>(alignDown(top, PAGE_SIZE) >> PAGE_SHIFT);
  arrayStart = <u64>array;
  arrayEnd = <u64>array + <u64>count * FRAME_DESCRIPTOR_BYTES;
  if (!mapCovers(info, arrayStart, arrayEnd)) return MEMMAP_DESCRIPTORS_OUTSIDE_RAM;
  framesSetup(array, count);
  for (let e = mmapFirst(info); e != 0; e = mmapNext(info, e)) {
    const start = mmapBase(e);
    const end = start + mmapLength(e);
    if (mmapType(e) == MMAP_AVAILABLE) framesAddAvailable(start, end);
    else framesReserve(start, end);
  }
  framesReserve(0, LOW_MEMORY_END);
  framesReserve(kernelStart(), kernelEnd());
  framesReserve(array, frameDescriptorsEnd());
  reserveMultiboot();
  framesFinish();
  return framesFree() < MEMMAP_BOOT_FRAMES ? MEMMAP_TOO_LITTLE : MEMMAP_OK;
}

/**
 * Whether every page that [start, end) touches is available RAM in the map
 * and no other range of the map touches it (reserved wins, as in framesFinish).
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
    framesReserve(load<u64>(multibootRanges + <usize>(i * 16)), load<u64>(multibootRanges + <usize>(i * 16 + 8)));
  }
}
