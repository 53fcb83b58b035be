// kernel/mm/regions.ts: what each range of the virtual address space is
// for, in every address space.
//
//   0xFFFFFFFF +------------------------+
//              | the mirror             |  PDE 1023: this directory's own page tables
//   0xFFC00000 +------------------------+  MIRROR_BASE (arch/x86/mirror.ts)
//              | (another mirror)       |  PDE 1022, left empty: the slot for the tables
//   0xFF800000 +------------------------+  of a space other than the running one
//              | page directories       |  PDE 1021: every directory, seen at its
//   0xFF400000 +------------------------+  own page (mm/directories.ts)  DIRECTORY_VIEWS
//              | mapped by hand         |  the monitor's map, the paging suite
//   0xC0000000 +------------------------+  HAND_MAP_BASE = USER_END
//              | user space             |  each address space's own (mm/space.ts);
//              |                        |  empty in the kernel's, but by hand
//   0x40000000 +------------------------+  USER_BASE
//              | kernel areas           |  mm/area.ts: every page belongs to an
//              |                        |  area, used or free
//              +------------------------+  identityMapEnd()
//              | identity map: VA == PA |  the kernel image, low memory, the
//              |                        |  frame descriptors (mm/pages.ts pagingInit)
//   0x00000000 +------------------------+  (page 0 and the stack guards unmapped)
//
// The kernel's part is the lowest GiB and the top GiB: directory entries
// 0-255 and 768-1021 (isKernelTable). Every address space shares the
// kernel's page tables for them: a table the kernel makes or frees there is
// written into every directory (mm/directories.ts), so a kernel mapping
// made while any space runs is seen in all. User space, entries 256-767, is
// each space's own. The split keeps the window mapped by hand where it was,
// and keeps the kernel's private windows (the directories, the second
// mirror) in its top GiB, next to the mirror.
//
// The identity map ends at the end of the frame descriptors, which depends
// on the RAM the boot loader reported; the other boundaries are constants.
// An area owns every page of its range, free or used, and maps them itself:
// a page mapped or unmapped there by hand would break the area allocator's
// next take or release. So mappings by hand stay in their own window, and
// only paging itself writes the mirror and the directories' window.

import { MIRROR_BASE, MIRROR_INDEX } from "../arch/x86/mirror";
import { PDE_SHIFT, pdeIndex } from "../arch/x86/paging";

/** Where the kernel's areas end and user space begins (1 GiB, directory entry 256). */
@inline export const USER_BASE: u32 = 0x40000000;
/** Where user space ends and the window for pages mapped by hand begins (3 GiB, entry 768). */
@inline export const USER_END: u32 = 0xC0000000;
@inline export const HAND_MAP_BASE: u32 = USER_END;
/** Where every page directory is seen, one page each (directory entry 1021). */
@inline export const DIRECTORY_VIEWS: u32 = MIRROR_BASE - 2 * (1 << PDE_SHIFT);
/** The entry left empty for a second mirror (the tables of another space). */
@inline export const OTHER_MIRROR_INDEX: u32 = MIRROR_INDEX - 1;
/** Where the window for pages mapped by hand ends: the directories' window. */
@inline export const HAND_MAP_END: u32 = DIRECTORY_VIEWS;

let identityEnd: u32 = 0;

/** Sets the end of the identity map (pagingInit, once). */
export function regionsSetIdentityEnd(end: u32): void { identityEnd = end; }
/** The end of the identity-mapped range, where the areas begin. */
export function identityMapEnd(): u32 { return identityEnd; }
/** Whether `vaddr` lies in the identity map. */
@inline export function inIdentityMap(vaddr: u32): bool { return vaddr < identityEnd; }
/** Whether `vaddr` lies in the window for pages mapped by hand. */
@inline export function inHandMapWindow(vaddr: u32): bool { return vaddr >= HAND_MAP_BASE && vaddr < HAND_MAP_END; }
/** Whether `vaddr` lies in user space. */
@inline export function inUserSpace(vaddr: u32): bool { return vaddr >= USER_BASE && vaddr < USER_END; }
/** Whether `vaddr` lies in the directories' window. */
@inline export function inDirectoryViews(vaddr: u32): bool { return pdeIndex(vaddr) == pdeIndex(DIRECTORY_VIEWS); }
/**
 * Whether directory entry `table` is the kernel's, shared by every address
 * space: 0-255 and 768-1021 (not the second mirror's, not the mirror).
 */
@inline export function isKernelTable(table: u32): bool {
  return table < (USER_BASE >>> PDE_SHIFT) || (table >= (USER_END >>> PDE_SHIFT) && table < OTHER_MIRROR_INDEX);
}
