// kernel/arch/x86/mirror.ts: the mirror, a directory entry that points back
// at its own directory, and the addresses it gives every page table.
//
// PDE number MIRROR_INDEX (N) holds the directory's own frame. A linear
// address whose PDE index is N then walks: directory -> (entry N) the
// directory again, used as a page table -> (entry I) page table I, used as
// the page. So the 4 MiB window at N x 4 MiB shows every page table, and the
// directory among them:
//
//   N x 4 MiB + I x 4 KiB   is page table I   (mirrorTable(I))
//   N x 4 MiB + N x 4 KiB   is the directory   (mirrorDirectory())
//
// With N = 1023: tables appear from 0xFFC00000, the directory at 0xFFFFF000,
// and the PTE for any address V is at 0xFFC00000 + (V >> 12) x 4.
//
//   0xFFFFFFFF +------------------------+
//              | directory (= table N)  |  0xFFFFF000
//              | table N-1              |
//              | ...                    |
//              | table 0                |  0xFFC00000 = N x 4 MiB
//              +------------------------+
//
// The window shows the tables of the directory in CR3, and only those: every
// address space's directory has its own mirror entry (kernel/mm/space.ts
// says what that shows after a switch).
// Software that wants to change an entry needs no physical address: it
// writes the entry's mirror address, then invalidates the page the entry
// maps (INVLPG). A PDE address is valid always; a PTE address only while
// its PDE is present.

import { PDE_SHIFT, PTE_SHIFT, pdeIndex } from "./paging";
import { invlpg, readCr3, writeCr3 } from "./cpu";

/** The directory entry that points back at the directory (N above). */
@inline export const MIRROR_INDEX: u32 = 1023;
/** Where the page tables appear: N x 4 MiB. */
@inline export const MIRROR_BASE: u32 = MIRROR_INDEX << PDE_SHIFT;

/** Where page table `table` appears in the mirror window of directory entry `mirror`. */
@inline export function mirrorTable(table: u32, mirror: u32 = MIRROR_INDEX): u32 {
  return (mirror << PDE_SHIFT) + (table << PTE_SHIFT);
}
/** Where the directory appears in the mirror window of entry `mirror`. */
@inline export function mirrorDirectory(mirror: u32 = MIRROR_INDEX): u32 {
  return mirrorTable(mirror, mirror);
}
/** The linear address of the PDE that maps `vaddr`. */
@inline export function pdeAddress(vaddr: u32): u32 { return mirrorDirectory() + pdeIndex(vaddr) * 4; }
/**
 * The linear address of the PTE that maps `vaddr` (valid only while its PDE
 * is present): mirrorTable(pdeIndex(vaddr)) + pteIndex(vaddr) x 4, which is
 * MIRROR_BASE + (vaddr >> 12) x 4, one shift.
 */
@inline export function pteAddress(vaddr: u32): u32 { return MIRROR_BASE + (vaddr >>> PTE_SHIFT) * 4; }

/** Whether `vaddr` lies in the mirror window. */
@inline export function inMirror(vaddr: u32): bool { return pdeIndex(vaddr) == MIRROR_INDEX; }

/**
 * After a store by hand into the mirror window at `addr` (the monitor's
 * poke!): makes the CPU use what was written. A PTE changed: INVLPG of the
 * page it maps. A PDE changed: up to 4 MiB of translations and the mirror's
 * view of that table, so CR3 is reloaded, which flushes every non-global
 * entry (SDM vol. 3, 4.10.4.1; the kernel sets no global pages).
 */
export function mirrorWritten(addr: u32): void {
  if (addr >= mirrorDirectory()) writeCr3(readCr3());
  else invlpg(((addr - MIRROR_BASE) >>> 2) << PTE_SHIFT);
}
