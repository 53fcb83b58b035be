// kernel/mm/space.ts: address spaces: a page directory each, the kernel's
// part shared by all of them.
//
// A space is named by the address where its directory is seen
// (mm/directories.ts: a page of the directories' window). Its record holds
// the directory's frame (its CR3) and, while another space runs, the counts
// of its user page tables (mm/pages.ts keeps the running space's).
//
//   spacesInit     the boot directory (pagingInit's) becomes the kernel's
//                  space, seen at slot 0; it keeps user space empty
//   spaceCreate    a frame for a new directory, seen at a free slot: the
//                  kernel's entries copied from the running directory (all
//                  directories hold the same ones), user space empty, and
//                  entry 1023 naming the new directory itself: its own mirror
//   spaceActivate  loads its CR3 (which flushes the TLB's non-global
//                  entries, SDM vol. 3, 4.10.4.1; the kernel makes none
//                  global) and swaps the user tables' counts
//   spaceDestroy   gives back a space that is not running and whose user
//                  part is empty
//
// What the mirror shows after a switch. The mirror is entry 1023 of the
// running directory, and every directory's entry 1023 names itself: so the
// window from 0xFFC00000 always shows the running space's tables, at the
// same addresses, its own user tables and the shared kernel ones. It no
// longer shows the user tables of any other space: those are reached only
// through their directory's view (the directory page alone, not its tables;
// entry 1022 is kept free for a second mirror of a space that is not
// running).
//
// Spaces change nothing the CPU sees until spaceActivate; none of this runs
// in interrupt context (core/context.ts). Exhaustion (no slot, no frame, no
// record) returns 0 and changes nothing; misuse stops the kernel naming the
// function and the address.

import { writeCr3 } from "../arch/x86/cpu";
import { tssSetAddressSpace } from "../arch/x86/tss";
import { MIRROR_INDEX, mirrorDirectory } from "../arch/x86/mirror";
import { ENTRIES_PER_TABLE, PTE_ADDRESS, PTE_WRITABLE } from "../arch/x86/paging";
import { panicAt, refuseInInterrupt } from "../core/panic";
import { alloc, free } from "./alloc";
import { directoryAdd, directoryAt, directoryFreeSlot, directoryRemove, directorySlot, directoryView } from "./directories";
import { frameAlloc, frameRelease } from "./frames";
import { pageDirectory, pageMap, pageUnmap, pageUserCountsLoad, pageUserCountsSave, USER_COUNTS_BYTES } from "./pages";
import { isKernelTable } from "./regions";

/** A space's record, kept by the slot of its directory. */
@unmanaged class Space {
  /** The directory's frame: the space's CR3. */
  frame: u32;
  /** The counts of its user page tables while it is not running (USER_COUNTS_BYTES). */
  counts: usize;
}
@inline const SPACE_BYTES: u32 = 8;

// The record of each slot's space (0: none), and the running space's view.
const records = memory.data(<i32>ENTRIES_PER_TABLE * 4, 4);
let running: u32 = 0;
let kernel: u32 = 0;

@inline function record(view: u32): Space { return changetype<Space>(load<u32>(records + <usize>directorySlot(view) * 4)); }

/** The kernel's own space (the boot directory). */
export function kernelSpace(): u32 { return kernel; }
/** The space whose directory is in CR3. */
export function spaceRunning(): u32 { return running; }
/** The directory frame of `space` (its CR3). */
export function spaceFrame(space: u32): u32 { return spaceOf("spaceFrame", space).frame; }

// The kernel's own space's record and counts, kept for it from the start.
const kernelRecord = memory.data(<i32>SPACE_BYTES, 4);
const kernelCounts = memory.data(<i32>USER_COUNTS_BYTES, 4);

/**
 * Makes the running directory (pagingInit's) the kernel's space. Returns
 * false, changing nothing, when there was no frame for the directories'
 * window's table.
 */
