// kernel/monitor/commands.ts: the monitor's commands, in one table.
//
// Each command has a name, a usage line, a one-line description, and the
// number of words it takes; commandRun checks the count, then runs it. A
// command calls the kernel's own functions and prints with the kernel's own
// dumps (allocDump, areaDump, pagingPrintWalk), so the monitor, the boot
// report and the GDB script (tools/gdb/kernel.py) show one format.
//
// Mistakes are survivable: a command passes what was typed straight to the
// kernel function, whose checks refuse bad input with a panic before
// changing anything; kernel/monitor/monitor.ts has armed a resume point
// (core/resume.ts), so the panic prints its message and the monitor reads
// the next line. peek and poke go through probes (arch/x86/probe.ts), and
// poke and fault write only where debug/guard.ts allows (poke! anywhere).
// Only `fault`, `trap` and `test` disarm it: they are meant to stop the kernel.
//
// Nothing here allocates on the AssemblyScript heap per command: words are
// read in place (monitor/words.ts), numbers printed through the console's
// scratch buffer. The name lists for `trap` and `test` are split once.

import { inMirror, MIRROR_BASE, mirrorDirectory, mirrorTable, mirrorWritten } from "../arch/x86/mirror";
import { ENTRIES_PER_TABLE, PAGE_SIZE, PDE_SHIFT, PTE_ADDRESS, PTE_PRESENT, PTE_SHIFT, PTE_USER, PTE_WRITABLE } from "../arch/x86/paging";
import { probeLastAddress, probeLoad, probeStore, probeValue } from "../arch/x86/probe";
import { consoleQuiet, print, printCell, printChar, printDec, printHex, println } from "../core/console";
import { haltSuccess } from "../core/halt";
import { heapBase, heapBytes } from "../core/heap";
import { interruptsOff } from "../core/irq";
import { MultibootInfo } from "../core/multiboot";
import { resumeDisarm } from "../core/resume";
import { guardRefusal, guardSplits } from "../debug/guard";
import { accessBegin, accessEnd, accessRefused, faultRead, faultWrite, injectTrap, trapNames } from "../debug/inject";
import { inputTakeInterrupt } from "../drivers/input";
import { PIT_HZ, pitTicks } from "../drivers/pit";
import { suiteNames, suiteRun } from "../ktest/harness";
import { alloc, allocDump, CLASS_COUNT, free } from "../mm/alloc";
import { areaAlloc, areaAllocLazy, areaDump, areaFree, areaOf, areaRangeEnd, areaRangeStart } from "../mm/area";
import { frameAlloc, frameRelease, framesFree, framesInUse, framesReserved, framesTotal } from "../mm/frames";
import { pageMap, pageTranslate, pageUnmap, pagingPrintWalk, PAGE_NOT_MAPPED } from "../mm/pages";
import { HAND_MAP_BASE, HAND_MAP_END, inDirectoryViews } from "../mm/regions";
import { spaceRunning } from "../mm/space";
import { Action } from "../lib/actions";
import { TOO_LARGE, wordCount, wordDropPrefix, wordIs, wordNumber, wordPrint, wordStart, WORDS_MAX } from "./words";

/**
 * One command: a row of the kernel's one table shape (lib/actions.ts), with
 * the words it takes as its usage shows them, and the least and the most
 * words it takes after its name; run is called once the count is right.
 */
@final class Command extends Action {
  constructor(
    name: string,
    readonly args: string,
    help: string,
    readonly minWords: i32,
    readonly maxWords: i32,
    run: () => void,
  ) {
    super(name, help, run);
  }
}

// The commands, in the order `help` lists them (commandTable).
let commands: Array<Command> = [];

/** Keeps what `test` needs, and builds the command table and the name lists (the only allocation, once). */
export function commandsInit(info: MultibootInfo): void {
  bootInfo = changetype<usize>(info);
  trapList = trapNames();
  trapWords = trapList.split(" ");
  suiteList = suiteNames();
  suiteWords = suiteList.split(" ");
  commands = commandTable();
}

