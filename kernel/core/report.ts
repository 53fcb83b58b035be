// kernel/core/report.ts: the frame around every report that stops the kernel
// (wasm trap, CPU exception, panic): a header that stands out on the screen,
// and an end that halts with the failure status.
//
//   *** KERNEL FAULT: page fault (#PF, vector 14)
//   ...
//   *** kernel stopped

import { consoleAlert, consoleNormal, consoleQuiet, print, println } from "./console";
import { haltFailure } from "./halt";
import { VGA_WHITE_ON_RED } from "../drivers/vga";

/** Starts a report: "*** KERNEL <kind>: ", to be followed by its title. */
export function reportBegin(kind: string): void {
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
