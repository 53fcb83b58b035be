// kernel/main.ts: the kernel's entry, called once by boot/entry.c.
//
// Boot path: boot/multiboot.asm (_start: stack, then kernel_entry) ->
// boot/entry.c (instantiate the wasm2c module) -> kmain below, which brings
// up the console, reports what the boot loader passed, sets up the CPU (GDT,
// IDT, PICs), then does what the command line asks:
//
//   fault=ADDR, fault=read:ADDR, trap=NAME, misuse=NAME   see kernel/debug/inject.ts
//   test=NAME   run an in-kernel test suite and leave QEMU with its verdict
//   dump=alloc  print the size classes and both area lists (before the above)
//   bench       run bench/kernel/bench.ts (meant for make bench, under -icount)
//   monitor     the interactive monitor (kernel/monitor/), after all of the above
//
// and otherwise halts cleanly.

import { consoleInit, consoleSerial, print, printCell, printCString, printDec, printHexCell, println, printSizeCell } from "./core/console";
import { haltFailure, haltSuccess } from "./core/halt";
import {
  MultibootInfo, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_LOADER_NAME,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType, mmapTypeName,
} from "./core/multiboot";
import { gdtInit } from "./core/gdt";
import { idtInit } from "./core/idt";
import { picInit } from "./drivers/pic";
import { memDescriptorsEnd, memInit } from "./mm/mem";
import { identityMapEnd, mirrorDirectory, MIRROR_BASE, MIRROR_INDEX, pageDirectory, pagingInit } from "./arch/x86/paging";
import { allocDump, allocInit, CLASS_COUNT, CLASS_MAX_SHIFT, CLASS_MIN_SHIFT } from "./mm/alloc";
import { areaDump, areaFreeCount, areaFreePages, areaRangeEnd, areaRangeStart, areaUsedCount, areaUsedPages } from "./mm/area";
import { stackGuard } from "./core/layout";
import { injectFault, injectMisuse, injectTrap, MISUSE_NAMES, TRAP_NAMES } from "./debug/inject";
import { cmdlineUnknownWord, cmdlineValue, cstringLength } from "./lib/cmdline";
import { runSuite, SUITE_NAMES } from "./ktest/suites";
import { rdtsc } from "./arch/x86/cpu";
import { runBenchmarks } from "../bench/kernel/bench";
import { monitorRun } from "./monitor/monitor";

// The entry points boot/ calls, besides kmain.
export { wasmTrap } from "./core/trap";
export { interruptDispatch, doubleFault } from "./core/interrupts";

/** The kernel. `magic` and `multibootInfo` are EAX and EBX as the boot loader left them. */
export function kmain(magic: u32, multibootInfo: usize): void {
  // The command line is read first (benchmarks want a quiet boot), and only
  // from a structure the magic vouches for.
  const trusted = magic == MULTIBOOT_BOOTLOADER_MAGIC;
  const line = trusted ? commandLine(changetype<MultibootInfo>(multibootInfo)) : EMPTY_CSTRING;
  const length = cstringLength(line);
  const benchmarking = cmdlineValue(line, length, "bench") != null;
  consoleInit();
  consoleSerial(!benchmarking); // see consoleSerial
  println("tskernel: an i386 kernel written in AssemblyScript");
  if (!trusted) {
    print("multiboot magic: wrong (");
    printHexCell(magic, 8, 0);
    println("), cannot trust the boot information");
    haltFailure();
  }
  println("multiboot magic: ok (0x2badb002)");
  const info = changetype<MultibootInfo>(multibootInfo);
  printLoader(info);
  printMemoryMap(info);
  cpuInit();
  memoryInit(info);
  allocatorsInit();
  const allocatorsReady = rdtsc();
  consoleSerial(true);

  const unknown = cmdlineUnknownWord(line, length, COMMAND_LINE_WORDS);
  if (unknown != null) refuse("command line: unknown word ", unknown, "test= trap= fault= misuse= dump= bench monitor");
  const dump = cmdlineValue(line, length, "dump");
  if (dump != null && dump != "alloc") refuse("dump=", dump, "alloc");
  if (dump != null) {
    allocDump();
    areaDump(64);
  }
  const fault = cmdlineValue(line, length, "fault");
  if (fault != null && !injectFault(fault)) refuse("fault=", fault, "an address, or read:ADDRESS (0x... or decimal)");
  const trap = cmdlineValue(line, length, "trap");
  if (trap != null && !injectTrap(trap)) refuse("trap=", trap, TRAP_NAMES);
  const misuse = cmdlineValue(line, length, "misuse");
  if (misuse != null && !injectMisuse(misuse)) refuse("misuse=", misuse, MISUSE_NAMES);
  if (benchmarking) runBenchmarks(allocatorsReady);
  const test = cmdlineValue(line, length, "test");
  if (test != null && !runSuite(test, info)) refuse("test=", test, SUITE_NAMES);
  if (cmdlineValue(line, length, "monitor") != null) monitorRun(info);
  println("kernel halted cleanly");
  haltSuccess();
}

function cpuInit(): void {
  gdtInit();
  println("cpu: flat GDT loaded: kernel and user code/data over 4 GiB, kernel and double-fault TSS");
  picInit();
  idtInit();
  println("cpu: IDT loaded: exceptions 0-31, IRQs 32-47 (PICs remapped, all masked), #DF by task gate");
}

function memoryInit(info: MultibootInfo): void {
  if (!memInit(info)) {
    println("mem: the boot loader gave no memory map; cannot go on");
    haltFailure();
  }
  if (!pagingInit(<u32>memDescriptorsEnd())) {
    println("paging: out of physical pages for the initial page tables");
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
  print(" (page 0 and the stack guard page ");
  printHexCell(stackGuard(), 8, 0);
  println(" unmapped)");
}

function allocatorsInit(): void {
  if (!allocInit(identityMapEnd(), MIRROR_BASE)) {
    println("alloc: no physical page for the first slab");
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
}

// What the command line understands (README, "Kernel command line").
const COMMAND_LINE_WORDS: StaticArray<string> = ["test", "trap", "fault", "misuse", "dump", "bench", "monitor"];

// A word the kernel does not understand stops it: a typo must not look like success.
function refuse(what: string, value: string, valid: string): void {
  print(what);
  print(value);
  print(" is not understood; known: ");
  println(valid);
  haltFailure();
}

// An empty string stands in for a missing command line.
const EMPTY_CSTRING = memory.data(4);

function commandLine(info: MultibootInfo): usize {
  return (info.flags & MULTIBOOT_INFO_CMDLINE) != 0 ? <usize>info.cmdline : EMPTY_CSTRING;
}

function printLoader(info: MultibootInfo): void {
  print("boot loader:     ");
  printCString((info.flags & MULTIBOOT_INFO_LOADER_NAME) != 0 ? <usize>info.bootLoaderName : EMPTY_CSTRING);
  println();
  print("command line:    ");
  printCString(commandLine(info));
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
