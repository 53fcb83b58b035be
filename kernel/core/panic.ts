// kernel/core/panic.ts: stopping the kernel on a bug.
//
// Every check that finds the kernel's own state impossible, or a caller
// misusing an interface (a double free, a foreign pointer), ends here. The
// report names the function that called panic and shows the backtrace.

import { callerFrame } from "../arch/x86/cpu";
import { print, printHex, println } from "./console";
import { reportBegin, reportEnd, REPORT_NO_VECTOR } from "./report";
import { printBacktrace, printSymbol } from "./symbols";

/** Reports `message` with the calling function and a backtrace, then stops. Does not return. */
export function panic(message: string): void {
  const frame = callerFrame();
  reportBegin("PANIC", REPORT_NO_VECTOR, load<u32>(frame + 4));
  println(message);
  finish(frame);
}

/** Reports "functionName: what at 0xaddress", the shape of every misuse report, then stops. */
export function panicAt(functionName: string, what: string, address: usize): void {
  const frame = callerFrame();
  reportBegin("PANIC", REPORT_NO_VECTOR, load<u32>(frame + 4));
  print(functionName);
  print(": ");
  print(what);
  print(" at ");
  printHex(address);
  println();
  finish(frame);
}

// `frame` is the panicking function's own frame: its return address is in the caller.
function finish(frame: usize): void {
  const caller = <usize>load<u32>(frame + 4);
  print("    caller:      ");
  printSymbol(caller, true);
  println();
  printBacktrace(0, frame);
  reportEnd();
}
