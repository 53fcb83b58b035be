// kernel/core/symbols.ts: turning code addresses back into source names,
// and walking the stack for backtraces.
//
// The table is built from the linked kernel by tools/build/symbols.mjs and linked
// into it (a second link pass). Names read as the sources do:
// "kernel/main.ts kmain", "boot/cpu.c divide", "_start".
//
//   table + 0                 count u32
//   table + 4 + 12 * i        start u32 | end u32 | name u32 (NUL-terminated)
//
// Beside it, the line table from the kernel's DWARF: the source line of
// each address is that of the last entry at or below it (line 0: none).
//
//   lines + 0                 count u32
//   lines + 4                 files u32: array of name u32 (NUL-terminated)
//   lines + 8 + 8 * i         start u32 | line u16 | file u16
//
// A location prints as "kernel/debug/inject.ts:42 faultWrite+0x3"; when the
// line is in another file than the function (code inlined from elsewhere),
// as "kernel/main.ts kmain+0x9e35, at kernel/ktest/suites.ts:17".
//
// Backtraces follow the frame-pointer chain that clang keeps in every
// function (-fno-omit-frame-pointer): [ebp] is the caller's ebp, [ebp + 4]
// the return address. The walk stays inside the kernel's stacks, so a
// corrupt chain ends the backtrace instead of faulting.

import { printCString, printDec, printHex, print, println } from "./console";
import { doubleFaultStackBottom, doubleFaultStackTop, lineTable, stackBottom, stackTop, symbolTable } from "../arch/x86/layout";

@inline const ENTRY_BYTES: usize = 12;
@inline const ENTRY_START: usize = 0;
@inline const ENTRY_END: usize = 4;
@inline const ENTRY_NAME: usize = 8;
@inline const LINE_ENTRY_BYTES: usize = 8;
@inline const LINE_ENTRY_START: usize = 0;
@inline const LINE_ENTRY_LINE: usize = 4;
@inline const LINE_ENTRY_FILE: usize = 6;
/** Lines a backtrace prints at most; a run of one repeated frame takes one line. */
@inline export const BACKTRACE_MAX_LINES: i32 = 32;
/** Frames a backtrace walks at most (a kernel stack of 16 KiB holds fewer). */
@inline const BACKTRACE_MAX_FRAMES: i32 = 8192;

/** The symbol table entry whose code contains `addr`, or 0. */
export function symbolLookup(addr: usize): usize {
  const table = symbolTable();
  let low: u32 = 0;
  let high = load<u32>(table);
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = table + 4 + <usize>middle * ENTRY_BYTES;
    if (addr < load<u32>(entry + ENTRY_START)) high = middle;
    else if (addr >= load<u32>(entry + ENTRY_END)) low = middle + 1;
    else return entry;
  }
  return 0;
}

/** The address of the NUL-terminated name of the function containing `addr`, or 0. */
export function symbolName(addr: usize): usize {
  const entry = symbolLookup(addr);
  return entry == 0 ? 0 : <usize>load<u32>(entry + ENTRY_NAME);
}

/** The line table entry for `addr` (the last at or below it), or 0 when it has no source line. */
export function lineLookup(addr: usize): usize {
  const table = lineTable();
  let low: u32 = 0;
  let high = load<u32>(table);
  // Invariant: entries below `low` start at or below addr, entries from `high` above it.
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (addr < load<u32>(table + 8 + <usize>middle * LINE_ENTRY_BYTES + LINE_ENTRY_START)) high = middle;
    else low = middle + 1;
  }
  if (low == 0) return 0;
  const entry = table + 8 + <usize>(low - 1) * LINE_ENTRY_BYTES;
  return load<u16>(entry + LINE_ENTRY_LINE) == 0 ? 0 : entry;
}

/** The address of the NUL-terminated path of a line table entry's file. */
function lineFile(entry: usize): usize {
  const files = <usize>load<u32>(lineTable() + 4);
  return <usize>load<u32>(files + 4 * <usize>load<u16>(entry + LINE_ENTRY_FILE));
}

/** Where `name` ("file name") continues after `file` and a space, or 0 when it does not start with them. */
function afterFile(name: usize, file: usize): usize {
  while (load<u8>(file) != 0) {
    if (load<u8>(name) != load<u8>(file)) return 0;
    name++;
    file++;
  }
  return load<u8>(name) == 0x20 ? name : 0;
}

/**
 * Writes "file:line name+0xoffset" for `addr` (see the header for code
 * inlined from another file), "name+0xoffset" when the address has no
 * source line, or "(unknown)". A return address is looked up one byte back,
 * in its call instruction: a call that never returns can be the last
 * instruction of its function.
 */
export function printSymbol(addr: usize, isReturnAddress: bool = false): void {
  const look = isReturnAddress ? addr - 1 : addr;
  const entry = symbolLookup(look);
  if (entry == 0) {
    print("(unknown)");
    return;
  }
  const name = <usize>load<u32>(entry + ENTRY_NAME);
  const line = lineLookup(look);
  const file: usize = line == 0 ? 0 : lineFile(line);
  const rest: usize = file == 0 ? 0 : afterFile(name, file);
  if (rest != 0) {
    printLine(file, line);
    printCString(rest);
  } else {
    printCString(name);
  }
  print("+");
  printHex(addr - load<u32>(entry + ENTRY_START), 0);
  if (file != 0 && rest == 0) {
    print(", at ");
    printLine(file, line);
  }
}

function printLine(file: usize, entry: usize): void {
  printCString(file);
  print(":");
  printDec(load<u16>(entry + LINE_ENTRY_LINE));
}

/** Whether a frame record at `ebp` lies in one of the kernel's stacks (never in the unmapped guard page). */
function isStackFrame(ebp: usize): bool {
  if ((ebp & 3) != 0) return false;
  if (ebp >= stackBottom() && ebp + 8 <= stackTop()) return true;
  return ebp >= doubleFaultStackBottom() && ebp + 8 <= doubleFaultStackTop();
}

/**
 * Prints a backtrace: first `eip` (0 to skip it), then the return address of
 * each frame on the chain starting at `ebp`. Consecutive identical return
 * addresses (deep recursion) print once, with a count.
 */
export function printBacktrace(eip: usize, ebp: usize): void {
  println("backtrace:");
  let lines = 0;
  if (eip != 0) {
    printFrame(eip, false);
    lines++;
  }
  let previous: usize = 0;
  let repeats: u32 = 0;
  for (let depth = 0; depth < BACKTRACE_MAX_FRAMES && ebp != 0 && isStackFrame(ebp); depth++) {
    const returnAddress = <usize>load<u32>(ebp + 4);
    if (returnAddress == 0) break;
    ebp = <usize>load<u32>(ebp);
    if (returnAddress == previous) {
      repeats++;
      continue;
    }
    printRepeats(repeats);
    repeats = 0;
    if (lines++ == BACKTRACE_MAX_LINES) {
      println("    ...");
      return;
    }
    printFrame(returnAddress, true);
    previous = returnAddress;
  }
  printRepeats(repeats);
}

function printRepeats(repeats: u32): void {
  if (repeats == 0) return;
  print("    ... the frame above ");
  printDec(repeats);
  println(" more times");
}

function printFrame(addr: usize, isReturnAddress: bool): void {
  print("    ");
  printHex(addr);
  print("  ");
  printSymbol(addr, isReturnAddress);
  println();
}
