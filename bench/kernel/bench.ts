// bench/kernel/bench.ts: `CMDLINE=bench`, the allocator and paging benchmarks.
//
// Runs inside the kernel under `qemu-system-i386 -icount shift=0`, where
// the time-stamp counter advances by one per guest instruction, so every
// figure is an exact, repeatable instruction count. Each measurement prints
//
//   bench: NAME INSTRUCTIONS OPERATIONS
//
// (mixed_peak_live, a count of blocks, prints that count as INSTRUCTIONS over 1)
// and bench/run.mjs turns them into the table, the ratios and
// build/bench.json. The peers run in the same boot: bench/peer.c (the same
// slab allocator and paging paths in plain C, same compiler flags) and AssemblyScript's own TLSF
// allocator (heap.alloc/heap.free of the `minimal` runtime).

import { rdtsc } from "../../kernel/arch/x86/cpu";
import { bootTsc } from "../../kernel/arch/x86/layout";
import { PAGE_SIZE, pdeIndex, PTE_WRITABLE } from "../../kernel/arch/x86/paging";
import { print, printDec64, println } from "../../kernel/core/console";
import { alloc, CLASS_COUNT, classIndex, free, slabClass } from "../../kernel/mm/alloc";
import {
  areaAlloc, areaAllocLazy, areaAttach, areaFree, areaOf, areaRangeEnd, areaRangeStart, areaRelease, areaTake, areaUsedCount,
  areaUsedPages, recordAlloc, recordMark, recordUndo,
} from "../../kernel/mm/area";
import { setPageTag } from "../../kernel/mm/backing";
import { frameDescriptors, frameRelease, frameRetain, framesTotal } from "../../kernel/mm/frames";
import { pageMap, pageTableEntries, pageTranslate, pageUnmap } from "../../kernel/mm/pages";
import { identityMapEnd } from "../../kernel/mm/regions";
import { SLAB_TAG } from "../../kernel/mm/slab";
import { xorshift32 } from "../../kernel/lib/random";

@external("bench", "peerInit") declare function peerInit(descriptors: usize, count: u32, base: u32, top: u32, identityEnd: u32): void;
@external("bench", "peerSlab") declare function peerSlab(base: usize, size: u32, shift: u32, capacity: u32): u32;
@external("bench", "peerSlabPairs") declare function peerSlabPairs(size: u32, n: u32): u64;
@external("bench", "peerMapUnmapPairs") declare function peerMapUnmapPairs(v: u32, p: u32, flags: u32, n: u32): u64;
@external("bench", "peerTableEntries") declare function peerTableEntries(table: u32, entries: u32): void;
@external("bench", "peerClass") declare function peerClass(index: u32, size: u32, shift: u32, slabPages: u32, capacity: u32): void;
@external("bench", "peerMixed") declare function peerMixed(trace: u32, table: u32, ops: u32, slots: u32): u64;
@external("bench", "peerMixedEnd") declare function peerMixedEnd(): void;

@inline const PAIRS: u32 = 100_000;
@inline const MAP_PAIRS: u32 = 100_000;
@inline const AREA_PAIRS: u32 = 10_000;
@inline const GROW_OBJECTS: u32 = 20_000;
@inline const FREE_BATCH: u32 = 1_000;
@inline const FREE_ROUNDS: u32 = 20;
@inline const LIST_PAIRS: u32 = 2_000;
@inline const ZERO_PAGES: u32 = 1_000;
@inline const MIXED_OPS: u32 = 1_000_000;
@inline const MIXED_SLOTS: u32 = 19_600;    // about half are live at any time: some 10,000 blocks at peak
@inline const MIXED_TAIL_SLOTS: u32 = 8;    // the slots blocks above 1 KiB take: few live at once, briefly
@inline const MIXED_TAIL_FROM: u32 = 1_025; // bytes
@inline const DEMAND_PAGES: u32 = 1_000;

function report(name: string, instructions: u64, operations: u32): void {
  print("bench: ");
  print(name);
  print(" ");
  printDec64(instructions);
  print(" ");
  printDec64(operations);
  println();
}

