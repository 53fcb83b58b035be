// kernel/main.ts: the kernel's entry, called once by boot/entry.c.
//
// Boot path: boot/multiboot.asm (_start: stack, CPU and RAM checks, then
// kernel_entry) -> boot/entry.c (instantiate the wasm2c module) -> kmain
// below, which brings the machine up (kernel/bringup.ts), then does what the
// command line asks:
//
//   fault=ADDR, fault=read:ADDR, trap=NAME, misuse=NAME   see kernel/debug/inject.ts
//   test=NAME   run an in-kernel test suite and leave QEMU with its verdict
//               (test=list: the suites there are)
//   dump=alloc  print the size classes and both area lists (before the above)
//   monitor     the interactive monitor (kernel/monitor/), after all of the above
//
// and otherwise halts cleanly. The words are listed once, in
// COMMAND_LINE_WORDS; a line with an unknown word, a repeated key, a value
// for a flag or a value the kernel does not understand stops it (see
// kernel/lib/cmdline.ts), so that a typo never looks like a clean run.

import { print, printEscaped, println } from "./core/console";
import { haltFailure, haltSuccess } from "./core/halt";
import { allocDump } from "./mm/alloc";
import { areaDump } from "./mm/area";
import { injectFault, injectMisuse, injectTrap, misuseNames, trapNames } from "./debug/inject";
import {
  cmdlineCheck, cmdlineFind, cmdlineProblemStart, cmdlineValue, cmdlineWordEnd, cmdlineWordsStart, cstringLength,
  CMDLINE_OK, CMDLINE_REPEATED, CMDLINE_UNKNOWN, CMDLINE_VALUE_REFUSED,
} from "./lib/cmdline";
import { suiteNames, suiteRun } from "./ktest/harness";
import { monitorRun } from "./monitor/monitor";
import { bringUp, commandLine, loaderName } from "./bringup";
import { MultibootInfo } from "./core/multiboot";

// The entry points boot/ calls, besides kmain.
export { wasmTrap } from "./core/wasm-trap";
export { interruptDispatch, doubleFault } from "./trap/dispatch";
// Where the size classes and the record cache are: exported, each becomes a
// global (a field of kernel_instance) that tools/gdb/kernel.py and the web
// page read.
export { SLAB_CLASSES } from "./mm/alloc";
export { RECORD_CACHE } from "./mm/area";

/** The kernel. `magic` and `multibootInfo` are EAX and EBX as the boot loader left them. */
export function kmain(magic: u32, multibootInfo: usize): void {
  commandLineRun(bringUp(magic, multibootInfo));
}

/** Does what the command line asks, then halts. Does not return. */
export function commandLineRun(info: MultibootInfo): void {
  const whole = commandLine(info);
  // QEMU puts the kernel's path first; the words are what follows it.
  const skip = cmdlineWordsStart(whole, cstringLength(whole), loaderName(info));
  const line = whole + <usize>skip;
  const length = cstringLength(whole) - skip;

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
  if (trap != null && !injectTrap(trap)) refuse(line, length, "trap", trapNames());
  const misuse = cmdlineValue(line, length, "misuse");
  if (misuse != null && !injectMisuse(misuse)) refuse(line, length, "misuse", misuseNames());
  const test = cmdlineValue(line, length, "test");
  if (test != null && !suiteRun(test, info)) refuse(line, length, "test", "list " + suiteNames());
  if (cmdlineFind(line, length, "monitor") >= 0) monitorRun(info);
  println("kernel halted cleanly");
  haltSuccess();
}

// What the command line understands (README, "Kernel command line"): the
// one list of the kernel's words. "key=" takes a value, "key" takes none.
const COMMAND_LINE_WORDS: StaticArray<string> = ["test=", "trap=", "fault=", "misuse=", "dump=", "monitor"];

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
