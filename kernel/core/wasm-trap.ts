// kernel/core/wasm-trap.ts: what happens when the AssemblyScript code traps.
//
// A wasm trap (unreachable, integer divide by zero, integer overflow, ...)
// is raised by the generated C, which calls wasm_rt_trap in
// boot/wasm_runtime.c, which calls wasmTrap below. AssemblyScript's abort()
// (a failed assert, an out-of-range array index, an explicit abort) comes to
// kernelAbort through `--use abort=...` in asconfig.json. Both print a
// report on serial and VGA and stop the machine with the failure status; a
// trap while a report is being printed gets core/report.ts's one-line
// serial report instead.

import { callerFrame } from "../arch/x86/cpu";
import { print, printDec, println } from "./console";
import { reportBegin, reportEnd, REPORT_NO_VECTOR } from "./report";
import { printBacktrace } from "./symbols";

// wasm_rt_trap_t in wasm-rt.h (wabt 1.0.32), in its order.
@inline export const WASM_TRAP_OOB: u32 = 1;
@inline export const WASM_TRAP_INT_OVERFLOW: u32 = 2;
@inline export const WASM_TRAP_DIV_BY_ZERO: u32 = 3;
@inline export const WASM_TRAP_INVALID_CONVERSION: u32 = 4;
@inline export const WASM_TRAP_UNREACHABLE: u32 = 5;
@inline export const WASM_TRAP_CALL_INDIRECT: u32 = 6;
@inline export const WASM_TRAP_UNCAUGHT_EXCEPTION: u32 = 7;
@inline export const WASM_TRAP_EXHAUSTION: u32 = 8;

/** The name a report gives a wasm trap kind. */
export function wasmTrapName(kind: u32): string {
  switch (kind) {
    case WASM_TRAP_OOB: return "out-of-bounds memory access";
    case WASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_TRAP_UNREACHABLE: return "unreachable";
    case WASM_TRAP_CALL_INDIRECT: return "invalid indirect call";
    case WASM_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "unknown trap";
  }
}

/** Called by boot/wasm_runtime.c for every wasm trap. Reports it and stops. */
export function wasmTrap(kind: u32): void {
  reportBegin("TRAP", REPORT_NO_VECTOR, load<u32>(callerFrame() + 4));
  print("wasm trap: ");
  print(wasmTrapName(kind));
  print(" (kind ");
  printDec(kind);
  println(")");
  // The trapping function is a few frames up, past wasm_rt_trap.
  printBacktrace(0, callerFrame());
  reportEnd();
}

/** AssemblyScript's abort(), routed here by asconfig.json. Reports and stops. */
export function kernelAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  reportBegin("TRAP", REPORT_NO_VECTOR, load<u32>(callerFrame() + 4));
  print("abort: ");
  println(message != null ? message : "(no message)");
  if (fileName != null) {
    print("    at ");
    print(fileName);
    print(":");
    printDec(line);
    print(":");
    printDec(column);
    println();
  }
  printBacktrace(0, callerFrame());
  reportEnd();
}
