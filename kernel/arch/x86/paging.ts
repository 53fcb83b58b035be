// kernel/arch/x86/paging.ts: 32-bit paging as the CPU defines it (SDM vol.
// 3, 4.3): how a linear address splits, and the format of an entry.
//
//   31            22 21            12 11                    0
//  +----------------+----------------+-----------------------+
//  |  PDE index     |  PTE index     |  offset in the page   |
//  +----------------+----------------+-----------------------+
//
// CR3 holds the physical address of the page directory; PDE i holds the
// physical address of page table i, and PTE j of that table the frame that
// backs the page. An entry (PDE and PTE alike):
//
//   31                       12 11  9 8 7 6 5 4 3 2 1 0
//  +---------------------------+-----+-+-+-+-+-+-+-+-+-+
//  |  frame (physical 31:12)   | AVL |G| |D|A|C|W|U|R|P|
//  +---------------------------+-----+-+-+-+-+-+-+-+-+-+
//
// When P = 0 the CPU ignores every other bit (SDM vol. 3, 4.3, table 4-6),
// so software may keep a word there: a parked entry (PTE_PARKED below;
// mm/pages.ts pagePark). How the kernel reaches its own tables is the mirror
// (arch/x86/mirror.ts); which ranges hold what is mm/regions.ts.

// Entry bits, PDE and PTE alike (SDM vol. 3, tables 4-5 and 4-6).
@inline export const PTE_PRESENT: u32 = 1 << 0;        // P
@inline export const PTE_WRITABLE: u32 = 1 << 1;       // R/W: writes allowed
@inline export const PTE_USER: u32 = 1 << 2;           // U/S: ring 3 may access
@inline export const PTE_WRITE_THROUGH: u32 = 1 << 3;  // PWT
@inline export const PTE_CACHE_DISABLE: u32 = 1 << 4;  // PCD
@inline export const PTE_ACCESSED: u32 = 1 << 5;       // A: set by the CPU
@inline export const PTE_DIRTY: u32 = 1 << 6;          // D: set by the CPU on write (PTE only)
@inline export const PTE_GLOBAL: u32 = 1 << 8;         // G (PTE only, with CR4.PGE)
@inline export const PTE_ADDRESS: u32 = 0xFFFFF000;    // the frame
@inline export const PTE_FLAGS: u32 = 0x00000FFF;

/**
 * Marks a not-present entry as parked: bit 1 (R/W when present; ignored
 * when P = 0). A parked entry is "P = 0, PTE_PARKED set, the rest a 4-byte
 * aligned word of the kernel's".
 */
@inline export const PTE_PARKED: u32 = 1 << 1;
/** The bits of a parked entry that hold its word. */
@inline export const PTE_PARKED_WORD: u32 = ~(PTE_PRESENT | PTE_PARKED);

/**
 * A directory entry allows everything and leaves the decision to the page
 * table entries: the CPU takes the stricter of the two (SDM vol. 3, 4.6), so
 * a table shared by kernel and user mappings needs no change when the first
 * user mapping arrives.
 */
@inline export const PDE_GRANTS: u32 = PTE_PRESENT | PTE_WRITABLE | PTE_USER;

@inline export const CR0_WP: u32 = 1 << 16;            // supervisor writes honour R/W
@inline export const CR0_PG: u32 = 1 << 31;            // paging on

@inline export const ENTRIES_PER_TABLE: u32 = 1024;
@inline export const PDE_SHIFT: u32 = 22;              // 4 MiB per PDE
@inline export const PTE_SHIFT: u32 = 12;              // 4 KiB per PTE
@inline export const PAGE_SIZE: u32 = 1 << PTE_SHIFT;
@inline export const PAGE_SHIFT: u32 = PTE_SHIFT;
@inline export const PAGE_MASK: u32 = PAGE_SIZE - 1;

/** An entry for the frame at `paddr` (4 KiB aligned) with `flags`, present. */
@inline export function makeEntry(paddr: u32, flags: u32): u32 { return (paddr & PTE_ADDRESS) | (flags & PTE_FLAGS) | PTE_PRESENT; }
/** The frame an entry points at. */
@inline export function entryFrame(entry: u32): u32 { return entry & PTE_ADDRESS; }
/** The flag bits of an entry. */
@inline export function entryFlags(entry: u32): u32 { return entry & PTE_FLAGS; }
/** Whether `entry` is a parked entry (not present, marked). */
@inline export function entryParked(entry: u32): bool {
  return (entry & (PTE_PRESENT | PTE_PARKED)) == PTE_PARKED;
}

@inline export function pdeIndex(vaddr: u32): u32 { return vaddr >>> PDE_SHIFT; }
@inline export function pteIndex(vaddr: u32): u32 { return (vaddr >>> PTE_SHIFT) & (ENTRIES_PER_TABLE - 1); }