/** Runs every benchmark; `allocatorsReady` is the TSC when the allocators were up. */
export function runBenchmarks(allocatorsReady: u64): void {
  println("bench: start (guest instructions; run under -icount shift=0)");
  report("boot_to_allocators", allocatorsReady - load<u64>(bootTsc()), 1);
  peerInit(frameDescriptors(), framesTotal(), areaRangeStart(), areaRangeEnd(), identityMapEnd());
  const sizes: StaticArray<u32> = [16, 64, 512];
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i];
    report("slab_pair_" + size.toString(), slabPairs(size), PAIRS);
    report("c_slab_pair_" + size.toString(), cSlabPairs(size), PAIRS);
    report("tlsf_pair_" + size.toString(), tlsfPairs(size), PAIRS);
  }
  report("slab_grow_64", growing(64), GROW_OBJECTS);
  report("area_pair_1", areaPairs(1), AREA_PAIRS);
  report("area_pair_16", areaPairs(16), AREA_PAIRS);
  report("map_unmap", mapUnmap(false), MAP_PAIRS);
  report("c_map_unmap", mapUnmap(true), MAP_PAIRS);
  report("free_live_10", freeWithLive(10), FREE_BATCH * FREE_ROUNDS);
  report("free_live_1000", freeWithLive(1000), FREE_BATCH * FREE_ROUNDS);
  report("free_live_100000", freeWithLive(100_000), FREE_BATCH * FREE_ROUNDS);
  report("area_list_10", areaWithHoles(10), LIST_PAIRS);
  report("area_list_1000", areaWithHoles(1000), LIST_PAIRS);
  report("area_list_10000", areaWithHoles(10000), LIST_PAIRS);
  report("area_zero_1", zeroPages(), ZERO_PAGES);
  const trace = mixedTrace();
  report("mixed_peak_live", mixedPeakLive(trace), 1);
  report("mixed", mixed(trace, false), MIXED_OPS);
  report("tlsf_mixed", mixed(trace, true), MIXED_OPS);
  report("c_mixed", cMixed(trace), MIXED_OPS);
  areaFree(trace);
  report("demand_fault", demandFaults(), DEMAND_PAGES);
  println("bench: done");
}

// alloc+free of one size, with one other block of the class live, so the
// slab neither fills nor empties: the steady state.
function slabPairs(size: u32): u64 {
  const keep = alloc(size);
  free(alloc(size));
  const start = rdtsc();
  for (let i: u32 = 0; i < PAIRS; i++) free(alloc(size));
  const spent = rdtsc() - start;
  free(keep);
  return spent;
}

// The same in bench/peer.c, on a slab laid out as alloc.ts lays them out,
// on a page tagged as the kernel tags a slab's pages.
function cSlabPairs(size: u32): u64 {
  const base = areaAlloc(1);
  const record = areaOf(base);
  const d = slabClass(classIndex(size));
  setPageTag(base, peerSlab(base, size, d.shift, d.capacity) + SLAB_TAG);
  const spent = peerSlabPairs(size, PAIRS);
  setPageTag(base, <u32>record);
  areaFree(base);
  return spent;
}

function tlsfPairs(size: u32): u64 {
  const keep = heap.alloc(size);
  heap.free(heap.alloc(size));
  const start = rdtsc();
  for (let i: u32 = 0; i < PAIRS; i++) heap.free(heap.alloc(size));
  const spent = rdtsc() - start;
  heap.free(keep);
  return spent;
}

