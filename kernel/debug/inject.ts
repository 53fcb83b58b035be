// kernel/debug/inject.ts: faults, traps and misuses on request, so that every
// report the kernel can print can be seen by a person and checked by a test.
//
//   fault=ADDR        kernel code writes to ADDR (a page fault if unmapped
//                     or read-only); refused, before anything is written,
//                     where the write would land in the kernel's own memory
//                     (the rule is debug/guard.ts: the page tables through
//                     the mirror, the GDT, the IDT, the stacks, ...), because
//                     what follows could not be reported
//   fault=read:ADDR   reads ADDR (anywhere: a read changes nothing)
//                     Either way, an access that does not end in a report
//                     (it did not fault, or the fault was handled: a lazy
//                     page backed) says so and stops with the failure
//                     status: what was asked for did not happen.
//   trap=NAME         one of TRAPS below
//   misuse=NAME       one of MISUSES below: each stops the kernel with a
//                     message naming the function and the address
//
// Each function below is where its fault happens, so reports name it.

import { divide, int3, loadSegments, stiHlt, ud2 } from "../arch/x86/cpu";
import { VECTOR_GENERAL_PROTECTION } from "../arch/x86/exceptions";
import { SEL_KERNEL_CODE } from "../arch/x86/gdt";
import { idtRemoveGate } from "../arch/x86/idt";
import { MIRROR_BASE } from "../arch/x86/mirror";
import { PAGE_SIZE, PTE_WRITABLE } from "../arch/x86/paging";
import { print, printDec, printHex, println } from "../core/console";
import { haltFailure } from "../core/halt";
import { interruptsOff, interruptsOn, irqInstall } from "../core/irq";
import { panic } from "../core/panic";
import { IRQ_TIMER, pitStart } from "../drivers/pit";
import { VGA_BUFFER } from "../drivers/vga";
import { Action, actionNamed, actionNames } from "../lib/actions";
import { parseNumber } from "../lib/cmdline";
import { alloc, free } from "../mm/alloc";
import { areaAlloc, areaAllocLazy, areaFree, areaUsedList, MemArea } from "../mm/area";
import { pageFaultsHandled } from "../mm/fault";
import { lazyAreaOf } from "../mm/lazy";
import { frameAlloc } from "../mm/frames";
import { pageMap, pageSetIdentityFlags, pageUnmap } from "../mm/pages";
import { SLAB_HEADER_BYTES } from "../mm/slab";
import { guardRefusal, guardSplits } from "./guard";

// A selector past the GDT's 7 entries: loading it raises #GP(selector).
@inline const SEL_BEYOND_GDT: u16 = 7 * 8;

// Operands kept in memory, so that the optimiser cannot see the values and
// fold a deliberate trap below into a plain `unreachable`.
const operands = memory.data(8);

// An address in user space (1 GiB), which the kernel's own space leaves empty at boot.
@inline const MISUSE_PAGE: u32 = 0x40000000;

let allocatedInIrq = false;

/** What `trap=NAME` raises. */
export const TRAPS: Array<Action> = [
  new Action("divide", "#DE: the CPU's DIV by zero", raiseDivideError),
  new Action("invalid-opcode", "#UD: UD2", raiseInvalidOpcode),
  new Action("breakpoint", "#BP: INT3; the kernel continues after it", raiseBreakpoint),
  new Action("gpf", "#GP: load a selector beyond the GDT's limit", raiseGeneralProtection),
  new Action("double-fault", "#DF: #GP through a removed IDT gate (two faults in a row)", raiseDoubleFault),
  new Action("stack-overflow", "#DF: unbounded recursion into the guard page below the kernel stack", raiseStackOverflow),
  new Action("panic", "panic() with a message", raisePanic),
  new Action("fault-in-report", "the VGA text page made read-only, then #UD: the report faults on the screen", faultInReport),
  new Action("fault-in-double-fault-report", "the same, with a stack overflow: the double-fault task's report faults", faultInDoubleFaultReport),
  new Action("unreachable", "the wasm trap of unreachable()", raiseUnreachable),
  new Action("abort", "a failed assert(), AssemblyScript's abort()", raiseAbort),
  new Action("int-divide", "the wasm trap of an integer division by zero", raiseIntDivide),
  new Action("int-overflow", "the wasm trap of i32.MIN_VALUE / -1", raiseIntOverflow),
];