export function spacesInit(): bool {
  const view = directoryView(0);
  if (!pageMap(view, pageDirectory(), PTE_WRITABLE)) return false;
  // The kernel's record is static: the boot allocates nothing for it.
  const space = kernelRecord;
  changetype<Space>(space).counts = kernelCounts;
  setRecord(0, space, pageDirectory());
  directoryAdd(0);
  kernel = view;
  running = view;
  return true;
}

/** A new space: the kernel's part shared, user space empty. Returns its name (view), or 0 with nothing changed. */
export function spaceCreate(): u32 {
  refuseInInterrupt("spaceCreate", 0);
  const slot = directoryFreeSlot();
  if (slot < 0) return 0;
  const space = newRecord();
  if (space == 0) return 0;
  const frame = frameAlloc();
  if (frame == 0) {
    freeRecord(space);
    return 0;
  }
  const view = directoryView(<u32>slot);
  // The window's table exists (spacesInit made it): this map needs no frame.
  pageMap(view, frame, PTE_WRITABLE);
  frameRelease(frame); // the view holds the frame now
  for (let i: u32 = 0; i < ENTRIES_PER_TABLE; i++) {
    store<u32>(view + i * 4, isKernelTable(i) ? load<u32>(mirrorDirectory() + i * 4) : 0);
  }
  // The mirror entry as the running directory has it, naming the new directory.
  store<u32>(view + MIRROR_INDEX * 4, frame | (load<u32>(mirrorDirectory() + MIRROR_INDEX * 4) & ~PTE_ADDRESS));
  setRecord(<u32>slot, space, frame);
  directoryAdd(<u32>slot);
  return view;
}

/** Runs `space`: loads its directory into CR3, with its user tables' counts. */
export function spaceActivate(space: u32): void {
  refuseInInterrupt("spaceActivate", space);
  const next = spaceOf("spaceActivate", space);
  if (space == running) return;
  pageUserCountsSave(record(running).counts);
  pageUserCountsLoad(next.counts);
  writeCr3(next.frame);
  tssSetAddressSpace(next.frame); // a double fault reports the space that ran
  running = space;
}

/**
 * Gives back `space`'s directory and record. Stops the kernel, before
 * changing anything, when `space` is not a space, is the running one or the
 * kernel's, or still has user page tables.
 */
export function spaceDestroy(space: u32): void {
  refuseInInterrupt("spaceDestroy", space);
  const s = spaceOf("spaceDestroy", space);
  if (space == running) panicAt("spaceDestroy", "the space is running (activate another first)", space);
  if (space == kernel) panicAt("spaceDestroy", "the kernel's own space", space);
  for (let i: u32 = 0; i < USER_COUNTS_BYTES; i += 2) {
    if (load<u16>(s.counts + i) != 0) panicAt("spaceDestroy", "user space still mapped (unmap it first)", space);
  }
  const slot = directorySlot(space);
  directoryRemove(slot);
  store<u32>(records + <usize>slot * 4, 0);
  pageUnmap(space); // drops the view's reference: the directory's frame is free
  freeRecord(changetype<usize>(s));
}

// The record of `space`, after checking it names one.
function spaceOf(functionName: string, space: u32): Space {
  if (!directoryAt(space) || load<u32>(records + <usize>directorySlot(space) * 4) == 0) panicAt(functionName, "not an address space", space);
  return record(space);
}

function newRecord(): usize {
  const space = alloc(SPACE_BYTES);
  if (space == 0) return 0;
  const counts = alloc(USER_COUNTS_BYTES);
  if (counts == 0) {
    free(space);
    return 0;
  }
  memory.fill(counts, 0, USER_COUNTS_BYTES);
  changetype<Space>(space).counts = counts;
  return space;
}

function freeRecord(space: usize): void {
  free(changetype<Space>(space).counts);
  free(space);
}

function setRecord(slot: u32, space: usize, frame: u32): void {
  changetype<Space>(space).frame = frame;
  store<u32>(records + <usize>slot * 4, <u32>space);
}
