// kernel/core/symbols.ts: turning code addresses back into source names,
// and walking the stack for backtraces.
//
// The table is built from the linked kernel by tools/symbols.mjs and linked
// into it (a second link pass). Names read as the sources do:
// "kernel/main.ts kmain", "boot/cpu.c divide", "_start".
//
//   table + 0                 count u32
//   table + 4 + 12 * i        start u32 | end u32 | name u32 (NUL-terminated)
//
// Backtraces follow the frame-pointer chain that clang keeps in every
// function (-fno-omit-frame-pointer): [ebp] is the caller's ebp, [ebp + 4]
// the return address. The walk stays inside the kernel's stacks, so a
// corrupt chain ends the backtrace instead of faulting.

import { printCString, printDec, printHex, print, println } from "./console";
import { doubleFaultStackBottom, doubleFaultStackTop, stackBottom, stackTop, symbolTable } from "./layout";

@inline const ENTRY_BYTES: usize = 12;
@inline const ENTRY_START: usize = 0;
@inline const ENTRY_END: usize = 4;
@inline const ENTRY_NAME: usize = 8;
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

/**
 * Writes "name+0xoffset" for `addr`, or "(unknown)". A return address is
 * looked up one byte back, in its call instruction: a call that never
 * returns can be the last instruction of its function.
 */
export function printSymbol(addr: usize, isReturnAddress: bool = false): void {
  const entry = symbolLookup(isReturnAddress ? addr - 1 : addr);
  if (entry == 0) {
    print("(unknown)");
    return;
  }
  printCString(<usize>load<u32>(entry + ENTRY_NAME));
  print("+");
  printHex(addr - load<u32>(entry + ENTRY_START), 0);
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