/** What `misuse=NAME` does wrong; each must stop the kernel naming the function and the address. */
export const MISUSES: Array<Action> = [
  new Action("double-free", "free the same block twice", misuseDoubleFree),
  new Action("interior", "free a pointer inside a block", misuseInterior),
  new Action("header", "free a pointer into a slab's header", misuseHeader),
  new Action("foreign", "free an address no allocator handed out (the kernel image)", misuseForeign),
  new Action("record", "free a record of the area allocator", misuseRecord),
  new Action("area-interior", "areaFree an address inside an area", misuseAreaInterior),
  new Action("area-slab", "areaFree a slab's area", misuseAreaSlab),
  new Action("area-double-free", "areaFree the same area twice", misuseAreaDoubleFree),
  new Action("write-after-free", "write into a freed block (caught by the DEBUG=1 kernel's poison only)", misuseWriteAfterFree),
  new Action("map-identity", "pageMap into the identity map", misuseMapIdentity),
  new Action("map-mapped", "pageMap an address already mapped", misuseMapMapped),
  new Action("map-mirror", "pageMap into the mirror window", misuseMapMirror),
  new Action("map-unaligned", "pageMap an unaligned virtual address", misuseMapUnaligned),
  new Action("map-unaligned-paddr", "pageMap an unaligned frame address", misuseMapUnalignedFrame),
  new Action("unmap-unmapped", "pageUnmap where there is no page table", misuseUnmapUnmapped),
  new Action("unmap-absent", "pageUnmap an absent entry of an existing table", misuseUnmapAbsent),
  new Action("unmap-mirror", "pageUnmap the directory's page in the mirror", misuseUnmapMirror),
  new Action("unmap-unaligned", "pageUnmap by an address inside a mapped page", misuseUnmapUnaligned),
  new Action("map-parked", "pageMap a parked page of a lazy area", misuseMapParked),
  new Action("unmap-parked", "pageUnmap a parked page of a lazy area", misuseUnmapParked),
  new Action("irq-alloc", "alloc from the timer's IRQ handler (interrupt context)", misuseAllocInIrq),
];

/** Runs `trap=NAME`; returns false for an unknown name. */
export function injectTrap(name: string): bool {
  return injectNamed(TRAPS, name);
}

/** Runs `misuse=NAME`; returns false for an unknown name. */
export function injectMisuse(name: string): bool {
  return injectNamed(MISUSES, name);
}

/** The names `trap=` and `misuse=` know, for a refusal that lists them. */
export function trapNames(): string { return actionNames(TRAPS); }
export function misuseNames(): string { return actionNames(MISUSES); }

function injectNamed(table: Array<Action>, name: string): bool {
  const action = actionNamed(table, name);
  if (action == null) return false;
  action.run();
  return true;
}

// ---------------------------------------------------------------------------
// fault=

/** Handles `fault=...`; returns false when the value is not an address. */
export function injectFault(value: string): bool {
  const read = value.startsWith("read:");
  const number = parseNumber(read ? value.substring(5) : value);
  if (number < 0) return false;
  if (read || !accessRefused("inject", <u32>number)) {
    const before = accessBegin("inject", <u32>number, read);
    if (read) faultRead(<usize>number);
    else faultWrite(<usize>number);
    accessEnd("inject", <u32>number, read, before);
  }
  haltFailure(); // no report came: what happened instead has been said
  return true;
}

// A read or write by hand meant to fault (fault= here, the monitor's fault):
// the rule of debug/guard.ts first, then what the access did when it came
// back (a fault the kernel does not handle ends in its report instead). The
// access itself is the caller's, so that reports name it in its place.

