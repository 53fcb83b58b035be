// tools/build/noinline.mjs: functions kept out of line, so that reports and
// backtraces can name them, or so that a cold path does not crowd a hot one.
//
// Both optimisers inline: binaryen (small and single-caller functions) and
// then clang (the generated C functions are static). That is right for
// speed, but a fault injected by kernel/debug/inject.ts would then appear to
// happen in kmain, and panic() would report its caller's caller. Patterns
// are over the wasm names, which are source paths (kernel/core/panic/panic),
// with * as a wildcard.
//
// Used twice: as an asc transform (the default export), which runs
// binaryen's no-inline pass before asc optimises; and by
// tools/build/wasm2c-rewrite.mjs, which marks the same functions
// __attribute__((noinline)) in the generated C.

// The binaryen that asc itself loaded (assemblyscript's dependency): pass
// arguments are global to that instance.
import binaryen from "binaryen";

export const KEEP_OUT_OF_LINE = [
  "kernel/main/kmain",     // every backtrace ends in kmain, not in wasm2c's export wrapper
  "kernel/debug/inject/*", // each injected fault must be reported in its own function
  "kernel/core/panic/*",   // panic() names its caller from its own frame
  "kernel/mm/fault/pageFaultHandled", // a fault in the page-fault handler is reported there
  "kernel/core/halt/haltFailure", // where tools/gdb/kernel.py stops a failing kernel before it leaves QEMU
  "kernel/monitor/monitor/runCommand", // resumeSave returns into its own frame
  "kernel/ktest/harness/refused",      // the same
  "kernel/proc/user/userRun",          // the same
  // Cold paths of pageMap/pageUnmap: inlined, their registers spill in the
  // hot path (bench/README.md).
  "kernel/mm/pages/tableCreate",
  "kernel/mm/pages/tableFree",
  // Cold paths of alloc/free: a new slab, a list change, an emptied slab,
  // blocks above a page (bench/README.md).
  "kernel/mm/area/slabGrow",
  "kernel/mm/slab/listMove",
  "kernel/mm/alloc/slabEmptied",
  "kernel/mm/alloc/allocLarge",
  "kernel/mm/alloc/freeLarge",
];

/** The patterns as one regular expression over wasm2c's C names (w2c_kernel_core_panic_panic). */
export function noinlineCNames() {
  const alternatives = KEEP_OUT_OF_LINE.map((p) =>
    p.replace(/[^A-Za-z0-9_*]/g, "_").split("*").map((part) => part).join("[A-Za-z0-9_]*"),
  );
  return new RegExp(`^w2c_(?:${alternatives.join("|")})$`);
}

export default class NoInline {
  afterCompile(module) {
    for (const pattern of KEEP_OUT_OF_LINE) {
      binaryen.setPassArgument("no-inline", pattern);
      module.runPasses(["no-inline"]);
    }
  }
}
