// kernel/bringup.ts: bringing the machine up, and the boot report.
//
// bringUp is the order every kernel image starts in (kernel/main.ts, and
// the benchmark image bench/kernel/main.ts): the console, what the boot
// loader passed, the CPU's tables, physical memory and paging, then the
// allocators. Each step reports one or a few lines; a step that cannot be
// done says why and stops the kernel with the failure status.

import { gdtAddress, gdtInit } from "./arch/x86/gdt";
import { idtAddress, idtInit } from "./arch/x86/idt";
import { doubleFaultTssAddress, kernelTssAddress } from "./arch/x86/tss";
import { doubleFaultStackGuard, kernelReadonlyEnd, kernelStart, stackGuard } from "./arch/x86/layout";
import { mirrorDirectory, MIRROR_INDEX } from "./arch/x86/mirror";
import { consoleInit, print, printCell, printDec, printEscaped, printHex, printHexCell, println, printSize, printSizeCell } from "./core/console";
import { haltFailure } from "./core/halt";
import {
  MultibootInfo, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_LOADER_NAME,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType, mmapTypeName,
} from "./core/multiboot";
import { picInit } from "./drivers/pic";
import { allocInit, CLASS_COUNT, CLASS_MAX_SHIFT, CLASS_MIN_SHIFT } from "./mm/alloc";
import { areaFreeCount, areaFreePages, areaRangeEnd, areaRangeStart, areaUsedCount, areaUsedPages } from "./mm/area";
import { frameDescriptors, frameDescriptorsEnd, framesFree, framesReserved, framesTotal } from "./mm/frames";
import {
  memmapArrayEnd, memmapArrayStart, memmapIgnoredBytes, memmapInit, memmapRamBytes, memmapRamRanges,
  MEMMAP_BOOT_FRAMES, MEMMAP_DESCRIPTORS_OUTSIDE_RAM, MEMMAP_NONE, MEMMAP_OK, MEMMAP_TOO_LITTLE,
} from "./mm/memmap";
import { pageDirectory, pagingInit } from "./mm/pages";
import { DIRECTORY_VIEWS, HAND_MAP_BASE, identityMapEnd, USER_BASE, USER_END } from "./mm/regions";
import { kernelSpace, spacesInit } from "./mm/space";
import { cstringLength } from "./lib/cmdline";

/**
 * Brings the kernel up from what the boot loader left in EAX (`magic`) and
 * EBX (`info`). Returns the information structure; does not return when
 * the magic is wrong or a step cannot be done.
 */
export function bringUp(magic: u32, info: usize): MultibootInfo {
  consoleInit();
  println("tskernel: an i386 kernel written in AssemblyScript");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    print("multiboot magic: wrong (");
    printHexCell(magic, 8, 0);
    println("), cannot trust the boot information");
    haltFailure();
  }
  println("multiboot magic: ok (0x2badb002)");
  const boot = changetype<MultibootInfo>(info);
  printLoader(boot);
  printMemoryMap(boot);
  cpuInit();
  memoryInit(boot);
  allocatorsInit();
  return boot;
}

/** The command line the loader passed, or an empty string; only for a structure the magic vouched for. */
export function commandLine(info: MultibootInfo): usize {
  return (info.flags & MULTIBOOT_INFO_CMDLINE) != 0 ? <usize>info.cmdline : EMPTY_CSTRING;
}

/** The boot loader's name, or an empty string. */
export function loaderName(info: MultibootInfo): usize {
  return (info.flags & MULTIBOOT_INFO_LOADER_NAME) != 0 ? <usize>info.bootLoaderName : EMPTY_CSTRING;
}

// An empty string stands in for a missing command line or loader name.
const EMPTY_CSTRING = memory.data(4);

function cpuInit(): void {
  gdtInit();
  print("cpu: flat GDT at ");
  printHex(gdtAddress());
  print(": kernel and user code/data over 4 GiB, kernel TSS at ");
  printHex(kernelTssAddress());
  print(", double-fault TSS at ");
  printHex(doubleFaultTssAddress());
  println();
  picInit();
  idtInit();
  print("cpu: IDT at ");
  printHex(idtAddress());
  println(": exceptions 0-31, IRQs 32-47 (PICs remapped, all masked), #DF by task gate, int 0x80 for ring 3");
}

