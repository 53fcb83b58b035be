// kernel/debug/inject.ts: faults and traps on request, from the command line.
//
//   fault=ADDR        write to ADDR from kernel code (a page fault if unmapped);
//                     refused inside the mirror window (PDE 1023, 0xFFC00000 and
//                     up): those pages are the live page tables, and a write
//                     there corrupts paging itself, so that what follows (often
//                     a reset, or a run that still halts "cleanly") cannot be
//                     reported
//   fault=read:ADDR   read ADDR (anywhere: a read of the mirror changes nothing)
//   trap=NAME         raise one exception or trap:
//     divide          #DE: the CPU's DIV by zero
//     invalid-opcode  #UD: UD2
//     breakpoint      #BP: INT3; the kernel continues after it
//     gpf             #GP: load a selector beyond the GDT's limit
//     double-fault    #DF: #GP through a removed IDT gate (two faults in a row)
//     stack-overflow  #DF: unbounded recursion runs into the unmapped guard page
//                     below the kernel stack; the page fault cannot push its
//                     frame, and the double-fault task reports it
//     panic           panic() with a message
//     fault-in-report the VGA text page made read-only, then #UD: the report
//                     faults on its first write to the screen, and ends as
//                     the one-line serial report (core/report.ts)
//     fault-in-double-fault-report   the same, with a stack overflow: the
//                     double-fault task's report faults on the screen
//     unreachable, abort, int-divide, int-overflow   the wasm traps
//   misuse=NAME       misuse the allocators; each stops the kernel with a
//                     message naming the function and the address:
//     double-free, interior, header, foreign, record (a record of the area
//     allocator), area-interior, area-slab, area-double-free,
//     write-after-free (caught by the DEBUG=1 kernel's poison only); and paging:
//     map-identity, map-mapped, map-mirror, map-unaligned, map-unaligned-paddr,
//     unmap-unmapped (no page table), unmap-absent (a table, no entry),
//     unmap-mirror, unmap-unaligned, map-reserved and unmap-reserved (a
//     page of a lazy area, reserved and not backed)
//     irq-alloc: alloc from the timer's IRQ handler (interrupt context)
//
// So that every report can be seen by a person and checked by a test. Each
// function below is where its fault happens, so reports name it.

import { divide, int3, loadSegments, stiHlt, ud2 } from "../arch/x86/cpu";
import { print, printHex, println } from "../core/console";
import { haltFailure } from "../core/halt";
import { SEL_KERNEL_CODE } from "../core/gdt";
import { idtRemoveGate } from "../core/idt";
import { VECTOR_GENERAL_PROTECTION } from "../core/exceptions";
import { panic } from "../core/panic";
import { interruptsOff, interruptsOn, irqAllocMisuseReturned, irqInstall, IRQ_HANDLER_ALLOC_MISUSE } from "../core/interrupts";
import { IRQ_TIMER, pitStart } from "../drivers/pit";
import { alloc, free, SLAB_HEADER_BYTES } from "../mm/alloc";
import { areaAlloc, areaFree, areaReserve, areaUsedList } from "../mm/area";
import { pageAlloc, PAGE_SIZE } from "../mm/mem";
import { inMirror, MIRROR_BASE, pageMap, pageSetIdentityFlags, pageUnmap, PTE_WRITABLE } from "../arch/x86/paging";
import { VGA_BUFFER } from "../drivers/vga";
import { parseNumber } from "../lib/cmdline";

// A selector past the GDT's 7 entries: loading it raises #GP(selector).
@inline const SEL_BEYOND_GDT: u16 = 7 * 8;

/** Handles `fault=...`; returns false when the value is not an address. */
export function injectFault(value: string): bool {
  const read = value.startsWith("read:");
  const number = parseNumber(read ? value.substring(5) : value);
  if (number < 0) return false;
  if (!read && inMirror(<u32>number)) refuseMirrorWrite(<u32>number);
  print("inject: ");
  print(read ? "reading " : "writing ");
  printHex(<u32>number);
  println();
  if (read) faultRead(<usize>number);
  else faultWrite(<usize>number);
  return true;
}