// The table. Each row: name, its words as the usage shows them, what it
// does, the least and the most words after the name, the function.
function commandTable(): Array<Command> {
  return [
    new Command("help", "[NAME]", "list the commands, or describe one", 0, 1, help),
    new Command("mem", "", "frames (free, reserved, in use, total) and the AssemblyScript heap", 0, 0, mem),
    new Command("alloc", "SIZE", "allocate SIZE bytes (alloc); prints the address", 1, 1, allocCommand),
    new Command("free", "ADDR", "free the block at ADDR (free)", 1, 1, freeCommand),
    new Command("area", "PAGES", "allocate PAGES pages of virtual memory (areaAlloc); prints the address", 1, 1, areaCommand),
    new Command("areafree", "ADDR", "free the area at ADDR (areaFree)", 1, 1, areaFreeCommand),
    new Command("map", "VADDR [PADDR]", "map the page at VADDR, writable, to PADDR (a frame in use, e.g. another mapping's) or to a fresh frame (pageMap)", 1, 2, mapCommand),
    new Command("unmap", "VADDR", "unmap the page at VADDR (pageUnmap); prints the frame it mapped", 1, 1, unmapCommand),
    new Command("pt", "VADDR", "the page walk for VADDR through the mirror: PDE, PTE, physical address", 1, 1, ptCommand),
    new Command("vmmap", "", "every mapped range, with the rights the CPU applies (as GDB's vmmap)", 0, 0, vmmap),
    new Command("areas", "", "the area allocator's used and free lists", 0, 0, areasCommand),
    new Command("slabs", "[CLASS]", "the slab size classes, or the row of CLASS (0-9, 10: records)", 0, 1, slabsCommand),
    new Command("peek", "ADDR [COUNT]", "COUNT words (default 1, at most 64) from ADDR; a fault is reported, not fatal", 1, 2, peekCommand),
    new Command("poke", "ADDR VALUE", "write the word VALUE to ADDR; a fault is reported, not fatal; refused where it would overwrite the kernel's own memory", 2, 2, pokeCommand),
    new Command("poke!", "ADDR VALUE", "poke without the refusal: may stop the kernel (page tables through the mirror take effect: INVLPG)", 2, 2, pokeAnywayCommand),
    new Command("fault", "[read:]ADDR", "read or write ADDR from kernel code: a page fault report when unmapped (stops the kernel); says so when it did not fault", 1, 1, faultCommand),
    new Command("trap", "NAME", "raise an exception or a wasm trap (stops the kernel; breakpoint continues)", 1, 1, trapCommand),
    new Command("test", "NAME", "run an in-kernel test suite, with interrupts off (ends the run)", 1, 1, testCommand),
    new Command("ticks", "", "timer interrupts since the monitor started, and the uptime", 0, 0, ticksCommand),
    new Command("halt", "", "stop the kernel cleanly (QEMU status 33)", 0, 0, haltCommand),
    new Command("repeat", "N COMMAND", "run the rest of the line (commands separated by ;) N times; only the last run prints", 2, WORDS_MAX, repeatCommand),
    new Command("lazy", "PAGES", "allocate a lazy area of PAGES pages (areaAllocLazy): each page is backed on its first touch", 1, 1, lazyCommand),
  ];
}

// The width of the usage column in `help`.
@inline const USAGE_WIDTH: i32 = 20;

@inline const PEEK_MAX: u32 = 64;
@inline const PEEK_PER_LINE: u32 = 4;
@inline const AREAS_SHOWN: u32 = 64;

let bootInfo: usize = 0;
let trapList = "";
let trapWords: Array<string> | null = null;
let suiteList = "";
let suiteWords: Array<string> | null = null;
let pendingFrame: u32 = 0;
let repeatTimes: u32 = 0;
let repeatFrom: usize = 0;
let repeatAsked = false;
let repeating = false;

/**
 * A frame a command holds while calling a function that may refuse (map's
 * fresh frame): the monitor releases it when a refusal comes back.
 */
export function commandPendingFrame(): u32 {
  const frame = pendingFrame;
  pendingFrame = 0;
  return frame;
}

/** Runs the command in the split line (words.ts); an empty line does nothing. */
export function commandRun(): void {
  if (wordCount() == 0) return;
  const command = commandNamed(0);
  if (command == null) {
    print("monitor: unknown command: ");
    wordPrint(0);
    println(" (help lists the commands)");
    return;
  }
  const args = wordCount() - 1;
  if (args < command.minWords || args > command.maxWords) {
    print("usage: ");
    printUsage(command);
    println();
    return;
  }
  command.run();
}

