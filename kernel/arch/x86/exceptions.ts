// kernel/arch/x86/exceptions.ts: the CPU's exception vectors, their names,
// and the bits of a page fault's error code (SDM vol. 3, 6.15).
//
// What the kernel does with each exception is in kernel/trap/dispatch.ts.
//
// Page fault error code (SDM vol. 3, 4.7, figure 4-12):
//   bit 0 P     0 = page not present, 1 = protection violation
//   bit 1 W/R   0 = read, 1 = write
//   bit 2 U/S   0 = supervisor mode, 1 = user mode
//   bit 3 RSVD  a reserved bit was set in a paging-structure entry
//   bit 4 I/D   the access was an instruction fetch

@inline export const VECTOR_DIVIDE: u32 = 0;
@inline export const VECTOR_NMI: u32 = 2;
@inline export const VECTOR_BREAKPOINT: u32 = 3;
@inline export const VECTOR_INVALID_OPCODE: u32 = 6;
@inline export const VECTOR_DOUBLE_FAULT: u32 = 8;
@inline export const VECTOR_GENERAL_PROTECTION: u32 = 13;
@inline export const VECTOR_PAGE_FAULT: u32 = 14;
@inline export const VECTOR_MACHINE_CHECK: u32 = 18;
/** Vectors 0-31 are the CPU's; 32 and up are free for interrupts. */
@inline export const EXCEPTION_VECTORS: u32 = 32;

@inline export const PF_PRESENT: u32 = 1 << 0;
@inline export const PF_WRITE: u32 = 1 << 1;
@inline export const PF_USER: u32 = 1 << 2;
@inline export const PF_RESERVED: u32 = 1 << 3;
@inline export const PF_FETCH: u32 = 1 << 4;

const NAMES = [
  "divide error (#DE", "debug (#DB", "non-maskable interrupt (NMI", "breakpoint (#BP",
  "overflow (#OF", "bound range exceeded (#BR", "invalid opcode (#UD", "device not available (#NM",
  "double fault (#DF", "coprocessor segment overrun (", "invalid TSS (#TS", "segment not present (#NP",
  "stack-segment fault (#SS", "general protection fault (#GP", "page fault (#PF", "reserved (",
  "x87 floating-point error (#MF", "alignment check (#AC", "machine check (#MC", "SIMD floating-point (#XM",
  "virtualization (#VE", "control protection (#CP", "reserved (", "reserved (",
  "reserved (", "reserved (", "reserved (", "reserved (",
  "hypervisor injection (#HV", "VMM communication (#VC", "security (#SX", "reserved (",
];

/** "page fault (#PF": the start of an exception's title. */
export function exceptionName(vector: u32): string {
  return vector < <u32>NAMES.length ? NAMES[vector] : "interrupt (";
}