/** Whether the rule of debug/guard.ts refuses a write at `addr`, after saying why; `who` starts each line. */
export function accessRefused(who: string, addr: u32): bool {
  const what = guardRefusal(addr, 4);
  const splits = guardSplits(addr, 4);
  if (what.length == 0 && !splits) return false;
  print(who);
  print(": a write to ");
  printHex(addr);
  print(" is refused: ");
  if (splits) println("the word straddles two pages and the second would fault: the first could change first (a lazy page backed)");
  else {
    print("it would overwrite ");
    print(what);
    println(", and what follows could not be reported");
  }
  print(who);
  println(": nothing was written (a read is allowed anywhere: read:ADDR)");
  return true;
}

/** Says what is about to be done; returns what accessEnd needs: the lazy area whose page it would back, or 0. */
export function accessBegin(who: string, addr: u32, read: bool): usize {
  print(who);
  print(read ? ": reading " : ": writing ");
  printHex(addr);
  println();
  lazyFaultsBefore = pageFaultsHandled();
  const first = lazyAreaOf(addr);
  return first != 0 ? first : lazyAreaOf(addr + 3); // the word may reach into a parked page
}

let lazyFaultsBefore: u32 = 0;

/** Says what the access did, now that it came back: it did not fault, or its fault was handled. */
export function accessEnd(who: string, addr: u32, read: bool, lazy: usize): void {
  print(who);
  print(read ? ": the read of " : ": the write to ");
  printHex(addr);
  if (lazy != 0 && pageFaultsHandled() != lazyFaultsBefore) {
    print(" faulted, and the fault was handled: the page was backed, in lazy area ");
    printHex(changetype<MemArea>(lazy).start);
    print("+");
    printDec(changetype<MemArea>(lazy).pages);
    println();
    return;
  }
  println(read ? " did not fault (mapped)" : " did not fault (mapped and writable)");
}

/** Writes to `addr` (the store is the faulting instruction). */
export function faultWrite(addr: usize): void {
  store<u32>(addr, 0xFA017ED);
}

/** Reads `addr`, through memory so the load is not optimised away. */
export function faultRead(addr: usize): void {
  store<u32>(operands, load<u32>(addr));
}

// ---------------------------------------------------------------------------
// trap=

function raiseDivideError(): void {
  store<u32>(operands, 0);
  store<u32>(operands, divide(1, load<u32>(operands)));
}

function raiseInvalidOpcode(): void {
  ud2();
}

function raiseBreakpoint(): void {
  int3();
  println("inject: back from the breakpoint");
}

function raiseGeneralProtection(): void {
  loadSegments(SEL_KERNEL_CODE, SEL_BEYOND_GDT);
}

// #GP while its gate is not present raises #NP while delivering it: a double fault.
function raiseDoubleFault(): void {
  idtRemoveGate(VECTOR_GENERAL_PROTECTION);
  raiseGeneralProtection();
}

function raiseStackOverflow(): void {
  overflowStack(0);
}

// Recurses until the stack runs out, long before `depth` could wrap. The
// load after the call keeps each level a real call with its own frame.
function overflowStack(depth: u32): u32 {
  if (depth == u32.MAX_VALUE) return depth;
  store<u32>(operands, depth);
  return overflowStack(depth + 1) ^ load<u32>(operands);
}

function raisePanic(): void {
  panic("trap=panic asked for a panic");
}

// Makes the VGA text page read-only, then raises #UD: its report faults on the screen.
function faultInReport(): void {
  pageSetIdentityFlags(<u32>VGA_BUFFER, 0);
  ud2();
}

// Makes the VGA text page read-only, then overflows the stack: the double fault's report faults.
function faultInDoubleFaultReport(): void {
  pageSetIdentityFlags(<u32>VGA_BUFFER, 0);
  overflowStack(0);
}

function raiseUnreachable(): void {
  unreachable();
}

