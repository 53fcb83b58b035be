// kernel/ktest/harness.ts: the in-kernel test suites: their table, and
// running one.
//
// A suite is a file in kernel/ktest/ that registers itself at its end:
//
//   suite("paging", "the page tables as the MMU sees them", pagingSuite);
//
// The build compiles every file of kernel/ktest/ but this one as an entry of
// its own (Makefile, KTEST_ENTRIES), so its registration runs at start-up and
// nothing else needs to name it: `test=NAME` on the command line and the
// monitor's `test NAME` run it, `test=list` lists it, and the QEMU tests
// (tests/kernel/) boot every suite `test=list` shows. A suite file exports
// nothing (an entry's exports would become the module's).
//
// Each case prints one line on serial and VGA,
//
//   ok   console: fmtHex keeps leading zeros
//   FAIL console: fmtDec of zero: expected "0", got ""
//
// and the suite ends with "suite console: N passed, N failed" and leaves
// QEMU with the success status only if nothing failed. The host runner
// (tests/kernel/) reads those lines and that status.

import { resumeSave } from "../arch/x86/cpu";
import { consoleQuiet, print, printBytes, printCell, printDec, println, printHex } from "../core/console";
import { resumeArm, resumeDisarm, resumePoint } from "../core/resume";
import { areaUsedCount, recordCache } from "../mm/area";
import { framesFree } from "../mm/frames";
import { haltFailure, haltSuccess } from "../core/halt";
import { MultibootInfo } from "../core/multiboot";
import { Action, actionNamed, actionNames } from "../lib/actions";

/** A suite: an Action whose run is the suite's body; `endsInReport` for one that must stop the kernel. */
export class Suite extends Action {
  constructor(name: string, help: string, run: () => void, readonly endsInReport: bool) {
    super(name, help, run);
  }
}

const suites = new Array<Suite>();
let bootInfo: usize = 0;

/**
 * Registers a suite (at the end of its file, after what the suite uses). `endsInReport`: the suite
 * ends in a fault or panic report on purpose (a test reads that report);
 * otherwise it must pass at any RAM size.
 */
export function suite(name: string, help: string, run: () => void, endsInReport: bool = false): void {
  suites.push(new Suite(name, help, run, endsInReport));
}

/** The names of the suites, separated by spaces. */
export function suiteNames(): string {
  return actionNames(suites);
}

/** What the boot loader passed, for a suite that reads it (console). */
export function suiteBootInfo(): MultibootInfo { return changetype<MultibootInfo>(bootInfo); }

let fromMonitor = false;

/** Whether the suite running was started by the monitor's `test` (else by test= on the command line). */
export function suiteFromMonitor(): bool { return fromMonitor; }

/**
 * Runs the suite `name` and leaves QEMU with its verdict (does not return);
 * returns false when there is no such suite. `list` prints the table.
 */
export function suiteRun(name: string, info: MultibootInfo, monitor: bool = false): bool {
  if (name == "list") {
    suiteList();
    return true;
  }
  const found = actionNamed(suites, name);
  if (found == null) return false;
  bootInfo = changetype<usize>(info);
  fromMonitor = monitor;
  suiteBegin(found.name);
  found.run();
  suiteEnd();
  return true;
}

// `test=list`: a line per suite, then a clean halt.
function suiteList(): void {
  println("suites:");
  for (let i = 0; i < suites.length; i++) {
    const s = unchecked(suites[i]);
    print("  ");
    printCell(s.name, 18);
    print(s.help);
    println(s.endsInReport ? " (ends in a report)" : "");
  }
  println("kernel halted cleanly");
  haltSuccess();
}

let current = "";
let passed: u32 = 0;
let failed: u32 = 0;

// Starts the suite `name`.
function suiteBegin(name: string): void {
  current = name;
  passed = 0;
  failed = 0;
  print("suite ");
  print(name);
  println(": start");
}

function caseBegin(ok: bool, name: string): void {
  if (ok) passed++;
  else failed++;
  print(ok ? "ok   " : "FAIL ");
  print(current);
  print(": ");
  print(name);
}

/** One case that holds when `ok`; `reason` says what went wrong otherwise. */
export function check(name: string, ok: bool, reason: string = "condition was false"): void {
  caseBegin(ok, name);
  if (!ok) {
    print(": ");
    print(reason);
  }
  println();
}

/** One case comparing two numbers; a failure prints both in hex. */
export function checkEqual(name: string, actual: u64, expected: u64): void {
  const ok = actual == expected;
  caseBegin(ok, name);
  if (!ok) {
    print(": expected ");
    printHex(expected, expected > <u64>u32.MAX_VALUE ? 16 : 8);
    print(", got ");
    printHex(actual, actual > <u64>u32.MAX_VALUE ? 16 : 8);
  }
  println();
}

/** One case comparing the `length` ASCII bytes at `buf` with `expected`. */
export function checkText(name: string, buf: usize, length: i32, expected: string): void {
  let ok = length == expected.length;
  for (let i = 0; ok && i < length; i++) ok = <i32>load<u8>(buf + <usize>i) == expected.charCodeAt(i);
  caseBegin(ok, name);
  if (!ok) {
    print(": expected \"");
    print(expected);
    print("\", got \"");
    printBytes(buf, length);
    print("\"");
  }
  println();
}

/**
 * Runs `request`, which a check of the kernel's (panicAt) should refuse;
 * returns whether it was refused. The refusal resumes here through a resume
 * point (core/resume.ts), with the console muted so that it prints nothing.
 * Kept out of line (tools/build/noinline.mjs): resumeSave returns into this
 * frame a second time.
 */
export function refused(request: () => void): bool {
  if (resumeSave(resumePoint()) != 0) {
    consoleQuiet(false);
    return true;
  }
  consoleQuiet(true);
  resumeArm();
  request();
  resumeDisarm();
  consoleQuiet(false);
  return false;
}

// What a suite started from the monitor compares, before and after: the
// frames and used areas, less the record cache's own slabs. The record
// cache (mm/area.ts) grows when a suite needs records, and may not shrink
// back when records from before the suite (the monitor's areas) sit where
// compaction would move them; its slabs are the allocator's bookkeeping,
// not something the suite left behind.

/** Free frames, counting the record cache's slabs' pages as free. */
export function framesFreeBesidesRecords(): u32 {
  const records = recordCache();
  return framesFree() + records.slabs * records.slabPages;
}

/** Used areas, less the record cache's slabs. */
export function usedAreasBesidesRecords(): u32 {
  return areaUsedCount() - recordCache().slabs;
}

// Prints the summary and leaves QEMU: success only when every case passed.
function suiteEnd(): void {
  print("suite ");
  print(current);
  print(": ");
  printDec(passed);
  print(" passed, ");
  printDec(failed);
  println(" failed");
  if (failed == 0 && passed > 0) haltSuccess();
  else haltFailure();
}