// The command whose name is word `word`, or null.
function commandNamed(word: i32): Command | null {
  for (let i = 0; i < commands.length; i++) {
    const command = unchecked(commands[i]);
    if (wordIs(word, command.name)) return command;
  }
  return null;
}

// "alloc SIZE": the name, then its words.
function printUsage(command: Command): void {
  print(command.name);
  if (command.args.length == 0) return;
  print(" ");
  print(command.args);
}

// Word `i` as a number, or -1 after saying why it is not one.
function number(i: i32): i64 {
  const value = wordNumber(i);
  if (value >= 0) return value;
  wordPrint(0);
  print(value == TOO_LARGE ? ": too large (at most 0xffffffff): " : ": not a number (decimal or 0x hex): ");
  wordPrint(i);
  println();
  return -1;
}

function help(): void {
  if (wordCount() == 2) {
    const command = commandNamed(1);
    if (command == null) {
      print("help: no command ");
      wordPrint(1);
      println();
      return;
    }
    helpLine(command);
    return;
  }
  println("commands (numbers in decimal or 0x hex):");
  for (let i = 0; i < commands.length; i++) helpLine(unchecked(commands[i]));
}

function helpLine(command: Command): void {
  print("  ");
  printUsage(command);
  const width = command.name.length + (command.args.length > 0 ? 1 + command.args.length : 0);
  for (let column = width; column < USAGE_WIDTH; column++) print(" ");
  print("  ");
  println(command.help);
}

function areasCommand(): void {
  areaDump(AREAS_SHOWN);
}

function mem(): void {
  print("mem: frames: ");
  printDec(framesFree());
  print(" free, ");
  printDec(framesReserved());
  print(" reserved, ");
  printDec(framesInUse());
  print(" in use, ");
  printDec(framesTotal());
  println(" total");
  print("mem: AssemblyScript heap: ");
  printDec(heapBytes());
  print(" bytes in live objects, from ");
  printHex(heapBase());
  println();
}

function allocCommand(): void {
  const size = number(1);
  if (size < 0) return;
  const block = alloc(<u32>size);
  print("alloc: ");
  if (block == 0) println("0 (nothing allocated: size 0, or memory exhausted)");
  else {
    printHex(block);
    println();
  }
}

function freeCommand(): void {
  const ptr = number(1);
  if (ptr < 0) return;
  if (ptr == 0) {
    println("free: 0 is the null pointer; free(0) does nothing");
    return;
  }
  free(<usize>ptr);
  print("free: ");
  printHex(<u32>ptr);
  println(" freed");
}

function areaCommand(): void {
  const pages = number(1);
  if (pages < 0) return;
  const start = areaAlloc(<u32>pages);
  print("area: ");
  if (start == 0 && pages > <i64>framesFree()) {
    print("0 (nothing allocated: ");
    printDec(<u32>pages);
    print(" pages need as many free frames, and ");
    printDec(framesFree());
    println(" are free)");
  } else if (start == 0) println("0 (nothing allocated: 0 pages, or no room)");
  else {
    printHex(start);
    println();
  }
}

function lazyCommand(): void {
  const pages = number(1);
  if (pages < 0) return;
  const start = areaAllocLazy(<u32>pages);
  print("lazy: ");
  if (start == 0) println("0 (nothing allocated: 0 pages, or no room)");
  else {
    printHex(start);
    println();
  }
}

function areaFreeCommand(): void {
  const addr = number(1);
  if (addr < 0) return;
  areaFree(<u32>addr);
  print("areafree: ");
  printHex(<u32>addr);
  println(" freed");
}

function mapCommand(): void {
  const vaddr = number(1);
  if (vaddr < 0 || kernelMapsOnly("map", <u32>vaddr)) return;
  let paddr: i64 = 0;
  if (wordCount() == 3) {
    paddr = number(2);
    if (paddr < 0) return;
  } else {
    paddr = frameAlloc();
    if (paddr == 0) {
      println("map: no free frame");
      return;
    }
    pendingFrame = <u32>paddr; // released by the monitor if pageMap refuses
  }
  const mapped = pageMap(<u32>vaddr, <u32>paddr, PTE_WRITABLE);
  if (pendingFrame != 0) {
    pendingFrame = 0;
    frameRelease(<u32>paddr); // the mapping holds the frame now; without one, this frees it
  }
  if (!mapped) {
    println("map: no frame for a page table; nothing mapped");
    return;
  }
  print("map: ");
  printHex(<u32>vaddr);
  print(" -> ");
  printHex(<u32>paddr);
  println(", writable");
}