// A write into the mirror window rewrites a page table or the directory under
// the running kernel: the fault report itself could not be trusted, so the
// injector refuses it, as pageMap refuses to map there.
function refuseMirrorWrite(addr: u32): void {
  print("inject: fault=");
  printHex(addr);
  print(" is refused: the mirror window ");
  printHex(MIRROR_BASE);
  println("-0xffffffff holds the live page tables;");
  println("inject: writing there corrupts paging itself, and what follows could not be reported (fault=read: is allowed)");
  haltFailure();
}

/** Writes to `addr` (the store is the faulting instruction). */
export function faultWrite(addr: usize): void {
  store<u32>(addr, 0xFA017ED);
}

/** Reads `addr`, through memory so the load is not optimised away. */
export function faultRead(addr: usize): void {
  store<u32>(operands, load<u32>(addr));
}

/** The names injectTrap knows, for the message that refuses another. */
export const TRAP_NAMES = "divide invalid-opcode breakpoint gpf double-fault stack-overflow panic fault-in-report fault-in-double-fault-report unreachable abort int-divide int-overflow";

/** Handles `trap=NAME`; returns false for an unknown name. */
export function injectTrap(name: string): bool {
  if (name == "divide") raiseDivideError();
  else if (name == "invalid-opcode") raiseInvalidOpcode();
  else if (name == "breakpoint") raiseBreakpoint();
  else if (name == "gpf") raiseGeneralProtection();
  else if (name == "double-fault") raiseDoubleFault();
  else if (name == "stack-overflow") overflowStack(0);
  else if (name == "panic") panic("trap=panic asked for a panic");
  else if (name == "fault-in-report") faultInReport();
  else if (name == "fault-in-double-fault-report") faultInDoubleFaultReport();
  else return raiseWasmTrap(name);
  return true;
}

export function raiseDivideError(): void {
  store<u32>(operands, 0);
  store<u32>(operands, divide(1, load<u32>(operands)));
}

export function raiseInvalidOpcode(): void {
  ud2();
}

export function raiseBreakpoint(): void {
  int3();
  println("inject: back from the breakpoint");
}

export function raiseGeneralProtection(): void {
  loadSegments(SEL_KERNEL_CODE, SEL_BEYOND_GDT);
}

/** #GP while its gate is not present raises #NP while delivering it: a double fault. */
export function raiseDoubleFault(): void {
  idtRemoveGate(VECTOR_GENERAL_PROTECTION);
  raiseGeneralProtection();
}

/**
 * Recurses until the stack runs out, long before `depth` could wrap. The
 * load after the call keeps each level a real call with its own frame.
 */
export function overflowStack(depth: u32): u32 {
  if (depth == u32.MAX_VALUE) return depth;
  store<u32>(operands, depth);
  return overflowStack(depth + 1) ^ load<u32>(operands);
}

/** Makes the VGA text page read-only, then raises #UD: its report faults on the screen. */
export function faultInReport(): void {
  pageSetIdentityFlags(<u32>VGA_BUFFER, 0);
  ud2();
}

/** Makes the VGA text page read-only, then overflows the stack: the double fault's report faults. */
export function faultInDoubleFaultReport(): void {
  pageSetIdentityFlags(<u32>VGA_BUFFER, 0);
  overflowStack(0);
}

/** The names injectMisuse knows. */
export const MISUSE_NAMES = "double-free interior header foreign record area-interior area-slab area-double-free write-after-free map-identity map-mapped map-mirror map-unaligned map-unaligned-paddr unmap-unmapped unmap-absent unmap-mirror unmap-unaligned map-reserved unmap-reserved irq-alloc";

