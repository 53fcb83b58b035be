; boot/probe.asm: memory accesses that may fault, and where to resume if they do.
;
; probeRead and probeWrite are imported by kernel/arch/x86/cpu.ts. Each does
; one access at a labelled instruction. When that instruction faults, the
; exception dispatcher (kernel/core/probe.ts) finds its address in
; probe_fixups and resumes at the paired fix-up instead of stopping the
; kernel, and the probe returns 0. The same idea as an exception table.
;
; cdecl, as wasm2c calls imports: [esp+4] is the (unused) import instance.

section .text

; u32 probeRead(instance, u32 addr, u32 *out): 1 and *out = [addr], or 0 on a fault
global Z_cpuZ_probeRead
Z_cpuZ_probeRead:
    mov ecx, [esp + 8]
.access:
    mov eax, [ecx]
    mov edx, [esp + 12]
    mov [edx], eax
    mov eax, 1
    ret
.fixup:
    xor eax, eax
    ret

; u32 probeWrite(instance, u32 addr, u32 value): 1 after [addr] = value, or 0 on a fault
global Z_cpuZ_probeWrite
Z_cpuZ_probeWrite:
    mov ecx, [esp + 8]
    mov eax, [esp + 12]
.access:
    mov [ecx], eax
    mov eax, 1
    ret
.fixup:
    xor eax, eax
    ret

section .rodata
; Pairs of (faulting instruction, where to resume), ended by a zero pair.
global probe_fixups
align 4
probe_fixups:
    dd Z_cpuZ_probeRead.access, Z_cpuZ_probeRead.fixup
    dd Z_cpuZ_probeWrite.access, Z_cpuZ_probeWrite.fixup
    dd 0, 0
