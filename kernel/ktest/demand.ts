// kernel/ktest/demand.ts: `test=demand`, lazy areas on real paging: the
// first touch of each page faults, mm/fault.ts backs it, and the access
// is retried. Plus the boots that must end in a report (test=demand-oom,
// demand-readonly, demand-nested, demand-freed): what stays fatal.
//
// Sizes follow memory, so the suite runs from -m 4M to -m 3584M.

import { check, checkEqual, framesFreeBesidesRecords, suite, usedAreasBesidesRecords } from "./harness";
import { PAGE_SHIFT, PAGE_SIZE, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { print, printDec, printHex, println } from "../core/console";
import { AREA_LAZY, AREA_READ_ONLY, areaBackedPages, areaDump, areaFree, areaOf, areaAllocLazy, areaUsedCount, MemArea } from "../mm/area";
import { pageFaultsHandled } from "../mm/fault";
import { framesFree } from "../mm/frames";
import { pageEntry, pageSetParkedWord, pageTranslate, PAGE_NOT_MAPPED } from "../mm/pages";
import { xorshift32 } from "../lib/random";

// The same sequence on every run (lib/random.ts).
let seed: u32 = 0x6A09E667;
function random(): u32 {
  seed = xorshift32(seed);
  return seed;
}

@inline function pageAt(start: u32, i: u32): u32 { return start + (i << PAGE_SHIFT); }
@inline function record(start: u32): MemArea { return changetype<MemArea>(areaOf(start)); }
// What a test writes at `addr`: tied to the address, so a page mapped twice or swapped shows.
@inline function pattern(addr: u32): u32 { return addr ^ 0x5A5A5A5A; }

function backedPages(start: u32, pages: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < pages; i++) if (pageTranslate(pageAt(start, i)) != PAGE_NOT_MAPPED) n++;
  return n;
}

function demandSuite(): void {
  const freeAtStart = framesFreeBesidesRecords();
  const areasAtStart = usedAreasBesidesRecords();
  const faultsAtStart = pageFaultsHandled();
  reserveBacksNothing();
  sequential();
  strided();
  readsBeforeWrites();
  randomTouches();
  fullArea();
  freeSomeBacked();
  readOnlyArea();
  refusals();
  check("handled faults were counted", pageFaultsHandled() > faultsAtStart);
  checkEqual("the used areas are back to the start", usedAreasBesidesRecords(), areasAtStart);
  checkEqual("free physical pages are back at their starting count", framesFreeBesidesRecords(), freeAtStart);
}

function reserveBacksNothing(): void {
  const freeBefore = framesFreeBesidesRecords();
  const start = areaAllocLazy(64);
  check("areaAllocLazy(64) returns an area", start != 0);
  if (start == 0) return;
  checkEqual("...of kind lazy", record(start).kind, AREA_LAZY);
  checkEqual("...with no page backed", areaBackedPages(areaOf(start)), 0);
  checkEqual("...and no page mapped", backedPages(start, 64), 0);
  check("...at the cost of at most its page tables", freeBefore - framesFreeBesidesRecords() <= 2);
  check("...and areaOf finds it from any of its unbacked pages",
    areaOf(pageAt(start, 37) + 123) == areaOf(start) && areaOf(start) != 0);
  areaFree(start);
  checkEqual("areaFree of an untouched lazy area gives back every page", framesFreeBesidesRecords(), freeBefore);
}

function sequential(): void {
  const pages: u32 = 32;
  const freeAtStart = framesFreeBesidesRecords();
  const start = areaAllocLazy(pages);
  const freeBefore = framesFreeBesidesRecords();
  const faultsBefore = pageFaultsHandled();
  for (let i: u32 = 0; i < pages; i++) store<u32>(pageAt(start, i) + 8, pattern(pageAt(start, i)));
  checkEqual("sequential: one handled fault per page", pageFaultsHandled() - faultsBefore, pages);
  checkEqual("sequential: one physical page per page touched", freeBefore - framesFreeBesidesRecords(), pages);
  checkEqual("sequential: the area counts its backed pages", areaBackedPages(areaOf(start)), pages);
  let ok = true;
  for (let i: u32 = 0; i < pages; i++) ok = ok && load<u32>(pageAt(start, i) + 8) == pattern(pageAt(start, i));
  check("sequential: every write is read back", ok);
  checkEqual("sequential: reading them again faults no more", pageFaultsHandled() - faultsBefore, pages);
  areaFree(start);
  checkEqual("sequential: areaFree gives back the touched pages and the tables", framesFreeBesidesRecords(), freeAtStart);
}

