// kernel/ktest/harness.ts: running a test suite inside the kernel.
//
// `test=NAME` on the command line runs one suite (kernel/ktest/suites.ts).
// Each case prints one line on serial and VGA,
//
//   ok   console: fmtHex keeps leading zeros
//   FAIL console: fmtDec of zero: expected "0", got ""
//
// and the suite ends with "suite console: N passed, N failed" and leaves
// QEMU with the success status only if nothing failed. The host runner
// (tests/kernel/) reads those lines and that status.

import { print, printBytes, printDec, println, printHex } from "../core/console";
import { haltFailure, haltSuccess } from "../core/halt";

let suite = "";
let passed: u32 = 0;
let failed: u32 = 0;

/** Starts the suite `name`. */
export function suiteBegin(name: string): void {
  suite = name;
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
  print(suite);
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

/** Prints the summary and leaves QEMU: success only when every case passed. */
export function suiteEnd(): void {
  print("suite ");
  print(suite);
  print(": ");
  printDec(passed);
  print(" passed, ");
  printDec(failed);
  println(" failed");
  if (failed == 0 && passed > 0) haltSuccess();
  else haltFailure();
}
