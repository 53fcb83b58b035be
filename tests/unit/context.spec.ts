// The rule for interrupt context (kernel/core/context.ts): every allocator
// entry point refuses to run inside an IRQ handler, before changing anything.
// On the host, interruptEnter/interruptLeave stand in for interruptDispatch.
import { alloc, allocInit, allocInUse, free } from "../../kernel/mm/alloc";
import { areaAlloc, areaFree, areaFreePages, areaAllocLazy, areaUsedCount } from "../../kernel/mm/area";
import { interruptEnter, interruptLeave } from "../../kernel/core/context";
import { arena, backedPages, expectPanic, resetPages } from "./host";

const PAGE: u32 = 4096;
const PAGES: u32 = 64;
const base = arena(PAGES);
const top = base + PAGES * PAGE;

let block: usize = 0;
let area: u32 = 0;

// The allocators' state, to compare before and after a refusal.
function state(): string {
  return `${allocInUse()} ${areaUsedCount()} ${areaFreePages()} ${backedPages()}`;
}

// Expects `fn` to be refused inside an IRQ handler, changing nothing.
function refusedInInterrupt(fn: () => void): void {
  const before = state();
  interruptEnter();
  expectPanic(fn);
  interruptLeave();
  expect(state()).toBe(before, "nothing changed");
}

describe("in interrupt context", () => {
  beforeEach(() => {
    resetPages();
    expect(allocInit(base, top)).toBe(true);
    block = alloc(64);
    area = areaAlloc(2);
  });
  it("alloc refuses", () => { refusedInInterrupt(() => { alloc(32); }); });
  it("free refuses", () => { refusedInInterrupt(() => { free(block); }); });
  it("areaAlloc refuses", () => { refusedInInterrupt(() => { areaAlloc(1); }); });
  it("areaAllocLazy refuses", () => { refusedInInterrupt(() => { areaAllocLazy(1); }); });
  it("areaFree refuses", () => { refusedInInterrupt(() => { areaFree(area); }); });
  it("outside it, the same calls work", () => {
    expect(areaAllocLazy(1)).not.toBe(0);
    free(block);
    areaFree(area);
    expect(allocInUse()).toBe(0);
  });
});