function strided(): void {
  const pages: u32 = 64;
  const stride: u32 = 3;
  const freeAtStart = framesFreeBesidesRecords();
  const start = areaAllocLazy(pages);
  const freeBefore = framesFreeBesidesRecords();
  const faultsBefore = pageFaultsHandled();
  let touched: u32 = 0;
  for (let i: u32 = 0; i < pages; i += stride) {
    // A different offset in each page, the last word included.
    const addr = pageAt(start, i) + ((i * 4 * 97) & (PAGE_SIZE - 4));
    store<u32>(addr, pattern(addr));
    touched++;
  }
  checkEqual("strided: one fault per page touched", pageFaultsHandled() - faultsBefore, touched);
  checkEqual("strided: only the touched pages are backed", backedPages(start, pages), touched);
  let ok = true;
  for (let i: u32 = 1; i < pages; i += stride) ok = ok && pageTranslate(pageAt(start, i)) == PAGE_NOT_MAPPED;
  check("strided: the pages in between stay unmapped", ok);
  checkEqual("strided: physical pages used", freeBefore - framesFreeBesidesRecords(), touched);
  areaFree(start);
  checkEqual("strided: areaFree gives back exactly those and the tables", framesFreeBesidesRecords(), freeAtStart);
}

function readsBeforeWrites(): void {
  const start = areaAllocLazy(4);
  const faultsBefore = pageFaultsHandled();
  let sum: u32 = 0;
  for (let off: u32 = 0; off < PAGE_SIZE; off += 4) sum |= load<u32>(start + off);
  checkEqual("read first: a whole page of zeros", sum, 0);
  checkEqual("read first: one fault for the page", pageFaultsHandled() - faultsBefore, 1);
  check("read first: the page is mapped writable", (pageEntry(start) & (PTE_PRESENT | PTE_WRITABLE)) == (PTE_PRESENT | PTE_WRITABLE));
  store<u32>(start + 100, 0xC0FFEE);
  checkEqual("read first: then a write to it does not fault", pageFaultsHandled() - faultsBefore, 1);
  checkEqual("read first: and is read back", load<u32>(start + 100), 0xC0FFEE);
  // A page freed with data and reserved again must come back zeroed.
  areaFree(start);
  const again = areaAllocLazy(4);
  checkEqual("a reused range reads zero again", load<u32>(again + 100), 0);
  areaFree(again);
}

function randomTouches(): void {
  const pages: u32 = 128;
  const touches: u32 = 2000;
  const freeAtStart = framesFreeBesidesRecords();
  const start = areaAllocLazy(pages);
  const freeBefore = framesFreeBesidesRecords();
  const faultsBefore = pageFaultsHandled();
  const seen = new StaticArray<bool>(pages);
  const last = new StaticArray<u32>(pages);   // the offset last written in each page, +1
  let distinct: u32 = 0;
  let ok = true;
  for (let n: u32 = 0; n < touches; n++) {
    const i = random() % pages;
    const addr = pageAt(start, i) + (random() & (PAGE_SIZE - 4));
    if (!seen[i]) {
      seen[i] = true;
      distinct++;
    }
    if ((random() & 1) != 0) {
      store<u32>(addr, pattern(addr));
      last[i] = addr - pageAt(start, i) + 1;
    } else {
      const value = load<u32>(addr);
      ok = ok && (value == 0 || value == pattern(addr));
    }
  }
  for (let i: u32 = 0; i < pages; i++) {
    if (last[i] == 0) continue;
    const addr = pageAt(start, i) + last[i] - 1;
    ok = ok && load<u32>(addr) == pattern(addr);
  }
  check("random: every read saw zero or what was written there", ok);
  checkEqual("random: one fault per distinct page", pageFaultsHandled() - faultsBefore, distinct);
  checkEqual("random: the area counts them", areaBackedPages(areaOf(start)), distinct);
  checkEqual("random: and so do the page tables", backedPages(start, pages), distinct);
  checkEqual("random: physical pages used", freeBefore - framesFreeBesidesRecords(), distinct);
  areaFree(start);
  checkEqual("random: areaFree gives them back, and the tables", framesFreeBesidesRecords(), freeAtStart);
}

function fullArea(): void {
  // A quarter of free memory, at most 4 MiB.
  const pages = min<u32>(1024, framesFreeBesidesRecords() / 4);
  const freeAtStart = framesFreeBesidesRecords();
  const start = areaAllocLazy(pages);
  check("full: a lazy area of a quarter of free memory", start != 0);
  if (start == 0) return;
  const freeBefore = framesFreeBesidesRecords();
  for (let i: u32 = 0; i < pages; i++) store<u32>(pageAt(start, i) + PAGE_SIZE - 4, i);
  checkEqual("full: every page backed", areaBackedPages(areaOf(start)), pages);
  checkEqual("full: every page mapped", backedPages(start, pages), pages);
  let ok = true;
  for (let i: u32 = 0; i < pages; i++) ok = ok && load<u32>(pageAt(start, i) + PAGE_SIZE - 4) == i;
  check("full: every page kept its own word", ok);
  areaFree(start);
  checkEqual("full: areaFree gives back every page and the tables", framesFreeBesidesRecords(), freeAtStart);
}

