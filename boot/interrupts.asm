; boot/interrupts.asm: the entry stubs for CPU exceptions and hardware IRQs.
;
; Every vector 0..47, and 0x80, has a stub that makes the stack look the same
; (SDM vol. 3, 6.12.1: the CPU pushes EFLAGS, CS, EIP and, for some
; exceptions, an error code; from ring 3 also ESP and SS, above them), then
; one common path saves the general registers, loads the kernel's data
; selector into DS and ES (ring 3 may have left any selector there, even a
; null one), and calls interruptDispatch in kernel/trap/dispatch.ts (through
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
FRAME_CS  equ 44
KERNEL_DATA equ 0x10                    ; kernel/arch/x86/gdt.ts SEL_KERNEL_DATA
USER_DATA equ 0x20 | 3                  ; SEL_USER_DATA

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
; int 0x80, the system-call gate: its IDT entry has DPL 3, so ring 3 may
; raise it (kernel/arch/x86/idt.ts); the frame and the path are the same.
global interrupt_stub_128
    STUB 128

interrupt_common:
    cld
    pushad
    mov cx, KERNEL_DATA                 ; ECX is saved: the kernel's own data selector
    mov ds, cx
    mov es, cx
    mov eax, esp                        ; the frame
    ; From here the stack looks as if the interrupted code had called
    ; interrupt_entry: its EIP as the return address, then a standard frame.
    ; Frame-pointer backtraces (core/symbols.ts) and GDB's unwinder both walk
    ; from the dispatcher through here into the interrupted function.
    push dword [eax + FRAME_EIP]
global interrupt_entry
interrupt_entry:                        ; EAX holds the frame (tools/gdb/kernel.py stops here)
    push ebp
.pushed:
    mov ebp, esp
.framed:
    push eax
    call interrupt_dispatch            ; boot/entry.c: the dispatcher, with the instance
    mov esp, ebp
    pop ebp
.unframed:
    add esp, 4                          ; the pushed EIP
.at_frame:
    test byte [esp + FRAME_CS], 3       ; back to ring 3: its data selector again
    jz .popped
    mov cx, USER_DATA                   ; ECX is restored by POPAD
    mov ds, cx
    mov es, cx
.popped:
    popad
.restored:
    add esp, 8                          ; vector and error code
.at_iret:
    iretd
.end:

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

; Call frame information for interrupt_entry (DWARF 5, 6.4), for debuggers:
; where the interrupted code's registers are at each instruction. The CFA
; is the interrupted ESP (no privilege change: the CPU pushed EFLAGS, CS and
; EIP on the same stack, SDM vol. 3, 6.12.1), frame + 52; EIP is read from
; the frame (frame + 40, which the dispatcher may have changed), the general
; registers from PUSHAD's slots until POPAD restores them. The CIE's "S"
; augmentation marks it a signal frame: the interrupted EIP is where the
; code stopped, not a return address after a call, so a debugger looks its
; line up at EIP itself rather than at EIP - 1 (the line before, when the
; faulting instruction starts a line).
DW_CFA_advance_loc   equ 0x40
DW_CFA_offset        equ 0x80
DW_CFA_same_value    equ 0x08
DW_CFA_def_cfa       equ 0x0c
DW_CFA_def_cfa_offset equ 0x0e
DWARF_EAX equ 0                         ; i386 DWARF register numbers (System V i386 ABI, 2.5)
DWARF_ECX equ 1
DWARF_EDX equ 2
DWARF_EBX equ 3
DWARF_ESP equ 4
DWARF_EBP equ 5
DWARF_ESI equ 6
DWARF_EDI equ 7
DWARF_EIP equ 8
CFA_FROM_FRAME equ 52                   ; frame + 52: the interrupted ESP

; A slot of the frame, as a DW_CFA_offset operand: CFA + n * -4.
%define SLOT(offset) (CFA_FROM_FRAME - (offset)) / 4

section .debug_frame noalloc noexec nowrite align=4
interrupt_cie:
    dd .end - .start
.start:
    dd 0xffffffff                       ; a CIE
    db 1                                ; version
    db "zS", 0                          ; augmentation data follows; a signal frame
    db 1                                ; code alignment
    db 0x7c                             ; data alignment -4 (SLEB128)
    db DWARF_EIP                        ; return address column
    db 0                                ; no augmentation data
    align 4, db 0                       ; DW_CFA_nop
.end:
interrupt_fde:
    dd .end - .start
.start:
    dd interrupt_cie
    dd interrupt_entry
    dd interrupt_entry.end - interrupt_entry
    db 0                                ; no augmentation data
    ; At interrupt_entry: [esp] is the copy of EIP, the frame above it.
    db DW_CFA_def_cfa, DWARF_ESP, CFA_FROM_FRAME + 4
    db DW_CFA_offset | DWARF_EIP, SLOT(FRAME_EIP)
    db DW_CFA_offset | DWARF_EDI, SLOT(0), DW_CFA_offset | DWARF_ESI, SLOT(4)
    db DW_CFA_offset | DWARF_EBP, SLOT(8), DW_CFA_offset | DWARF_EBX, SLOT(16)
    db DW_CFA_offset | DWARF_EDX, SLOT(20), DW_CFA_offset | DWARF_ECX, SLOT(24)
    db DW_CFA_offset | DWARF_EAX, SLOT(28)
    db DW_CFA_advance_loc | (interrupt_entry.pushed - interrupt_entry)
    db DW_CFA_def_cfa_offset, CFA_FROM_FRAME + 8
    db DW_CFA_advance_loc | (interrupt_entry.framed - interrupt_entry.pushed)
    db DW_CFA_def_cfa, DWARF_EBP, CFA_FROM_FRAME + 8
    db DW_CFA_advance_loc | (interrupt_entry.unframed - interrupt_entry.framed)
    db DW_CFA_def_cfa, DWARF_ESP, CFA_FROM_FRAME + 4
    db DW_CFA_advance_loc | (interrupt_entry.at_frame - interrupt_entry.unframed)
    db DW_CFA_def_cfa_offset, CFA_FROM_FRAME
    db DW_CFA_advance_loc | (interrupt_entry.restored - interrupt_entry.at_frame)
    db DW_CFA_def_cfa_offset, CFA_FROM_FRAME - 32
    db DW_CFA_same_value, DWARF_EDI, DW_CFA_same_value, DWARF_ESI, DW_CFA_same_value, DWARF_EBP
    db DW_CFA_same_value, DWARF_EBX, DW_CFA_same_value, DWARF_EDX, DW_CFA_same_value, DWARF_ECX
    db DW_CFA_same_value, DWARF_EAX
    db DW_CFA_advance_loc | (interrupt_entry.at_iret - interrupt_entry.restored)
    db DW_CFA_def_cfa_offset, CFA_FROM_FRAME - 40
    align 4, db 0                       ; DW_CFA_nop
.end:

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
