// kernel/arch/x86/probe.ts: touching memory that may not be there.
//
// probeRead/probeWrite (boot/probe.asm) each access memory at one known
// instruction. If that instruction faults, probeFixup below, called by the
// exception handler (kernel/trap/dispatch.ts), records the fault and resumes
// at the probe's fix-up, so the probe returns false and the kernel carries
// on. Tests and the monitor's peek/poke use this to touch an address that
// may fault without stopping the kernel. A fault anywhere else is never
// fixed up.

import { probeRead, probeWrite, readCr2 } from "./cpu";
import { InterruptFrame } from "./interrupt-frame";
import { probeFixups } from "./layout";

let faults: u32 = 0;
let faultVector: u32 = 0;
let faultErrorCode: u32 = 0;
let faultAddress: u32 = 0;
const readValue = memory.data(4);

/** How many faults probes have taken. */
export function probeFaultCount(): u32 { return faults; }
/** The vector, error code and CR2 of the last fault a probe took. */
export function probeLastVector(): u32 { return faultVector; }
export function probeLastErrorCode(): u32 { return faultErrorCode; }
export function probeLastAddress(): u32 { return faultAddress; }

/** Reads the u32 at `addr`; returns true and sets probeValue(), or false if it faulted. */
export function probeLoad(addr: usize): bool {
  return probeRead(addr, readValue) != 0;
}

/** The value the last successful probeLoad read. */
export function probeValue(): u32 {
  return load<u32>(readValue);
}

/** Writes `value` to `addr`; returns false if the write faulted. */
export function probeStore(addr: usize, value: u32): bool {
  return probeWrite(addr, value) != 0;
}

/** If `frame` faulted at a probe's access, records the fault and resumes at its fix-up. */
export function probeFixup(frame: InterruptFrame): bool {
  for (let pair = probeFixups(); load<u32>(pair) != 0; pair += 8) {
    if (load<u32>(pair) != frame.eip) continue;
    faults++;
    faultVector = frame.vector;
    faultErrorCode = frame.errorCode;
    faultAddress = readCr2();
    frame.eip = load<u32>(pair + 4);
    return true;
  }
  return false;
}
