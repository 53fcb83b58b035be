// bench/kernel/main.ts: the entry of the benchmark image, build/bench/kernel.elf.
//
// `make bench` builds this image beside the kernel and boots it under
// `qemu-system-i386 -icount shift=0` (bench/run.mjs). It is the whole
// kernel (kernel/main.ts) with the benchmarks (bench/kernel/bench.ts) and
// the C peer (bench/peer.c) added: it brings the machine up as the kernel
// does (kernel/bringup.ts), with the serial port quiet so that only the
// kernel's own instructions are counted, runs the benchmarks, then does what
// its command line asks, as the kernel would. Keeping every caller of the
// kernel's functions keeps them compiled as they are in the kernel users
// boot (an image with fewer callers lets the compilers specialise them), so
// the figures are the kernel's. The kernel that `make run` and the ISO boot
// holds none of this.

import { rdtsc } from "../../kernel/arch/x86/cpu";
import { consoleSerial } from "../../kernel/core/console";
import { bringUp } from "../../kernel/bringup";
import { commandLineRun } from "../../kernel/main";
import { runBenchmarks } from "./bench";

// The entry points boot/ calls, besides kmain (as in kernel/main.ts).
export { wasmTrap } from "../../kernel/core/wasm-trap";
export { interruptDispatch, doubleFault } from "../../kernel/trap/dispatch";
export { SLAB_CLASSES } from "../../kernel/mm/alloc";
export { RECORD_CACHE } from "../../kernel/mm/area";
// The page-level steps bench/peer.c borrows (bench/README.md).
export {
  benchRecordAlloc, benchRecordMark, benchRecordUndo, benchAreaTake, benchAreaAttach, benchAreaRelease, benchAreaAlloc,
} from "./bench";

/** The benchmark image's kernel: bring-up, every benchmark, then the command line as the kernel reads it. */
export function kmain(magic: u32, multibootInfo: usize): void {
  consoleSerial(false); // waiting for the UART would count the host's time
  const info = bringUp(magic, multibootInfo);
  const allocatorsReady = rdtsc();
  consoleSerial(true);
  runBenchmarks(allocatorsReady);
  commandLineRun(info);
}
