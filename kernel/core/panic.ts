// kernel/core/panic.ts: stopping the kernel on a bug.
//
// Every check that finds the kernel's own state impossible, or a caller
// misusing an interface (a double free, a foreign pointer), ends here. The
// report names the function that called panic and shows the backtrace.
// When a resume point is armed (core/resume.ts: the monitor, around each
// command), panicAt prints its message and resumes there instead: the
// checks that call panicAt run before anything changes.

import { callerFrame } from "../arch/x86/cpu";
import { consoleIsQuiet, print, printHex, println } from "./console";
import { inInterrupt } from "./context";
import { reportAbandon, reportBegin, reportEnd, REPORT_NO_VECTOR } from "./report";
import { resumeArmed, resumeNow } from "./resume";
import { printBacktrace, printSymbol } from "./symbols";

/**
 * Stops the kernel with "`functionName`: called in interrupt context at
 * `address`" (the entry point's own argument) when an IRQ handler called
 * it: the rule is in core/context.ts.
 */
@inline export function refuseInInterrupt(functionName: string, address: usize): void {
  if (inInterrupt()) panicAt(functionName, "called in interrupt context", address);
}

/** Reports `message` with the calling function and a backtrace, then stops. Does not return. */
export function panic(message: string): void {
  const frame = callerFrame();
  reportBegin("PANIC", REPORT_NO_VECTOR, load<u32>(frame + 4));
  println(message);
  finish(frame, false);
}

/** Reports "functionName: what at 0xaddress", the shape of every misuse report, then stops. */
export function panicAt(functionName: string, what: string, address: usize): void {
  const frame = callerFrame();
  if (resumeArmed() && consoleIsQuiet()) resumeNow(); // a muted run (the monitor's repeat) shows no refusal either
  reportBegin("PANIC", REPORT_NO_VECTOR, load<u32>(frame + 4));
  print(functionName);
  print(": ");
  print(what);
  print(" at ");
  printHex(address);
  println();
  finish(frame, true);
}

// `frame` is the panicking function's own frame: its return address is in the caller.
function finish(frame: usize, resumable: bool): void {
  const caller = <usize>load<u32>(frame + 4);
  print("    caller:      ");
  printSymbol(caller, true);
  println();
  if (resumable && resumeArmed()) {
    println("*** refused before anything changed; the kernel goes on");
    reportAbandon();
    resumeNow();
  }
  printBacktrace(0, frame);
  reportEnd();
}
