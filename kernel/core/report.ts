// kernel/core/report.ts: the frame around every report that stops the kernel
// (wasm trap, CPU exception, panic): a header that stands out on the screen,
// and an end that halts with the failure status.
//
//   *** KERNEL FAULT: page fault (#PF, vector 0xe)
//   ...
//   *** kernel stopped
//
// A report is entered once. Printing one uses the VGA screen, the symbol
// table and the page walk, and any of them may fault again when what broke
// is the kernel's own state (the screen page made read-only, a wild pointer
// into the tables). Left alone, each new fault would start a new report
// that faults again, until the stack ran out, the double-fault task did the
// same on its own small stack and the machine reset with nothing said. So:
//
//   first report      the full report (reportBegin ... reportEnd)
//   second, during it one line on COM1 alone, polled: no VGA, no symbol
//                     lookup, no formatting buffer; then the failure exit
//                       *** KERNEL FAULT while reporting a FAULT (vector 0x6): vector 0xe at eip 0x..., cr2 0x...
//                       *** kernel stopped
//   third             straight to the failure exit
//
// The same holds on the double-fault task's stack (kernel/trap/report.ts
// reportDoubleFault), whose path must stay this shallow: an overflow into
// its guard page could not be delivered and would reset the machine.

import { consoleAlert, consoleNormal, consoleQuiet, print, println } from "./console";
import { haltFailure } from "./halt";
import { serialPutByte } from "../drivers/serial";
import { VGA_WHITE_ON_RED } from "../drivers/vga";

/** reportBegin's `vector` for a report that is not a CPU exception (panic, wasm trap). */
@inline export const REPORT_NO_VECTOR: u32 = 0xFFFFFFFF;

@inline const REPORT_NONE: u32 = 0;
@inline const REPORT_FIRST: u32 = 1;
@inline const REPORT_NESTED: u32 = 2;

let state: u32 = REPORT_NONE;
let firstKind: string = "";
let firstVector: u32 = REPORT_NO_VECTOR;

/** Whether a report is being printed (or the kernel stopped in one). */
export function reportUnderWay(): bool { return state != REPORT_NONE; }

/**
 * Starts a report: "*** KERNEL <kind>: ", to be followed by its title.
 * `vector`, `eip` and `address` (cr2) describe what is reported, for the
 * one-line report printed instead when a report is already under way; then
 * this does not return.
 */
export function reportBegin(kind: string, vector: u32 = REPORT_NO_VECTOR, eip: u32 = 0, address: u32 = 0): void {
  if (state != REPORT_NONE) reportNested(kind, vector, eip, address);
  state = REPORT_FIRST;
  firstKind = kind;
  firstVector = vector;
  consoleQuiet(false);
  consoleAlert(VGA_WHITE_ON_RED);
  println();
  print("*** KERNEL ");
  print(kind);
  print(": ");
}

/** Ends a report and stops the kernel with the failure status. Does not return. */
export function reportEnd(): void {
  println("*** kernel stopped");
  consoleNormal();
  haltFailure();
}

/**
 * Ends a report without stopping: a refused request that resumes (core/
 * resume.ts, the monitor) was reported, and nothing is under way any more.
 */
export function reportAbandon(): void {
  consoleNormal();
  state = REPORT_NONE;
}

// A report arrived while another was being printed. Does not return.
function reportNested(kind: string, vector: u32, eip: u32, address: u32): void {
  if (state == REPORT_NESTED) haltFailure();
  state = REPORT_NESTED;
  rawString("\n*** KERNEL ");
  rawString(kind);
  rawString(" while reporting a ");
  rawString(firstKind);
  if (firstVector != REPORT_NO_VECTOR) {
    rawString(" (vector ");
    rawHex(firstVector, 1);
    rawString(")");
  }
  rawString(":");
  if (vector != REPORT_NO_VECTOR) {
    rawString(" vector ");
    rawHex(vector, 1);
  }
  rawString(" at eip ");
  rawHex(eip, 8);
  if (vector != REPORT_NO_VECTOR) {
    rawString(", cr2 ");
    rawHex(address, 8);
  }
  rawString("\n*** kernel stopped\n");
  haltFailure();
}

// COM1 only, byte by byte: nothing here can fault on the screen or the heap.
function rawString(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = <u8>s.charCodeAt(i);
    if (c == 0x0A) serialPutByte(0x0D);
    serialPutByte(c);
  }
}

// "0x" and at least `digits` hex digits, as many as `value` needs.
function rawHex(value: u32, digits: i32): void {
  serialPutByte(0x30);
  serialPutByte(0x78);
  let shift = 28;
  while (shift > (digits - 1) * 4 && (value >>> shift) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) {
    const digit = <u8>((value >>> shift) & 0xF);
    serialPutByte(digit < 10 ? 0x30 + digit : 0x61 + digit - 10);
  }
}
