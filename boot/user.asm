; boot/user.asm: entering ring 3.
;
; userEnter is imported by kernel/arch/x86/cpu.ts; kernel/proc/user.ts
; decides what runs and how it comes back (a resume point saved before the
; call). It stores the stack pointer it runs on into TSS.esp0, so that an
; interrupt or exception from ring 3 arrives on the kernel stack just below
; this call (SDM vol. 3, 6.12.1: the CPU loads SS0:ESP0 from the TSS on a
; change to ring 0), loads the user data selector into DS, ES, FS and GS,
; and IRETs to ring 3 with the frame a ring change expects: EIP, CS, EFLAGS,
; ESP, SS (SDM vol. 3, 6.14.1 and IRET in vol. 2).
;
; cdecl, as wasm2c calls imports: [esp+4] is the (unused) import instance.

USER_CODE equ 0x18 | 3                  ; kernel/arch/x86/gdt.ts SEL_USER_CODE
USER_DATA equ 0x20 | 3                  ; SEL_USER_DATA
EFLAGS_RESERVED_1 equ 0x2               ; IF clear: no interrupt while ring 3 runs, for now

section .text

; void userEnter(instance, u32 eip, u32 esp, u32 esp0Address): does not return
global Z_cpuZ_userEnter
Z_cpuZ_userEnter:
    mov eax, [esp + 16]
    mov [eax], esp                      ; TSS.esp0
    mov ecx, [esp + 8]
    mov edx, [esp + 12]
    mov ax, USER_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    push USER_DATA                      ; SS
    push edx                            ; ESP
    push EFLAGS_RESERVED_1              ; EFLAGS
    push USER_CODE                      ; CS
    push ecx                            ; EIP
    xor eax, eax                        ; nothing of the kernel's reaches ring 3,
    xor ebx, ebx                        ; and EBP = 0 ends every frame walk there
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd
