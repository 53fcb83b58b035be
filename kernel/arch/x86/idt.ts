// kernel/arch/x86/idt.ts: the interrupt descriptor table.
//
// Vectors 0-31 are the CPU's exceptions and 32-47 the PICs' IRQs
// (drivers/pic.ts); each gets an interrupt gate to its entry stub in
// boot/interrupts.asm, which calls interruptDispatch (kernel/trap/dispatch.ts).
// Interrupt gates clear IF on entry. Vector 0x80 is the system-call gate,
// the only one of DPL 3: ring 3 may raise it with INT n, and an INT n from
// ring 3 for any other vector is a #GP (the DPL check comes before the
// present check, SDM vol. 3, 6.12.1.1). The other vectors of 48-255 are
// not present: using one from ring 0 raises #NP.
//
// The double fault (#8) gets a task gate instead (SDM vol. 3, 6.14.5 and
// 7.2.5), to the double-fault task (arch/x86/tss.ts).
//
// A gate descriptor (SDM vol. 3, figure 6-2), as one u64:
//
//   63            48 47     40 39     32 31            16 15             0
//  +----------------+---------+---------+----------------+----------------+
//  |  offset 31:16  |  attrs  | reserved|    selector    |  offset 15:0   |
//  +----------------+---------+---------+----------------+----------------+
//   attrs = P | DPL(2) | 0 | type(4): 0xE 32-bit interrupt gate, 0x5 task gate

import { lidt } from "./cpu";
import { SEL_DOUBLE_FAULT_TSS, SEL_KERNEL_CODE } from "./gdt";
import { interruptStubs, syscallStub } from "./layout";
import { VECTOR_DOUBLE_FAULT } from "./exceptions";
import { PIC_IRQ_COUNT, PIC_VECTOR_BASE } from "../../drivers/pic";

@inline export const IDT_VECTORS: u32 = 256;
@inline export const IDT_STUBS: u32 = PIC_VECTOR_BASE + PIC_IRQ_COUNT;  // 48, as boot/interrupts.asm

@inline export const GATE_PRESENT: u8 = 0x80;
@inline export const GATE_INTERRUPT32: u8 = 0x0E;
@inline export const GATE_TASK: u8 = 0x05;
@inline export const GATE_DPL3: u8 = 0x60;         // ring 3 may raise it with INT n (SDM vol. 3, 6.12.1.1)
/** int 0x80: the system-call gate, the one ring 3 may raise. */
@inline export const VECTOR_SYSCALL: u32 = 0x80;

const idt = memory.data(<i32>IDT_VECTORS * 8, 8);
const idtr = memory.data(8, 4);   // limit u16 at +0, base u32 at +2

/** Where the IDT is (debug/guard.ts names it); IDT_VECTORS x 8 bytes. */
export function idtAddress(): usize { return idt; }

/** Encodes one gate descriptor (figure 6-2 above). */
export function gateDescriptor(offset: u32, selector: u16, attributes: u8): u64 {
  return <u64>(offset & 0xFFFF)
    | (<u64>selector << 16)
    | (<u64>attributes << 40)
    | (<u64>(offset >>> 16) << 48);
}

/** The handler offset a gate descriptor encodes. */
export function gateOffset(g: u64): u32 {
  return <u32>(g & 0xFFFF) | (<u32>(g >> 48) << 16);
}

/** The IDT entry for `vector`. */
export function idtEntry(vector: u32): u64 {
  return load<u64>(idt + <usize>(vector * 8));
}

/** The table's address, for checking IDTR against it. */
export function idtBase(): usize {
  return idt;
}

/** Fills the IDT (stubs, the double-fault task gate) and loads IDTR. */
export function idtInit(): void {
  memory.fill(idt, 0, IDT_VECTORS * 8);
  const stubs = interruptStubs();
  for (let vector: u32 = 0; vector < IDT_STUBS; vector++) {
    const stub = load<u32>(stubs + <usize>(vector * 4));
    setGate(vector, gateDescriptor(stub, SEL_KERNEL_CODE, GATE_PRESENT | GATE_INTERRUPT32));
  }
  setGate(VECTOR_DOUBLE_FAULT, gateDescriptor(0, SEL_DOUBLE_FAULT_TSS, GATE_PRESENT | GATE_TASK));
  // Every other gate has DPL 0: an INT n from ring 3 for it is a #GP.
  setGate(VECTOR_SYSCALL, gateDescriptor(<u32>syscallStub(), SEL_KERNEL_CODE, GATE_PRESENT | GATE_INTERRUPT32 | GATE_DPL3));
  store<u16>(idtr, <u16>(IDT_VECTORS * 8 - 1));
  store<u32>(idtr + 2, <u32>idt);
  lidt(idtr);
}

/** Marks `vector`'s gate not present (to provoke a double fault in a test). */
export function idtRemoveGate(vector: u32): void {
  setGate(vector, idtEntry(vector) & ~(<u64>GATE_PRESENT << 40));
}

function setGate(vector: u32, gate: u64): void {
  store<u64>(idt + <usize>(vector * 8), gate);
}
