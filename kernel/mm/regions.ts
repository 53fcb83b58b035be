// kernel/mm/regions.ts: what each range of the kernel's virtual address
// space is for.
//
//   0xFFFFFFFF +------------------------+
//              | the mirror             |  the page tables (arch/x86/mirror.ts)
//   0xFFC00000 +------------------------+  MIRROR_BASE
//              | mapped by hand         |  the monitor's map, the paging suite
//   0xC0000000 +------------------------+  HAND_MAP_BASE
//              | kernel areas           |  mm/area.ts: every page belongs to an
//              |                        |  area, used or free
//              +------------------------+  identityMapEnd()
//              | identity map: VA == PA |  the kernel image, low memory, the
//              |                        |  frame descriptors (mm/pages.ts pagingInit)
//   0x00000000 +------------------------+  (page 0 and the stack guards unmapped)
//
// The identity map ends at the end of the frame descriptors, which depends
// on the RAM the boot loader reported; the other boundaries are constants.
// An area owns every page of its range, free or used, and maps them itself:
// a page mapped or unmapped there by hand would break the area allocator's
// next take or release. So mappings by hand stay in their own window, and
// only paging itself writes the mirror.

import { MIRROR_BASE } from "../arch/x86/mirror";

/** Where the kernel's areas end and the window for pages mapped by hand begins. */
@inline export const HAND_MAP_BASE: u32 = 0xC0000000;
/** Where the window for pages mapped by hand ends: the mirror. */
@inline export const HAND_MAP_END: u32 = MIRROR_BASE;

let identityEnd: u32 = 0;

/** Sets the end of the identity map (pagingInit, once). */
export function regionsSetIdentityEnd(end: u32): void { identityEnd = end; }
/** The end of the identity-mapped range, where the areas begin. */
export function identityMapEnd(): u32 { return identityEnd; }
/** Whether `vaddr` lies in the identity map. */
@inline export function inIdentityMap(vaddr: u32): bool { return vaddr < identityEnd; }
/** Whether `vaddr` lies in the window for pages mapped by hand. */
@inline export function inHandMapWindow(vaddr: u32): bool { return vaddr >= HAND_MAP_BASE && vaddr < HAND_MAP_END; }
