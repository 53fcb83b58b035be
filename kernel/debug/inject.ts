// kernel/debug/inject.ts: faults and traps on request, from the command line.
//
//   fault=ADDR        write to ADDR from kernel code (a page fault if unmapped)
//   fault=read:ADDR   read ADDR
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
//     unreachable, abort, int-divide, int-overflow   the wasm traps
//   misuse=NAME       misuse the allocators; each stops the kernel with a
//                     message naming the function and the address:
//     double-free, interior, header, foreign, area-interior, area-slab,
//     area-double-free; and paging: map-identity, unmap-unmapped;
//     irq-alloc: alloc from the timer's IRQ handler (interrupt context)
//
// So that every report can be seen by a person and checked by a test. Each
// function below is where its fault happens, so reports name it.

import { divide, int3, loadSegments, stiHlt, ud2 } from "../arch/x86/cpu";
import { print, printHex, println } from "../core/console";
import { SEL_KERNEL_CODE } from "../core/gdt";
import { idtRemoveGate } from "../core/idt";
import { VECTOR_GENERAL_PROTECTION } from "../core/exceptions";
import { panic } from "../core/panic";
import { haltFailure } from "../core/halt";
import { interruptsOff, interruptsOn, irqAllocMisuseReturned, irqInstall, IRQ_HANDLER_ALLOC_MISUSE } from "../core/interrupts";
import { IRQ_TIMER, pitStart } from "../drivers/pit";
import { alloc, free } from "../mm/alloc";
import { areaAlloc, areaFree } from "../mm/area";
import { pageAlloc } from "../mm/mem";
import { pageMap, pageUnmap, PTE_WRITABLE } from "../arch/x86/paging";
import { parseNumber } from "../lib/cmdline";

// A selector past the GDT's 7 entries: loading it raises #GP(selector).
@inline const SEL_BEYOND_GDT: u16 = 7 * 8;

/** Handles `fault=...`; returns false when the value is not an address. */
export function injectFault(value: string): bool {
  const read = value.startsWith("read:");
  const number = parseNumber(read ? value.substring(5) : value);
  if (number < 0) return false;
  print("inject: ");
  print(read ? "reading " : "writing ");
  printHex(<u32>number);
  println();
  if (read) faultRead(<usize>number);
  else faultWrite(<usize>number);
  return true;
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
export const TRAP_NAMES = "divide invalid-opcode breakpoint gpf double-fault stack-overflow panic unreachable abort int-divide int-overflow";

/** Handles `trap=NAME`; returns false for an unknown name. */
export function injectTrap(name: string): bool {
  if (name == "divide") raiseDivideError();
  else if (name == "invalid-opcode") raiseInvalidOpcode();
  else if (name == "breakpoint") raiseBreakpoint();
  else if (name == "gpf") raiseGeneralProtection();
  else if (name == "double-fault") raiseDoubleFault();
  else if (name == "stack-overflow") overflowStack(0);
  else if (name == "panic") panic("trap=panic asked for a panic");
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

/** The names injectMisuse knows. */
export const MISUSE_NAMES = "double-free interior header foreign area-interior area-slab area-double-free map-identity unmap-unmapped irq-alloc";

/** Handles `misuse=NAME`; returns false for an unknown name. */
export function injectMisuse(name: string): bool {
  if (name == "double-free") misuseDoubleFree();
  else if (name == "interior") free(alloc(64) + 8);
  else if (name == "header") free((alloc(64) & ~0xFFF) + 4);
  else if (name == "foreign") free(0x00100000);
  else if (name == "area-interior") areaFree(areaAlloc(2) + 0x1000);
  else if (name == "area-slab") areaFree(<u32>alloc(64) & ~0xFFF);
  else if (name == "area-double-free") misuseAreaDoubleFree();
  else if (name == "map-identity") pageMap(0x1000, pageAlloc(), PTE_WRITABLE);
  else if (name == "unmap-unmapped") pageUnmap(0x40000000);
  else if (name == "irq-alloc") misuseAllocInIrq();
  else return false;
  return true;
}

function misuseDoubleFree(): void {
  const block = alloc(64);
  free(block);
  free(block);
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
