// kernel/core/trap.ts: what happens when the AssemblyScript code traps.
//
// A wasm trap (unreachable, integer divide by zero, integer overflow, ...)
// is raised by the generated C, which calls wasm_rt_trap in
// boot/wasm_runtime.c, which calls wasmTrap below. AssemblyScript's abort()
// (a failed assert, an out-of-range array index, an explicit abort) comes to
// kernelAbort through `--use abort=...` in asconfig.json. Both print a
// report on serial and VGA and stop the machine with the failure status.

import { consoleAlert, consoleNormal, print, printDec, println } from "./console";
import { haltFailure } from "./halt";
import { VGA_WHITE_ON_RED } from "../drivers/vga";

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
  reportBegin();
  print("wasm trap: ");
  print(wasmTrapName(kind));
  print(" (kind ");
  printDec(kind);
  println(")");
  reportEnd();
}

/** AssemblyScript's abort(), routed here by asconfig.json. Reports and stops. */
export function kernelAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  reportBegin();
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
  reportEnd();
}

function reportBegin(): void {
  consoleAlert(VGA_WHITE_ON_RED);
  println();
  print("*** KERNEL TRAP: ");
}

function reportEnd(): void {
  println("*** kernel stopped");
  consoleNormal();
  haltFailure();
}

// Operands kept in memory, so that the optimiser cannot see the values and
// fold a deliberate trap below into a plain `unreachable`.
const trapOperands = memory.data(8);

/**
 * Deliberately reaches the wasm trap `name` (command line `trap=NAME`), so
 * that each kind of report can be seen and tested. Returns false when the
 * name is not one of them.
 */
export function raiseWasmTrap(name: string): bool {
  if (name == "unreachable") {
    unreachable();
  } else if (name == "abort") {
    // A failed assert() is the common way into abort(), and carries a location.
    assert(name.length == 0, "trap=abort asked for a failed assertion");
  } else if (name == "int-divide") {
    store<i32>(trapOperands, 0);
    store<i32>(trapOperands, 7 / load<i32>(trapOperands));
  } else if (name == "int-overflow") {
    store<i32>(trapOperands, i32.MIN_VALUE);
    store<i32>(trapOperands + 4, -1);
    store<i32>(trapOperands, load<i32>(trapOperands) / load<i32>(trapOperands + 4));
  } else {
    return false;
  }
  return true;
}
