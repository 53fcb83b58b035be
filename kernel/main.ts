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
// and otherwise halts cleanly. The words are listed once, in
// COMMAND_LINE_WORDS; a line with an unknown word, a repeated key, a value
// for `bench` or a value the kernel does not understand stops it (see
// kernel/lib/cmdline.ts), so that a typo never looks like a clean run.

import { consoleInit, consoleSerial, print, printCell, printDec, printEscaped, printHexCell, println, printSizeCell } from "./core/console";
import { haltFailure, haltSuccess } from "./core/halt";
import {
  MultibootInfo, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_LOADER_NAME,
  mmapBase, mmapFirst, mmapLength, mmapNext, mmapType, mmapTypeName,
} from "./core/multiboot";
import { gdtInit } from "./core/gdt";
import { idtInit } from "./core/idt";
import { picInit } from "./drivers/pic";
import { memDescriptorsEnd, memInit, MEM_NO_MAP, MEM_OK } from "./mm/mem";
import { HAND_MAP_BASE, identityMapEnd, mirrorDirectory, MIRROR_INDEX, pageDirectory, pagingInit } from "./arch/x86/paging";
import { allocDump, allocInit, CLASS_COUNT, CLASS_MAX_SHIFT, CLASS_MIN_SHIFT } from "./mm/alloc";
import { areaDump, areaFreeCount, areaFreePages, areaRangeEnd, areaRangeStart, areaUsedCount, areaUsedPages } from "./mm/area";
import { doubleFaultStackGuard, kernelReadonlyEnd, kernelStart, stackGuard } from "./core/layout";
import { injectFault, injectMisuse, injectTrap, MISUSE_NAMES, TRAP_NAMES } from "./debug/inject";
import {
  cmdlineCheck, cmdlineFind, cmdlineProblemStart, cmdlineValue, cmdlineWordEnd, cmdlineWordsStart, cstringLength,
  CMDLINE_OK, CMDLINE_REPEATED, CMDLINE_UNKNOWN, CMDLINE_VALUE_REFUSED,
} from "./lib/cmdline";
import { runSuite, SUITE_NAMES } from "./ktest/suites";
import { rdtsc } from "./arch/x86/cpu";
import { runBenchmarks } from "../bench/kernel/bench";
import { monitorRun } from "./monitor/monitor";

// The entry points boot/ calls, besides kmain.
export { wasmTrap } from "./core/trap";
export { interruptDispatch, doubleFault } from "./core/interrupts";
// The page-level steps bench/peer.c borrows (bench/README.md).
export {
  benchRecordAlloc, benchRecordMark, benchRecordUndo, benchAreaTake, benchAreaAttach, benchAreaRelease, benchAreaAlloc,
} from "../bench/kernel/bench";

/** The kernel. `magic` and `multibootInfo` are EAX and EBX as the boot loader left them. */
export function kmain(magic: u32, multibootInfo: usize): void {
  // The command line is read first (benchmarks want a quiet boot), and only
  // from a structure the magic vouches for.
  const trusted = magic == MULTIBOOT_BOOTLOADER_MAGIC;
  const whole = trusted ? commandLine(changetype<MultibootInfo>(multibootInfo)) : EMPTY_CSTRING;
  const wholeLength = cstringLength(whole);
  // QEMU puts the kernel's path first; the words are what follows it.
  const skip = trusted ? cmdlineWordsStart(whole, wholeLength, loaderName(changetype<MultibootInfo>(multibootInfo))) : 0;
  const line = whole + <usize>skip;
  const length = wholeLength - skip;
  const benchmarking = cmdlineFind(line, length, "bench") >= 0;
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

  checkCommandLine(line, length);
  const dump = cmdlineValue(line, length, "dump");
  if (dump != null && dump != "alloc") refuse(line, length, "dump", "alloc");
  if (dump != null) {
    allocDump();
    areaDump(64);
  }
  const fault = cmdlineValue(line, length, "fault");
  if (fault != null && !injectFault(fault)) refuse(line, length, "fault", "an address, or read:ADDRESS (0x... or decimal)");
  const trap = cmdlineValue(line, length, "trap");
  if (trap != null && !injectTrap(trap)) refuse(line, length, "trap", TRAP_NAMES);
  const misuse = cmdlineValue(line, length, "misuse");
  if (misuse != null && !injectMisuse(misuse)) refuse(line, length, "misuse", MISUSE_NAMES);
  if (benchmarking) runBenchmarks(allocatorsReady);
  const test = cmdlineValue(line, length, "test");
  if (test != null && !runSuite(test, info)) refuse(line, length, "test", SUITE_NAMES);
  if (cmdlineFind(line, length, "monitor") >= 0) monitorRun(info);
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
  const mem = memInit(info);
  if (mem == MEM_NO_MAP) {
    println("mem: the boot loader gave no memory map; cannot go on");
    haltFailure();
  }
  if (mem != MEM_OK || !pagingInit(<u32>memDescriptorsEnd())) {
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

function allocatorsInit(): void {
  if (!allocInit(identityMapEnd(), HAND_MAP_BASE)) {
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

// What the command line understands (README, "Kernel command line"): the
// one list of the kernel's words. "key=" takes a value, "key" takes none.
const COMMAND_LINE_WORDS: StaticArray<string> = ["test=", "trap=", "fault=", "misuse=", "dump=", "bench", "monitor"];

// A line that could hide a typo stops the kernel: an unknown word, a key
// given twice, a value for a flag or a key without its value.
function checkCommandLine(line: usize, length: i32): void {
  const problem = cmdlineCheck(line, length, COMMAND_LINE_WORDS);
  if (problem == CMDLINE_OK) return;
  print("command line: ");
  printWord(line, length, cmdlineProblemStart());
  if (problem == CMDLINE_UNKNOWN) print(" is not a known word");
  else if (problem == CMDLINE_REPEATED) print(" repeats a key given before (each key may be given once)");
  else if (problem == CMDLINE_VALUE_REFUSED) print(" gives a value to a word that takes none");
  else print(" needs a value (key=value)");
  print("; known:");
  for (let i = 0; i < COMMAND_LINE_WORDS.length; i++) {
    print(" ");
    print(unchecked(COMMAND_LINE_WORDS[i]));
  }
  println();
  haltFailure();
}

// A value the kernel does not understand stops it: a typo must not look like success.
function refuse(line: usize, length: i32, key: string, valid: string): void {
  printWord(line, length, cmdlineFind(line, length, key));
  print(" is not understood; known: ");
  println(valid);
  haltFailure();
}

// The word of the command line that starts at `start`, control bytes escaped.
function printWord(line: usize, length: i32, start: i32): void {
  printEscaped(line + <usize>start, cmdlineWordEnd(line, length, start) - start);
}

// An empty string stands in for a missing command line.
const EMPTY_CSTRING = memory.data(4);

function commandLine(info: MultibootInfo): usize {
  return (info.flags & MULTIBOOT_INFO_CMDLINE) != 0 ? <usize>info.cmdline : EMPTY_CSTRING;
}

function loaderName(info: MultibootInfo): usize {
  return (info.flags & MULTIBOOT_INFO_LOADER_NAME) != 0 ? <usize>info.bootLoaderName : EMPTY_CSTRING;
}

// What the boot loader passed, control bytes escaped.
function printLoader(info: MultibootInfo): void {
  print("boot loader:     ");
  printEscaped(loaderName(info), cstringLength(loaderName(info)));
  println();
  print("command line:    ");
  printEscaped(commandLine(info), cstringLength(commandLine(info)));
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
