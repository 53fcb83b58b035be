// kernel/core/resume.ts: a point to come back to when a request is refused.
//
// The monitor (kernel/monitor/monitor.ts) arms a resume point around each
// command it runs. While it is armed, panicAt (core/panic.ts) prints its
// usual message and comes back here instead of stopping the kernel: the
// command is abandoned and the monitor reads the next one.
//
// That is sound only because every panicAt in the paths the monitor reaches
// is a check at an entry point, made before anything changes (the contract
// written above alloc/free, areaAlloc/areaFree, pageMap/pageUnmap,
// pageRetain/pageRelease). panic() (an impossible internal state), CPU
// exceptions and wasm traps never resume; nor does a panic in interrupt
// context, where the handler's own state and the PIC's would be left half
// done. The registers are saved and restored by boot/resume.asm.

import { resumeJump } from "../arch/x86/cpu";
import { inInterrupt } from "./context";

// ebx esi edi ebp esp eip eflags (boot/resume.asm)
@inline const RESUME_WORDS: usize = 7;
const point = memory.data(<i32>(RESUME_WORDS * 4));
let armed = false;

/** The buffer a caller passes to resumeSave (arch/x86/cpu.ts) before arming. */
export function resumePoint(): usize { return point; }

/** From now on a refused request returns to the saved point. */
export function resumeArm(): void { armed = true; }
/** Refused requests stop the kernel again. */
export function resumeDisarm(): void { armed = false; }

/** True when a refusal would resume rather than stop. */
export function resumeArmed(): bool { return armed && !inInterrupt(); }

/** Disarms and goes back to the saved point. Does not return. */
export function resumeNow(): void {
  armed = false;
  resumeJump(point);
}
