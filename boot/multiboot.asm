; boot/multiboot.asm: the first code that runs.
;
; QEMU (-kernel) or any Multiboot 0.6.96 loader finds the header below, loads
; the ELF at 1 MiB and jumps to _start in 32-bit protected mode with paging
; off, interrupts off, EAX = 0x2BADB002 and EBX = the physical address of the
; multiboot information structure (spec section 3.2, "Machine state").
; The loader's GDT may be gone already, so nothing here touches segments:
; the kernel loads its own GDT before it reloads any segment register.

MB_MAGIC        equ 0x1BADB002
MB_PAGE_ALIGN   equ 1 << 0              ; modules aligned on 4 KiB (spec 3.1.2)
MB_MEMORY_INFO  equ 1 << 1              ; fill mem_lower/upper and the mmap
MB_FLAGS        equ MB_PAGE_ALIGN | MB_MEMORY_INFO
MB_CHECKSUM     equ -(MB_MAGIC + MB_FLAGS)

KERNEL_STACK_SIZE equ 16384

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd MB_CHECKSUM

section .bss
; The kernel stack sits on its own pages, with one page below it that the
; paging code leaves unmapped: an overflow then faults instead of silently
; overwriting whatever lies below.
align 4096
global kernel_stack_guard, kernel_stack_bottom, kernel_stack_top
kernel_stack_guard:
    resb 4096
kernel_stack_bottom:
    resb KERNEL_STACK_SIZE
kernel_stack_top:

section .bss
; The time-stamp counter at the first instruction: `make bench` reports the
; guest instructions from here to the end of the allocators' start-up.
global boot_tsc
alignb 8
boot_tsc:
    resq 1

section .text
global _start
extern kernel_entry

_start:
    mov esi, eax                        ; keep the multiboot magic across RDTSC
    rdtsc
    mov [boot_tsc], eax
    mov [boot_tsc + 4], edx
    mov eax, esi
    mov esp, kernel_stack_top
    xor ebp, ebp                        ; frame-pointer chain ends here
    cld                                 ; the C ABI expects DF = 0
    push ebx                            ; multiboot information
    push eax                            ; multiboot magic
    call kernel_entry                   ; does not return
.stop:
    cli
    hlt
    jmp .stop