function unmapCommand(): void {
  const vaddr = number(1);
  if (vaddr < 0 || kernelMapsOnly("unmap", <u32>vaddr)) return;
  const paddr = pageUnmap(<u32>vaddr);
  print("unmap: ");
  printHex(<u32>vaddr);
  print(" mapped ");
  printHex(paddr);
  println();
}

// Whether `vaddr` lies where only the kernel maps, after saying so: the
// areas' range, where every page belongs to an area, free or used, and the
// kernel's windows above the one for mappings by hand (mm/regions.ts says
// why map and unmap must stay out).
function kernelMapsOnly(command: string, vaddr: u32): bool {
  const areas = vaddr >= areaRangeStart() && vaddr < areaRangeEnd();
  if (!areas && (vaddr < HAND_MAP_END || inMirror(vaddr))) return false;
  print(command);
  print(": ");
  printHex(vaddr);
  if (areas) {
    print(" belongs to the area allocator (");
    printHex(areaRangeStart());
    print("-");
    printHex(areaRangeEnd() - 1);
    print(")");
  } else print(inDirectoryViews(vaddr) ? " is in the page directories' window" : " is in the slot kept for a second mirror");
  print("; map and unmap pages by hand from ");
  printHex(HAND_MAP_BASE);
  print(" to ");
  printHex(HAND_MAP_END - 1);
  println(", or in user space");
  return true;
}

function ptCommand(): void {
  const vaddr = number(1);
  if (vaddr < 0) return;
  print("pt: ");
  printHex(<u32>vaddr);
  println();
  pagingPrintWalk(<u32>vaddr);
  const paddr = pageTranslate(<u32>vaddr);
  print("    physical:    ");
  if (paddr == PAGE_NOT_MAPPED) println("not mapped");
  else {
    printHex(<u32>paddr);
    println();
  }
}

// Runs of consecutive pages with the same rights, mapped to consecutive
// physical pages or lying in one used area whatever their frames (a lazy
// area's pages are backed one by one as they are first touched): the
// physical column says "scattered" then. The rights are what the CPU
// applies, the stricter of the PDE and the PTE (SDM vol. 3, 4.6). The mirror
// shows last: its page tables as one run, then the directory's own page.
// The same runs as GDB's vmmap (tools/gdb/kernel.py).
let runFirst: u32 = 0;
let runLast: u32 = 0;
let runPhysical: u32 = 0;
let runFlags: u32 = 0;
let runPages: u32 = 0;
let runOwner: usize = 0;        // the used area of the run's pages (or MIRROR_TABLES), 0 for none
let runConsecutive = true;
@inline const MIRROR_TABLES: usize = 1;

function vmmap(): void {
  print("  ");
  printCell("virtual", 23);
  print("  ");
  printCell("physical", 10);
  print("  ");
  printCell("flags", 5);
  println("  pages");
  runPages = 0;
  runsStopped = false;
  for (let i: u32 = 0; i < ENTRIES_PER_TABLE && !runsStopped; i++) {
    const pde = load<u32>(mirrorDirectory() + i * 4);
    if ((pde & PTE_PRESENT) == 0) continue;
    const table = mirrorTable(i);
    for (let j: u32 = 0; j < ENTRIES_PER_TABLE && !runsStopped; j++) {
      const pte = load<u32>(table + j * 4);
      if ((pte & PTE_PRESENT) != 0) vmmapPage((i << PDE_SHIFT) | (j << PTE_SHIFT), pte & PTE_ADDRESS, pde & pte & (PTE_WRITABLE | PTE_USER));
    }
  }
  if (runsStopped) println("vmmap: interrupted (Ctrl-C)");
  else if (runPages != 0) vmmapRun();
}

// Set when a Ctrl-C came while vmmap printed: a long map stops at a line's end.
let runsStopped = false;