function raiseAbort(): void {
  // A failed assert() is the common way into abort(), and carries a location.
  store<u32>(operands, 1);
  assert(load<u32>(operands) == 0, "trap=abort asked for a failed assertion");
}

function raiseIntDivide(): void {
  store<i32>(operands, 0);
  store<i32>(operands, 7 / load<i32>(operands));
}

function raiseIntOverflow(): void {
  store<i32>(operands, i32.MIN_VALUE);
  store<i32>(operands + 4, -1);
  store<i32>(operands, load<i32>(operands) / load<i32>(operands + 4));
}

// ---------------------------------------------------------------------------
// misuse=

function misuseDoubleFree(): void {
  const block = alloc(64);
  free(block);
  free(block);
}

function misuseInterior(): void {
  free(alloc(64) + 8);
}

function misuseHeader(): void {
  free((alloc(64) & ~0xFFF) + PAGE_SIZE - SLAB_HEADER_BYTES + 4);
}

function misuseForeign(): void {
  free(0x00100000);
}

// free() of the record that describes the newest used area.
function misuseRecord(): void {
  areaAlloc(1);
  free(areaUsedList());
}

function misuseAreaInterior(): void {
  areaFree(areaAlloc(2) + 0x1000);
}

function misuseAreaSlab(): void {
  areaFree(<u32>alloc(64) & ~0xFFF);
}

function misuseAreaDoubleFree(): void {
  const area = areaAlloc(1);
  areaFree(area);
  areaFree(area);
}

// Writes into a freed block, then allocates it again (the free list hands out the last freed first).
function misuseWriteAfterFree(): void {
  const block = alloc(64);
  free(block);
  store<u32>(block + 8, 0xBAD);
  alloc(64);
}

function misuseMapIdentity(): void {
  pageMap(0x1000, frameAlloc(), PTE_WRITABLE);
}

function misuseMapMapped(): void {
  pageMap(areaAlloc(1), frameAlloc(), PTE_WRITABLE);
}

function misuseMapMirror(): void {
  pageMap(MIRROR_BASE, frameAlloc(), PTE_WRITABLE);
}

function misuseMapUnaligned(): void {
  pageMap(MISUSE_PAGE + 0x800, frameAlloc(), PTE_WRITABLE);
}

function misuseMapUnalignedFrame(): void {
  pageMap(MISUSE_PAGE, frameAlloc() + 0x800, PTE_WRITABLE);
}

function misuseUnmapUnmapped(): void {
  pageUnmap(MISUSE_PAGE);
}

// Unmaps the page after a mapped one: its page table exists, its entry is not present.
function misuseUnmapAbsent(): void {
  pageMap(MISUSE_PAGE, frameAlloc(), PTE_WRITABLE);
  pageUnmap(MISUSE_PAGE + PAGE_SIZE);
}

function misuseUnmapMirror(): void {
  pageUnmap(0xFFFFF000);
}

// Unmaps a mapped page by an address inside it.
function misuseUnmapUnaligned(): void {
  pageMap(MISUSE_PAGE, frameAlloc(), PTE_WRITABLE);
  pageUnmap(MISUSE_PAGE + 0x800);
}

function misuseMapParked(): void {
  pageMap(areaAllocLazy(1), frameAlloc(), PTE_WRITABLE);
}

function misuseUnmapParked(): void {
  pageUnmap(areaAllocLazy(1));
}

// The timer handler of misuse=irq-alloc: alloc must refuse it (core/context.ts).
function irqAllocMisuse(irq: u32): void {
  alloc(16);
  allocatedInIrq = true;
}

// Lets an IRQ 0 handler call alloc, which must refuse; stops the kernel if it did not.
function misuseAllocInIrq(): void {
  irqInstall(IRQ_TIMER, irqAllocMisuse);
  pitStart();
  interruptsOn();
  while (!allocatedInIrq) stiHlt();
  interruptsOff();
  println("inject: alloc returned in interrupt context instead of refusing");
  haltFailure();
}
