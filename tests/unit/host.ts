// tests/unit/host.ts: what the host test harness (as-pect.config.js) offers specs.

/** How many times the kernel code under test has halted (cpu.hlt); a panic halts once. */
@external("host", "haltCount") export declare function haltCount(): u32;

/** The page double behind kernel/mm/backing.ts: pages backed now. */
@external("host", "backedPages") export declare function backedPages(): u32;
/** Lets at most `limit` pages be backed (u32.MAX_VALUE: no limit). */
@external("host", "setPageLimit") export declare function setPageLimit(limit: u32): void;
/** Pages parked for lazy areas and not backed, now. */
@external("host", "parkedPages") export declare function parkedPages(): u32;
/** Whether the backed page at `vaddr` was backed read-only (backParkedPage). */
@external("host", "pageReadOnly") export declare function pageReadOnly(vaddr: u32): bool;
/** Lets at most `limit` pages be parked at once (u32.MAX_VALUE: no limit): page tables running out. */
@external("host", "setParkLimit") export declare function setParkLimit(limit: u32): void;
/** Forgets every backed and parked page and lifts the limits (before a fresh allocInit). */
@external("host", "resetPages") export declare function resetPages(): void;

/** A page-aligned arena of `pages` pages of wasm memory, for an allocator to manage. */
export function arena(pages: u32): u32 {
  return <u32>((heap.alloc(<usize>(pages + 1) << 12) + 4095) & ~<usize>4095);
}

/** Expects `fn` to stop the kernel (a panic), and nothing else to have thrown. */
export function expectPanic(fn: () => void): void {
  const halts = haltCount();
  expect(fn).toThrow();
  expect(haltCount()).toBe(halts + 1, "the kernel halted (a panic), not some other trap");
}