// The used area `vaddr` lies in, MIRROR_TABLES for the mirror's page tables, or 0.
function pageOwner(vaddr: u32): usize {
  if (inMirror(vaddr)) return vaddr < mirrorDirectory() ? MIRROR_TABLES : 0;
  return vaddr >= areaRangeStart() && vaddr < areaRangeEnd() ? areaOf(vaddr) : 0;
}

function vmmapPage(vaddr: u32, paddr: u32, flags: u32): void {
  const owner = pageOwner(vaddr);
  if (runPages != 0 && vaddr == runLast + PAGE_SIZE && flags == runFlags && vaddr != mirrorDirectory()) {
    const consecutive = paddr == runPhysical + runPages * PAGE_SIZE;
    if (consecutive || (owner != 0 && owner == runOwner)) {
      runConsecutive = runConsecutive && consecutive;
      runLast = vaddr;
      runPages++;
      return;
    }
  }
  if (runPages != 0) vmmapRun();
  runFirst = vaddr;
  runLast = vaddr;
  runPhysical = paddr;
  runFlags = flags;
  runPages = 1;
  runOwner = owner;
  runConsecutive = true;
}

function vmmapRun(): void {
  print("  ");
  printHex(runFirst);
  print("-");
  printHex(runLast + PAGE_SIZE - 1);
  print("  ");
  if (runConsecutive) printHex(runPhysical);
  else printCell("scattered", 10);
  print("  ");
  printCell((runFlags & PTE_WRITABLE) != 0 ? ((runFlags & PTE_USER) != 0 ? "rwu" : "rws") : ((runFlags & PTE_USER) != 0 ? "r-u" : "r-s"), 5);
  print("  ");
  printDec(runPages);
  if (runFirst == mirrorDirectory()) print("  (mirror: the page directory)");
  else if (runFirst >= MIRROR_BASE) print("  (mirror: page tables)");
  else if (inDirectoryViews(runFirst)) print("  (page directories)");
  println();
  if (inputTakeInterrupt()) {
    runsStopped = true;
    interruptTaken = true;
  }
}

// A Ctrl-C a command took for itself (vmmap's), which also stops the repeat around it.
let interruptTaken = false;

/** Whether the commands run since the last call took a Ctrl-C (it stops a repeat too); clears it. */
export function commandTookInterrupt(): bool {
  const taken = interruptTaken;
  interruptTaken = false;
  return taken;
}

function slabsCommand(): void {
  if (wordCount() == 1) {
    allocDump();
    return;
  }
  const index = number(1);
  if (index < 0) return;
  if (index > <i64>CLASS_COUNT) {
    print("slabs: no class ");
    printDec(<u32>index);
    print(" (0-");
    printDec(CLASS_COUNT);
    println(")");
    return;
  }
  allocDump(<u32>index);
}

function peekCommand(): void {
  const addr = number(1);
  if (addr < 0) return;
  let count: i64 = 1;
  if (wordCount() == 3) {
    count = number(2);
    if (count < 0) return;
  }
  if (count == 0 || count > <i64>PEEK_MAX) {
    println("peek: COUNT is 1 to 64 words");
    return;
  }
  for (let k: u32 = 0; k < <u32>count; k++) {
    const at = <u32>addr + k * 4;
    // Read first: a line starts only with a word to show.
    const readable = probeLoad(at);
    if (k % PEEK_PER_LINE != 0 && !readable) println();
    if (!readable) {
      print("peek: not readable (page fault) at ");
      printHex(at);
      println();
      return;
    }
    if (k % PEEK_PER_LINE == 0) {
      if (k != 0) println();
      printHex(at);
      print(":");
    }
    printChar(0x20);
    printHex(probeValue());
  }
  println();
}

// `poke ADDR VALUE` writes only where debug/guard.ts allows; `poke!` anywhere.
function pokeCommand(): void {
  poke("poke", true);
}

function pokeAnywayCommand(): void {
  poke("poke!", false);
}

