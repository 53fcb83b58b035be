// kernel/mm/directories.ts: every page directory, and the kernel's entries
// kept the same in all of them.
//
// Each address space has a directory of its own (mm/space.ts). The kernel's
// part of the address space (mm/regions.ts isKernelTable: entries 0-255 and
// 768-1021) is shared: every directory holds the same kernel entries, naming
// the same page tables. Paging (mm/pages.ts) makes or frees a table through
// the running directory's mirror; when it is a kernel table, directoriesShare
// writes the same entry into every directory there is.
//
// Why the entries are copied when a table comes or goes, not made in advance:
// sharing needs each kernel entry to name one table in every directory.
// Making all 510 kernel tables at boot would cost 2,040 KiB whatever the
// kernel uses: at the minimum RAM (4 MiB) the kernel finds 221 frames free
// (884 KiB), not even half of it. Copying costs no frame: one store per directory when
// a kernel table appears or goes (with the first or the last page of its
// 4 MiB, rarely), and a bit per directory here.
//
// A directory is reachable, running or not, at its own page in the
// directories' window (mm/regions.ts DIRECTORY_VIEWS, entry 1021): slot i is
// seen at DIRECTORY_VIEWS + i x 4096 in every space, since the window's
// table is a kernel table like any other. That is also how a space is named.

import { ENTRIES_PER_TABLE, PAGE_SHIFT } from "../arch/x86/paging";
import { DIRECTORY_VIEWS } from "./regions";

/** Directories there can be at once: one window's table of views. */
@inline export const DIRECTORIES_MAX: u32 = ENTRIES_PER_TABLE;

// Bit i set: slot i holds a directory.
const used = memory.data(<i32>(DIRECTORIES_MAX / 8), 4);
let count: u32 = 0;

// The word of `used` that holds slot's bit.
@inline function usedWord(slot: u32): usize { return used + ((slot >>> 5) << 2); }

/** Where the directory in `slot` is seen. */
@inline export function directoryView(slot: u32): u32 { return DIRECTORY_VIEWS + (slot << PAGE_SHIFT); }
/** The slot of the directory seen at `view`. */
@inline export function directorySlot(view: u32): u32 { return (view - DIRECTORY_VIEWS) >>> PAGE_SHIFT; }
/** Directories there are. */
export function directoryCount(): u32 { return count; }

/** Whether a directory is seen at `view` (a page of the window, in use). */
export function directoryAt(view: u32): bool {
  if (view < DIRECTORY_VIEWS || ((view - DIRECTORY_VIEWS) & ((1 << PAGE_SHIFT) - 1)) != 0) return false;
  const slot = directorySlot(view);
  return slot < DIRECTORIES_MAX && (load<u32>(usedWord(slot)) & (1 << (slot & 31))) != 0;
}

/** A slot no directory holds, or -1 when all are taken. Marks nothing: directoryAdd does, once the view is mapped. */
export function directoryFreeSlot(): i32 {
  for (let word: u32 = 0; word < DIRECTORIES_MAX / 32; word++) {
    const bits = load<u32>(used + (word << 2));
    if (bits != 0xFFFFFFFF) return <i32>((word << 5) + <u32>ctz(~bits));
  }
  return -1;
}

/** Counts the directory now mapped at its slot's view; from now on it shares the kernel's entries. */
export function directoryAdd(slot: u32): void {
  const at = usedWord(slot);
  store<u32>(at, load<u32>(at) | (1 << (slot & 31)));
  count++;
}

/** Forgets the directory in `slot` (before its view is unmapped). */
export function directoryRemove(slot: u32): void {
  const at = usedWord(slot);
  store<u32>(at, load<u32>(at) & ~(1 << (slot & 31)));
  count--;
}

/** Writes kernel directory entry `table` into every directory (pages.ts, when a kernel table comes or goes). */
export function directoriesShare(table: u32, entry: u32): void {
  for (let word: u32 = 0; word < DIRECTORIES_MAX / 32; word++) {
    let bits = load<u32>(used + (word << 2));
    while (bits != 0) {
      const slot = (word << 5) + <u32>ctz(bits);
      bits &= bits - 1;
      store<u32>(directoryView(slot) + table * 4, entry);
    }
  }
}
