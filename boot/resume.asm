; boot/resume.asm: a resume point, saved once and jumped back to later.
;
; resumeSave and resumeJump are imported by kernel/arch/x86/cpu.ts; the pair
; works like C's setjmp/longjmp. resumeSave records the callee-saved
; registers (cdecl: EBX ESI EDI EBP), the stack pointer, the return address
; and EFLAGS, and returns 0. resumeJump puts them back and returns 1 from that
; same resumeSave call. The function that called resumeSave must still be
; running. What to resume, and when, is decided in kernel/core/resume.ts.
;
; The buffer (7 u32): ebx esi edi ebp esp eip eflags.
;
; cdecl, as wasm2c calls imports: [esp+4] is the (unused) import instance.

section .text

; u32 resumeSave(instance, u32 buffer): 0; 1 when resumeJump(buffer) returns here
global Z_cpuZ_resumeSave
Z_cpuZ_resumeSave:
    mov eax, [esp + 8]
    mov [eax], ebx
    mov [eax + 4], esi
    mov [eax + 8], edi
    mov [eax + 12], ebp
    lea ecx, [esp + 4]                  ; ESP as the caller sees it after RET
    mov [eax + 16], ecx
    mov ecx, [esp]                      ; the return address
    mov [eax + 20], ecx
    pushfd
    pop dword [eax + 24]
    xor eax, eax
    ret

; void resumeJump(instance, u32 buffer): does not return to its caller
global Z_cpuZ_resumeJump
Z_cpuZ_resumeJump:
    mov eax, [esp + 8]
    mov ebx, [eax]
    mov esi, [eax + 4]
    mov edi, [eax + 8]
    mov ebp, [eax + 12]
    mov esp, [eax + 16]
    push dword [eax + 24]
    popfd
    mov ecx, [eax + 20]
    mov eax, 1
    jmp ecx