/** Handles `misuse=NAME`; returns false for an unknown name. */
export function injectMisuse(name: string): bool {
  if (name == "double-free") misuseDoubleFree();
  else if (name == "interior") free(alloc(64) + 8);
  else if (name == "header") free((alloc(64) & ~0xFFF) + PAGE_SIZE - SLAB_HEADER_BYTES + 4);
  else if (name == "foreign") free(0x00100000);
  else if (name == "record") misuseRecord();
  else if (name == "area-interior") areaFree(areaAlloc(2) + 0x1000);
  else if (name == "area-slab") areaFree(<u32>alloc(64) & ~0xFFF);
  else if (name == "area-double-free") misuseAreaDoubleFree();
  else if (name == "write-after-free") misuseWriteAfterFree();
  else if (name == "map-identity") pageMap(0x1000, pageAlloc(), PTE_WRITABLE);
  else if (name == "map-mapped") pageMap(areaAlloc(1), pageAlloc(), PTE_WRITABLE);
  else if (name == "map-mirror") pageMap(MIRROR_BASE, pageAlloc(), PTE_WRITABLE);
  else if (name == "map-unaligned") pageMap(MISUSE_PAGE + 0x800, pageAlloc(), PTE_WRITABLE);
  else if (name == "map-unaligned-paddr") pageMap(MISUSE_PAGE, pageAlloc() + 0x800, PTE_WRITABLE);
  else if (name == "unmap-unmapped") pageUnmap(MISUSE_PAGE);
  else if (name == "unmap-absent") misuseUnmapAbsent();
  else if (name == "unmap-mirror") pageUnmap(0xFFFFF000);
  else if (name == "unmap-unaligned") misuseUnmapUnaligned();
  else if (name == "map-reserved") pageMap(areaReserve(1), pageAlloc(), PTE_WRITABLE);
  else if (name == "unmap-reserved") pageUnmap(areaReserve(1));
  else if (name == "irq-alloc") misuseAllocInIrq();
  else return false;
  return true;
}

// An address in a directory entry the kernel leaves empty (1 GiB).
@inline const MISUSE_PAGE: u32 = 0x40000000;

/** free() of the record that describes the newest used area. */
function misuseRecord(): void {
  areaAlloc(1);
  free(areaUsedList());
}

/** Unmaps the page after a mapped one: its page table exists, its entry is not present. */
function misuseUnmapAbsent(): void {
  pageMap(MISUSE_PAGE, pageAlloc(), PTE_WRITABLE);
  pageUnmap(MISUSE_PAGE + PAGE_SIZE);
}

/** Unmaps a mapped page by an address inside it. */
function misuseUnmapUnaligned(): void {
  pageMap(MISUSE_PAGE, pageAlloc(), PTE_WRITABLE);
  pageUnmap(MISUSE_PAGE + 0x800);
}

function misuseDoubleFree(): void {
  const block = alloc(64);
  free(block);
  free(block);
}

/** Writes into a freed block, then allocates it again (the free list hands out the last freed first). */
function misuseWriteAfterFree(): void {
  const block = alloc(64);
  free(block);
  store<u32>(block + 8, 0xBAD);
  alloc(64);
}

/** Lets an IRQ 0 handler call alloc, which must refuse; stops the kernel if it did not. */
export function misuseAllocInIrq(): void {
  irqInstall(IRQ_TIMER, IRQ_HANDLER_ALLOC_MISUSE);
  pitStart();
  interruptsOn();
  while (!irqAllocMisuseReturned()) stiHlt();
  interruptsOff();
  println("inject: alloc returned in interrupt context instead of refusing");
  haltFailure();
}

function misuseAreaDoubleFree(): void {
  const area = areaAlloc(1);
  areaFree(area);
  areaFree(area);
}

// Operands kept in memory, so that the optimiser cannot see the values and
// fold a deliberate trap below into a plain `unreachable`.
const operands = memory.data(8);

/**
 * Deliberately reaches the wasm trap `name` (command line `trap=NAME`), so
 * that each kind of report can be seen and tested. Returns false when the
 * name is not one of them.
 */
function raiseWasmTrap(name: string): bool {
  if (name == "unreachable") {
    unreachable();
  } else if (name == "abort") {
    // A failed assert() is the common way into abort(), and carries a location.
    assert(name.length == 0, "trap=abort asked for a failed assertion");
  } else if (name == "int-divide") {
    store<i32>(operands, 0);
    store<i32>(operands, 7 / load<i32>(operands));
  } else if (name == "int-overflow") {
    store<i32>(operands, i32.MIN_VALUE);
    store<i32>(operands + 4, -1);
    store<i32>(operands, load<i32>(operands) / load<i32>(operands + 4));
  } else {
    return false;
  }
  return true;
}
