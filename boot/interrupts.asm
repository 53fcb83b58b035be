; boot/interrupts.asm: the entry stubs for CPU exceptions and hardware IRQs.
;
; Every vector 0..47 has a stub that makes the stack look the same
; (SDM vol. 3, 6.12.1: the CPU pushes EFLAGS, CS, EIP and, for some
; exceptions, an error code), then one common path saves the general
; registers and calls interruptDispatch in kernel/core/interrupts.ts (through
; interrupt_dispatch in boot/entry.c) with the address of this frame:
;
;   frame + 0   edi esi ebp esp ebx edx ecx eax   (PUSHAD, lowest first)
;   frame + 32  vector
;   frame + 36  error code (0 where the CPU pushes none)
;   frame + 40  eip  cs  eflags                   (pushed by the CPU)
;
; The dispatcher may change any of these (a probe's fix-up changes eip and
; eax); POPAD and IRET then resume with the changed values.
;
; The double fault (#8) does not come here: its IDT entry is a task gate to
; double_fault_task below, which runs on a stack of its own (core/gdt.ts).

extern kernel_instance
extern interrupt_dispatch
extern Z_kernelZ_doubleFault

FRAME_EIP equ 40

section .text

; Vectors whose exceptions push an error code (SDM vol. 3, table 6-1).
%macro STUB 1
interrupt_stub_%1:
%if %1 == 8 || %1 == 10 || %1 == 11 || %1 == 12 || %1 == 13 || %1 == 14 || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push 0                              ; no error code: keep the frame uniform
%endif
    push %1
    jmp interrupt_common
%endmacro

%assign vector 0
%rep 48
    STUB vector
%assign vector vector + 1
%endrep

interrupt_common:
    cld
    pushad
    mov eax, esp                        ; the frame
    ; From here the stack looks as if the interrupted code had called
    ; interrupt_entry: its EIP as the return address, then a standard frame.
    ; Frame-pointer backtraces (core/symbols.ts) and GDB's unwinder both walk
    ; from the dispatcher through here into the interrupted function.
    push dword [eax + FRAME_EIP]
global interrupt_entry
interrupt_entry:                        ; EAX holds the frame (tools/gdb/kernel.py stops here)
    push ebp
    mov ebp, esp
    push eax
    call interrupt_dispatch            ; boot/entry.c: the dispatcher, with the instance
    mov esp, ebp
    pop ebp
    add esp, 4                          ; the pushed EIP
    popad
    add esp, 8                          ; vector and error code
    iretd

; The double-fault task: the CPU switched here through the task gate, saving
; the interrupted state in the kernel TSS. Its stack holds the error code (0).
global double_fault_task
double_fault_task:
    xor ebp, ebp
    push kernel_instance
    call Z_kernelZ_doubleFault          ; reports and stops; does not return
.stop:
    cli
    hlt
    jmp .stop

section .rodata
; The address of each stub, by vector, for the IDT (core/idt.ts).
global interrupt_stubs
align 4
interrupt_stubs:
%assign vector 0
%rep 48
    dd interrupt_stub_ %+ vector
%assign vector vector + 1
%endrep

section .bss
; The double-fault task's stack, on its own pages, with a page below it that
; paging leaves unmapped (like the kernel stack's guard, boot/multiboot.asm):
; an overflow then faults instead of silently overwriting what lies below.
; That fault cannot be delivered on the exhausted stack, so the reports keep
; this task's path shallow (kernel/core/report.ts: a fault inside a report
; ends in a short serial-only report) and it never gets that deep.
align 4096
global double_fault_stack_guard, double_fault_stack_bottom, double_fault_stack_top
double_fault_stack_guard:
    resb 4096
double_fault_stack_bottom:
    resb 8192
double_fault_stack_top:
