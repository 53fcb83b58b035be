// kernel/arch/x86/interrupt-frame.ts: the stack frame of an interrupted
// context, as boot/interrupts.asm builds it for every vector.
//
// The CPU pushes EFLAGS, CS and EIP (and an error code for some exceptions;
// SDM vol. 3, 6.12.1); the stub pushes 0 where the CPU pushes no error code,
// then the vector, then PUSHAD. interruptDispatch (kernel/trap/dispatch.ts)
// receives its address. Writing a field changes what IRET resumes.
//
//   +0  edi esi ebp esp ebx edx ecx eax   PUSHAD (esp: see interruptedEsp)
//   +32 vector
//   +36 errorCode                         0 when the CPU pushes none
//   +40 eip cs eflags                     pushed by the CPU
//   +52 userEsp userSs                    pushed by the CPU only from ring 3
//                                         (cs & 3 == 3; SDM vol. 3, 6.12.1)

@unmanaged export class InterruptFrame {
  edi: u32; esi: u32; ebp: u32; esp: u32;
  ebx: u32; edx: u32; ecx: u32; eax: u32;
  vector: u32;
  errorCode: u32;
  eip: u32; cs: u32; eflags: u32;
  userEsp: u32; userSs: u32;
}

/** Whether the interrupted code ran in ring 3 (its CS's requested privilege level). */
@inline export function fromUser(frame: InterruptFrame): bool { return (frame.cs & 3) == 3; }

// PUSHAD saved ESP after the CPU's three words, the error code and the vector.
@inline const FRAME_WORDS_ABOVE_PUSHAD: u32 = 5;

/** The stack pointer of the interrupted code (same privilege level: no SS:ESP pushed). */
export function interruptedEsp(frame: InterruptFrame): u32 {
  return frame.esp + FRAME_WORDS_ABOVE_PUSHAD * 4;
}
