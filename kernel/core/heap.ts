// kernel/core/heap.ts: how much of the AssemblyScript heap is in use.
//
// The kernel is built with asc's "minimal" runtime: a TLSF allocator under
// a collector that only runs when asked, and the kernel never asks. Every
// managed object ever made (a `new`, a string built at run time) stays. The
// runtime counts the bytes of live managed objects; boot/wasm_runtime.c
// reads that counter. Code that runs over and over (the monitor) must keep
// it still.

/** Bytes held by managed objects on the AssemblyScript heap. */
@external("runtime", "heapBytes") export declare function heapBytes(): u32;

/** Where the AssemblyScript heap starts: right after the static data. */
export function heapBase(): usize { return __heap_base; }