function freeSomeBacked(): void {
  const freeBefore = framesFreeBesidesRecords();
  const start = areaAllocLazy(16);
  store<u8>(pageAt(start, 0), 1);
  store<u8>(pageAt(start, 5), 1);
  store<u8>(pageAt(start, 15) + PAGE_SIZE - 1, 1);
  checkEqual("some backed: 3 of 16", areaBackedPages(areaOf(start)), 3);
  // The dump shows kind and backed pages (tests/kernel/demand.test.js reads it).
  areaDump(8);
  areaFree(start);
  checkEqual("some backed: areaFree gives back every page, tables included", framesFreeBesidesRecords(), freeBefore);
  let ok = true;
  for (let i: u32 = 0; i < 16; i++) ok = ok && pageEntry(pageAt(start, i)) == 0;
  check("some backed: no entry is left behind, backed or reserved", ok);
}

function readOnlyArea(): void {
  const start = areaAllocLazy(2, AREA_READ_ONLY);
  checkEqual("read-only: reads zero", load<u32>(start + 64), 0);
  check("read-only: the page is mapped, not writable", (pageEntry(start) & (PTE_PRESENT | PTE_WRITABLE)) == PTE_PRESENT);
  areaFree(start);
}

function refusals(): void {
  const freeBefore = framesFree();
  const areasBefore = areaUsedCount();
  checkEqual("areaAllocLazy(0) returns 0", areaAllocLazy(0), 0);
  checkEqual("areaAllocLazy of more pages than the range returns 0", areaAllocLazy(0x100000), 0);
  checkEqual("...and changes nothing", framesFree(), freeBefore);
  checkEqual("...nor the used areas", areaUsedCount(), areasBefore);
}

// ---------------------------------------------------------------------------
// Boots that end in a report.

/** `test=demand-oom`: back a lazy area larger than free memory until none is left. */
function demandOutOfMemory(): void {
  const pages = framesFree() + 16;
  const start = areaAllocLazy(pages);
  if (start == 0) {
    check("areaAllocLazy of more pages than are free", false, "returned 0");
    return;
  }
  print("demand-oom: area ");
  printHex(start);
  print("+");
  printDec(pages);
  print(", ");
  printDec(framesFree());
  println(" free pages; touching every page");
  for (let i: u32 = 0; i < pages; i++) store<u8>(pageAt(start, i), 1);
  check("the touch of a page past free memory stopped the kernel", false, "every page was backed");
}

/** `test=demand-readonly`: a read of a read-only lazy page is handled, a write to it is not. */
function demandReadOnly(): void {
  const start = areaAllocLazy(1, AREA_READ_ONLY);
  checkEqual("the read is handled and sees zero", load<u32>(start), 0);
  print("demand-readonly: writing to ");
  printHex(start);
  println();
  store<u32>(start, 1);
  check("the write to a read-only page stopped the kernel", false, "it did not");
}

/**
 * `test=demand-nested`: a fault while a fault is being handled is reported,
 * even one that would be handled on its own (a lazy page of another area).
 * The first page's parked word, which should name its area's record, is made
 * to name the other area's untouched page instead: the handler's read of the
 * "record" faults there.
 */
function demandNested(): void {
  const start = areaAllocLazy(1);
  const other = areaAllocLazy(1);
  pageSetParkedWord(start, other);
  print("demand-nested: touching ");
  printHex(start);
  print("; its parked word names ");
  printHex(other);
  println(", a lazy page too, which the handler will read");
  store<u32>(start, 1);
  check("the fault in the handler stopped the kernel", false, "it did not");
}

/** `test=demand-freed`: a touch of a lazy area after areaFree is a fault outside any area. */
function demandFreed(): void {
  const start = areaAllocLazy(4);
  store<u32>(start, 1);
  areaFree(start);
  print("demand-freed: touching ");
  printHex(pageAt(start, 2));
  println(", freed");
  store<u32>(pageAt(start, 2), 1);
  check("the touch of a freed area stopped the kernel", false, "it did not");
}

// The suites of this file (kernel/ktest/harness.ts), registered last: a
// registration runs at start-up, after everything above is initialised.
suite("demand", "lazy areas: each first touch faults and is backed", demandSuite);
suite("demand-oom", "touches a lazy area larger than free memory", demandOutOfMemory, true);
suite("demand-readonly", "writes to a read-only lazy page after reading it", demandReadOnly, true);
suite("demand-nested", "a fault while a fault is handled", demandNested, true);
suite("demand-freed", "touches a lazy area after areaFree", demandFreed, true);