// Fresh blocks while the class keeps growing new slabs: amortised cost.
function growing(size: u32): u64 {
  const table = areaAlloc((GROW_OBJECTS * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  const start = rdtsc();
  for (let i: u32 = 0; i < GROW_OBJECTS; i++) store<u32>(table + i * 4, <u32>alloc(size));
  const spent = rdtsc() - start;
  for (let i: u32 = 0; i < GROW_OBJECTS; i++) free(load<u32>(table + i * 4));
  areaFree(table);
  return spent;
}

function areaPairs(pages: u32): u64 {
  areaFree(areaAlloc(pages));
  const start = rdtsc();
  for (let i: u32 = 0; i < AREA_PAIRS; i++) areaFree(areaAlloc(pages));
  return rdtsc() - start;
}

// Map and unmap one page, the first of a two-page area; the second stays
// mapped, so its page table stays: a single-page change, as the targets mean
// it. The address and the page come from the allocators at run time, so
// neither side can be compiled for them as constants.
function mapUnmap(inC: bool): u64 {
  const at = areaAlloc(2);
  assert(pdeIndex(at) == pdeIndex(at + PAGE_SIZE), "bench: the two pages must share a page table");
  const page = <u32>pageTranslate(at);
  frameRetain(page);        // keeps the page while it is unmapped
  pageUnmap(at);
  let spent: u64 = 0;
  if (inC) {
    peerTableEntries(pdeIndex(at), pageTableEntries(pdeIndex(at)));
    spent = peerMapUnmapPairs(at, page, PTE_WRITABLE, MAP_PAIRS);
  } else {
    const start = rdtsc();
    for (let i: u32 = 0; i < MAP_PAIRS; i++) {
      pageMap(at, page, PTE_WRITABLE);
      pageUnmap(at);
    }
    spent = rdtsc() - start;
  }
  pageMap(at, page, PTE_WRITABLE);
  frameRelease(page);
  areaFree(at);
  return spent;
}

// free of 64-byte blocks while `live` others of the class are live.
function freeWithLive(live: u32): u64 {
  const table = areaAlloc((live * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  const batch = areaAlloc((FREE_BATCH * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  for (let i: u32 = 0; i < live; i++) store<u32>(table + i * 4, <u32>alloc(64));
  let spent: u64 = 0;
  for (let round: u32 = 0; round < FREE_ROUNDS; round++) {
    for (let i: u32 = 0; i < FREE_BATCH; i++) store<u32>(batch + i * 4, <u32>alloc(64));
    const start = rdtsc();
    for (let i: u32 = 0; i < FREE_BATCH; i++) free(load<u32>(batch + i * 4));
    spent += rdtsc() - start;
  }
  for (let i: u32 = 0; i < live; i++) free(load<u32>(table + i * 4));
  areaFree(batch);
  areaFree(table);
  return spent;
}

// areaAlloc(2)+areaFree with `holes` one-page holes on the free list: first
// fit walks them all, and the free walks the sorted list to its place.
function areaWithHoles(holes: u32): u64 {
  const table = areaAlloc((holes * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
  // Pairs of pages, then the first of each pair freed: one-page holes
  // between used pages, which neither merge nor fit a two-page request.
  for (let i: u32 = 0; i < holes * 2; i++) store<u32>(table + i * 4, areaAlloc(1));
  for (let i: u32 = 0; i < holes * 2; i += 2) areaFree(load<u32>(table + i * 4));
  const start = rdtsc();
  for (let i: u32 = 0; i < LIST_PAIRS; i++) areaFree(areaAlloc(2));
  const spent = rdtsc() - start;
  for (let i: u32 = 1; i < holes * 2; i += 2) areaFree(load<u32>(table + i * 4));
  areaFree(table);
  return spent;
}

// What zeroing a fresh page would add to areaAlloc: memory.fill of one page.
function zeroPages(): u64 {
  const page = areaAlloc(1);
  const start = rdtsc();
  for (let i: u32 = 0; i < ZERO_PAGES; i++) memory.fill(page, 0, PAGE_SIZE);
  const spent = rdtsc() - start;
  areaFree(page);
  return spent;
}

// A seeded trace of MIXED_OPS operations, one u32 each: a slot (high half)
// and a size (low half). An operation frees the slot's block if it holds
// one, else allocates `size` bytes into it; so about half the slots are
// live (some 10,000 blocks at the peak, counted by mixedPeakLive), frees
// interleave with allocations at random, and blocks live for a random time.
// Sizes are drawn like a kernel's: most small objects, a tail up to four
// pages. The tail above 1 KiB shares MIXED_TAIL_SLOTS slots of its own, so
// only a few such blocks are live at once and each lives briefly (as
// buffers do); that, and the mean size, keep TLSF inside the AssemblyScript
// region (1 MiB, memory never grows). The same trace drives all three
// allocators.
function mixedTrace(): u32 {
  const trace = areaAlloc((MIXED_OPS * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  let x: u32 = 0x2545F491;    // a fixed seed (lib/random.ts)
  for (let i: u32 = 0; i < MIXED_OPS; i++) {
    x = xorshift32(x);
    const pick = x % 10_000;
    x = xorshift32(x);
    let size: u32;
    if (pick < 9_000) size = 8 + x % 57;                 // 90%: 8..64 B
    else if (pick < 9_900) size = 65 + x % 192;          // 9%: 65..256 B
    else if (pick < 9_990) size = 257 + x % 768;         // 0.9%: 257 B..1 KiB
    else if (pick < 9_999) size = 1_025 + x % 3_072;     // 0.09%: 1..4 KiB
    else size = 4_097 + x % 12_288;                      // 0.01%: 1..4 pages
    x = xorshift32(x);
    const slot = size >= MIXED_TAIL_FROM ? x % MIXED_TAIL_SLOTS : MIXED_TAIL_SLOTS + x % (MIXED_SLOTS - MIXED_TAIL_SLOTS);
    store<u32>(trace + i * 4, (slot << 16) | size);
  }
  return trace;
}

// The most blocks the trace holds live at once: its operations replayed on
// slot occupancy alone.
function mixedPeakLive(trace: u32): u64 {
  const held = areaAlloc((MIXED_SLOTS + PAGE_SIZE - 1) / PAGE_SIZE);
  memory.fill(held, 0, MIXED_SLOTS);
  let live: u32 = 0;
  let peak: u32 = 0;
  for (let i: u32 = 0; i < MIXED_OPS; i++) {
    const slot = held + (load<u32>(trace + i * 4) >> 16);
    if (load<u8>(slot) != 0) {
      store<u8>(slot, 0);
      live--;
    } else {
      store<u8>(slot, 1);
      peak = max(peak, ++live);
    }
  }
  areaFree(held);
  return peak;
}

// Runs the trace with alloc/free, or with TLSF (heap.alloc/heap.free). The
// loop is written twice so that each calls its allocator directly: a function
// reference would add an indirect call to every measured operation.
function mixed(trace: u32, tlsf: bool): u64 {
  const table = areaAlloc((MIXED_SLOTS * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  memory.fill(table, 0, MIXED_SLOTS * 4);
  let spent: u64 = 0;
  if (tlsf) {
    const start = rdtsc();
    for (let i: u32 = 0; i < MIXED_OPS; i++) {
      const op = load<u32>(trace + i * 4);
      const slot = table + (op >> 16) * 4;
      const block = load<usize>(slot);
      if (block != 0) {
        heap.free(block);
        store<usize>(slot, 0);
      } else {
        store<usize>(slot, heap.alloc(op & 0xFFFF));
      }
    }
    spent = rdtsc() - start;
    for (let i: u32 = 0; i < MIXED_SLOTS; i++) if (load<usize>(table + i * 4) != 0) heap.free(load<usize>(table + i * 4));
  } else {
    const start = rdtsc();
    for (let i: u32 = 0; i < MIXED_OPS; i++) {
      const op = load<u32>(trace + i * 4);
      const slot = table + (op >> 16) * 4;
      const block = load<usize>(slot);
      if (block != 0) {
        free(block);
        store<usize>(slot, 0);
      } else {
        store<usize>(slot, alloc(op & 0xFFFF));
      }
    }
    spent = rdtsc() - start;
    for (let i: u32 = 0; i < MIXED_SLOTS; i++) free(load<usize>(table + i * 4));
  }
  areaFree(table);
  return spent;
}

// The same trace through bench/peer.c, after the kernel and TLSF: the peer
// has its own size classes (the kernel's geometry) and slabs, and grows and
// gives back slabs, and takes large blocks, through the kernel's page-level
// steps below, as alloc.ts does. Its empty reserves are given back at the end.
function cMixed(trace: u32): u64 {
  for (let i: u32 = 0; i < CLASS_COUNT; i++) {
    const d = slabClass(i);
    peerClass(i, d.size, d.shift, d.slabPages, d.capacity);
  }
  const table = areaAlloc((MIXED_SLOTS * 4 + PAGE_SIZE - 1) / PAGE_SIZE);
  memory.fill(table, 0, MIXED_SLOTS * 4);
  const areas = areaUsedCount();
  const used = areaUsedPages();
  const spent = peerMixed(trace, table, MIXED_OPS, MIXED_SLOTS);
  peerMixedEnd();
  // Every slab and large block of the peer's went back to the kernel.
  assert(areaUsedCount() == areas && areaUsedPages() == used, "bench: the C peer kept areas after the mixed trace");
  areaFree(table);
  return spent;
}

// What bench/peer.c borrows from the kernel: the steps alloc.ts's growSlab,
// slabRelease, allocLarge and freeLarge take below the slab layer (records,
// pages, page tags), re-exported by kernel/main.ts for the peer to call as
// Z_kernelZ_<name>. Thin: each passes its arguments on.
export function benchRecordAlloc(): usize { return recordAlloc(); }
export function benchRecordMark(): u32 { return recordMark(); }
export function benchRecordUndo(record: usize, mark: u32): void { recordUndo(record, mark); }
export function benchAreaTake(pages: u32): u32 { return areaTake(pages); }
export function benchAreaAttach(record: usize, start: u32, pages: u32, slab: usize): void { areaAttach(record, start, pages, slab); }
export function benchAreaRelease(record: usize): void { areaRelease(record); }
export function benchAreaAlloc(pages: u32): u32 { return areaAlloc(pages); }

// ---------------------------------------------------------------------------
// Demand paging: what a handled page fault costs, from the faulting access
// to its retry (exception entry, mm/fault.ts, a page allocated, mapped and
// zeroed, IRET). One store into each page of a lazy area, less the same
// stores into an area already backed: the difference is the faults alone.
function demandFaults(): u64 {
  const backed = areaAlloc(DEMAND_PAGES);
  const lazy = areaAllocLazy(DEMAND_PAGES);
  assert(backed != 0 && lazy != 0, "bench: no room for the demand-paging areas");
  let start = rdtsc();
  for (let i: u32 = 0; i < DEMAND_PAGES; i++) store<u32>(backed + (i << 12), i);
  const plain = rdtsc() - start;
  start = rdtsc();
  for (let i: u32 = 0; i < DEMAND_PAGES; i++) store<u32>(lazy + (i << 12), i);
  const faulting = rdtsc() - start;
  areaFree(lazy);
  areaFree(backed);
  return faulting - plain;
}