function memoryInit(info: MultibootInfo): void {
  const mem = memmapInit(info);
  if (mem == MEMMAP_NONE) {
    println("mem: the boot loader gave no memory map; cannot go on");
    haltFailure();
  }
  if (mem == MEMMAP_DESCRIPTORS_OUTSIDE_RAM) {
    print("mem: the frame descriptors would lie at ");
    printHex(memmapArrayStart());
    print("-");
    printHex(memmapArrayEnd() - 1);
    println(", not all of it available RAM");
  } else {
    printFrames();
  }
  if (mem == MEMMAP_TOO_LITTLE) {
    print("mem: ");
    printDec(framesFree());
    print(" free frames; the boot needs at least ");
    printDec(MEMMAP_BOOT_FRAMES);
    println();
  }
  if (mem != MEMMAP_OK || !pagingInit(<u32>frameDescriptorsEnd())) {
    println("mem: the kernel needs at least 4 MiB of RAM; cannot go on");
    haltFailure();
  }
  print("paging: on; directory ");
  printHexCell(pageDirectory(), 8, 0);
  print(" visible at ");
  printHexCell(mirrorDirectory(), 8, 0);
  print(" through PDE ");
  printDec(MIRROR_INDEX);
  println();
  print("paging: identity map 0x00001000-");
  printHexCell(identityMapEnd() - 1, 8, 0);
  print(" (page 0 and the stack guard pages ");
  printHexCell(stackGuard(), 8, 0);
  print(" and ");
  printHexCell(doubleFaultStackGuard(), 8, 0);
  println(" unmapped)");
  print("paging: kernel code and read-only data ");
  printHexCell(kernelStart(), 8, 0);
  print("-");
  printHexCell(kernelReadonlyEnd() - 1, 8, 0);
  println(" mapped read-only");
}

function printFrames(): void {
  print("mem: ");
  printSize(memmapRamBytes());
  print(" of RAM in ");
  printDec(memmapRamRanges());
  print(" ranges; ");
  printDec(framesTotal());
  print(" frames below 4 GiB: ");
  printDec(framesFree());
  print(" free, ");
  printDec(framesReserved());
  println(" reserved");
  print("mem: frame descriptors at ");
  printHex(frameDescriptors());
  print("-");
  printHex(frameDescriptorsEnd() - 1);
  println();
  if (memmapIgnoredBytes() != 0) {
    print("mem: ignoring ");
    printSize(memmapIgnoredBytes());
    println(" of RAM above 4 GiB (no PAE)");
  }
}

function allocatorsInit(): void {
  if (!allocInit(identityMapEnd(), USER_BASE)) {
    println("alloc: no frame for the first slab");
    haltFailure();
  }
  print("alloc: areas over ");
  printHexCell(areaRangeStart(), 8, 0);
  print("-");
  printHexCell(areaRangeEnd() - 1, 8, 0);
  print("; ");
  printDec(CLASS_COUNT);
  print(" size classes, ");
  printDec(1 << CLASS_MIN_SHIFT);
  print(" to ");
  printDec(1 << CLASS_MAX_SHIFT);
  println(" bytes by powers of two; larger requests are areas");
  print("alloc: ");
  printDec(areaUsedCount());
  print(" used area (");
  printDec(areaUsedPages());
  print(" page: the first record slab), ");
  printDec(areaFreeCount());
  print(" free area (");
  printDec(areaFreePages());
  println(" pages)");
  if (!spacesInit()) {
    println("spaces: no frame for the directories' window");
    haltFailure();
  }
  print("spaces: user space ");
  printHex(USER_BASE);
  print("-");
  printHex(USER_END - 1);
  print(", each space's own; every directory seen from ");
  printHex(DIRECTORY_VIEWS);
  print(", the kernel's at ");
  printHex(kernelSpace());
  println();
}

// What the boot loader passed, control bytes escaped.
function printLoader(info: MultibootInfo): void {
  print("boot loader:     ");
  printEscaped(loaderName(info), cstringLength(loaderName(info)));
  println();
  print("command line:    ");
  // Without its trailing spaces (QEMU's loader ends an empty -append with one).
  const line = commandLine(info);
  let length = cstringLength(line);
  while (length > 0 && load<u8>(line + <usize>(length - 1)) == 0x20) length--;
  printEscaped(line, length);
  println();
}

// Column widths of the memory map table.
@inline const ADDRESS_WIDTH: i32 = 20;
@inline const SIZE_WIDTH: i32 = 11;

function printMemoryMap(info: MultibootInfo): void {
  let entry = mmapFirst(info);
  if (entry == 0) {
    println("memory map:      none given by the boot loader");
    return;
  }
  println("memory map:");
  print("  ");
  printCell("start", ADDRESS_WIDTH);
  printCell("end", ADDRESS_WIDTH);
  printCell("size", SIZE_WIDTH);
  println("type");
  let regions: u32 = 0;
  for (; entry != 0; entry = mmapNext(info, entry)) {
    const base = mmapBase(entry);
    const length = mmapLength(entry);
    print("  ");
    printHexCell(base, 16, ADDRESS_WIDTH);
    printHexCell(length == 0 ? base : base + length - 1, 16, ADDRESS_WIDTH);
    printSizeCell(length, SIZE_WIDTH);
    println(mmapTypeName(mmapType(entry)));
    regions++;
  }
  print("  ");
  printDec(regions);
  println(" regions");
}