function poke(name: string, guarded: bool): void {
  const addr = number(1);
  if (addr < 0) return;
  const value = number(2);
  if (value < 0) return;
  const at = <u32>addr;
  if (guardSplits(at, 4)) {
    print(name);
    print(": ");
    printHex(at);
    println(" straddles two pages and the second would fault: the first could change first (a lazy page backed); nothing written");
    return;
  }
  const what = guarded ? guardRefusal(at, 4) : "";
  if (what.length != 0) {
    print("poke: refused: the word at ");
    printHex(at);
    print(" would overwrite ");
    print(what);
    println("; nothing written");
    println("poke: a write there breaks the kernel, often with no report; poke! writes anyway (it may stop the kernel)");
    return;
  }
  if (!probeStore(at, <u32>value)) {
    print(name);
    print(": not writable (page fault) at ");
    printHex(probeLastAddress());
    println("; nothing written");
    return;
  }
  // A page-table entry written through the mirror must reach the CPU's
  // translations too, both when the word straddles two entries.
  if (inMirror(at)) mirrorWritten(at);
  if (inMirror(at + 3) && (at + 3) >>> 2 != at >>> 2) mirrorWritten(at + 3);
  // The running directory's view is the mirror's directory page under another address.
  if ((at & ~0xFFF) == spaceRunning()) mirrorWritten(mirrorDirectory() + (at & 0xFFF));
  print(name);
  print(": ");
  printHex(at);
  print(" = ");
  printHex(<u32>value);
  println();
}

// `fault ADDR` or `fault read:ADDR`, as fault= does it (debug/inject.ts); the
// monitor goes on when it comes back (refused, no fault, or a lazy page backed).
function faultCommand(): void {
  const read = wordDropPrefix(1, "read:");
  const addr = number(1);
  if (addr < 0 || (!read && accessRefused("fault", <u32>addr))) return;
  runEnding();
  const lazy = accessBegin("fault", <u32>addr, read);
  if (read) faultRead(<usize>addr);
  else faultWrite(<usize>addr);
  accessEnd("fault", <u32>addr, read, lazy);
}

function trapCommand(): void {
  const name = known(trapWords!, "trap", trapList);
  if (name == null) return;
  runEnding();
  injectTrap(name);
}

function testCommand(): void {
  const name = known(suiteWords!, "test", suiteList);
  if (name == null) return;
  runEnding();
  interruptsOff(); // a suite sees the machine as the boot left it
  suiteRun(name, changetype<MultibootInfo>(bootInfo), true);
}

// The name in `names` that word 1 spells, or null after listing them.
function known(names: Array<string>, command: string, list: string): string | null {
  for (let i = 0; i < names.length; i++) {
    if (wordIs(1, unchecked(names[i]))) return unchecked(names[i]);
  }
  print(command);
  print(": unknown name ");
  wordPrint(1);
  print("; known: ");
  println(list);
  return null;
}

function ticksCommand(): void {
  const ticks = pitTicks();
  print("ticks: ");
  printDec(ticks);
  print(" (uptime ");
  printDec(ticks / PIT_HZ);
  print(".");
  const hundredths = (ticks % PIT_HZ) * 100 / PIT_HZ;
  if (hundredths < 10) printChar(0x30);
  printDec(hundredths);
  print(" s at ");
  printDec(PIT_HZ);
  println(" Hz)");
}

// A command that may end the run: no resume point any more, and the console
// on even in a muted run of a repeat, so that how the run ended is printed.
function runEnding(): void {
  resumeDisarm();
  consoleQuiet(false);
}

function haltCommand(): void {
  runEnding();
  interruptsOff();
  println("kernel halted cleanly");
  haltSuccess();
}

// `repeat N COMMAND...`: records what to repeat; monitor/monitor.ts runs it
// (commandRepeatTimes) once this line's command is done.
function repeatCommand(): void {
  if (repeating) {
    println("repeat: not inside another repeat");
    return;
  }
  const times = number(1);
  if (times < 0) return;
  repeatTimes = <u32>times;
  repeatFrom = wordStart(2);
  repeatAsked = true;
}

/** Whether the command just run was `repeat`. */
export function commandRepeatPending(): bool { return repeatAsked; }

/** How many times the line asked to repeat the rest of itself (0: no repeat); clears the request. */
export function commandRepeatTimes(): u32 {
  const times = repeatTimes;
  repeatTimes = 0;
  repeatAsked = false;
  return times;
}

/** Where the text to repeat starts (up to the end of the line). */
export function commandRepeatFrom(): usize { return repeatFrom; }

/** While on, `repeat` is refused (no nesting). */
export function commandRepeating(on: bool): void { repeating = on; }
