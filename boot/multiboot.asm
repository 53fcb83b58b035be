; boot/multiboot.asm: the first code that runs.
;
; QEMU (-kernel) or any Multiboot 0.6.96 loader finds the header below, loads
; the ELF at 1 MiB and jumps to _start in 32-bit protected mode with paging
; off, interrupts off, EAX = 0x2BADB002 and EBX = the physical address of the
; multiboot information structure (spec section 3.2, "Machine state").
; The loader's GDT may be gone already, so nothing here touches segments:
; the kernel loads its own GDT before it reloads any segment register.
;
; Before any compiled code runs, _start refuses a machine the kernel cannot
; run on, with one line on COM1 and the VGA screen and the failure exit
; (QEMU status 35), instead of a silent reset: a CPU without CPUID, RDTSC or
; CMOV (the minimum is an i686, Pentium Pro), or RAM that ends below
; __ram_minimum_end (linker/kernel.ld; 4 MiB). Which machine to refuse is
; the one decision taken here, because nothing else can run to take it.

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
; The time-stamp counter once _start's CPU and RAM checks have passed: `make
; bench` reports the guest instructions from there to the end of the
; allocators' start-up.
global boot_tsc
alignb 8
boot_tsc:
    resq 1

section .text
global _start
extern kernel_entry
extern __ram_minimum_end

; What the build needs from the CPU (clang -march=i686 emits CMOV; this file
; and the kernel use RDTSC), read from CPUID leaf 1 EDX (SDM vol. 2A, CPUID,
; table 3-11). CPUID itself exists when EFLAGS.ID (bit 21) can be changed
; (SDM vol. 1, 20.1.2 "Identification of Earlier IA-32 Processors").
EFLAGS_ID       equ 1 << 21
CPUID_EDX_TSC   equ 1 << 4
CPUID_EDX_CMOV  equ 1 << 15

; Multiboot information: flags bit 0 says mem_lower/mem_upper (KiB of RAM
; below 640 KiB / from 1 MiB) are valid (spec 3.3).
MB_LOADER_MAGIC equ 0x2BADB002
MB_INFO_FLAGS   equ 0
MB_INFO_MEMORY  equ 1 << 0
MB_INFO_MEM_UPPER equ 8

; For the one-line refusal: COM1 (16550, polled), the VGA text screen, and
; QEMU's isa-debug-exit (kernel/drivers/serial.ts, vga.ts, debugexit.ts).
COM1            equ 0x3F8
UART_IER        equ 1
UART_FCR        equ 2
UART_LCR        equ 3
UART_MCR        equ 4
UART_LSR        equ 5
LSR_THR_EMPTY   equ 0x20
VGA_TEXT        equ 0xB8000
VGA_COLUMNS     equ 80
VGA_WHITE_ON_RED equ 0x4F
DEBUG_EXIT_PORT equ 0xF4
EXIT_FAILURE    equ 0x11

_start:
    mov esp, kernel_stack_top
    mov esi, eax                        ; the multiboot magic
    mov edi, ebx                        ; the multiboot information
    ; Before any compiled code (and the RDTSC below) runs: a CPU or a machine
    ; the kernel cannot run on is refused with one line, not a silent reset.
    call check_cpu
    call check_ram
    rdtsc
    mov [boot_tsc], eax
    mov [boot_tsc + 4], edx
    xor ebp, ebp                        ; frame-pointer chain ends here
    cld                                 ; the C ABI expects DF = 0
    push edi                            ; multiboot information
    push esi                            ; multiboot magic
    call kernel_entry                   ; does not return
.stop:
    cli
    hlt
    jmp .stop

; CPUID must exist and report TSC and CMOV; otherwise refuse.
check_cpu:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, EFLAGS_ID                  ; try to flip ID
    push eax
    popfd
    pushfd
    pop eax
    push ecx                            ; put EFLAGS back
    popfd
    xor eax, ecx
    test eax, EFLAGS_ID
    jz .no_cpuid                        ; ID did not change: no CPUID
    push ebx
    xor eax, eax
    cpuid                               ; EAX = the highest basic leaf
    test eax, eax
    jz .no_cpuid
    mov eax, 1
    cpuid                               ; leaf 1: feature flags in EDX
    pop ebx
    test edx, CPUID_EDX_TSC
    jz .no_tsc
    test edx, CPUID_EDX_CMOV
    jz .no_cmov
    ret
.no_cpuid:
    mov esi, msg_no_cpuid
    jmp refuse
.no_tsc:
    mov esi, msg_no_tsc
    jmp refuse
.no_cmov:
    mov esi, msg_no_cmov
    jmp refuse

; RAM from 1 MiB must reach __ram_minimum_end (linker/kernel.ld), or the
; kernel's own data (copied to the AssemblyScript region when entry.c
; instantiates the module) and its page descriptors would lie past the end
; of RAM. Without the magic or the memory fields, kmain decides.
check_ram:
    cmp esi, MB_LOADER_MAGIC
    jne .done
    test dword [edi + MB_INFO_FLAGS], MB_INFO_MEMORY
    jz .done
    mov eax, [edi + MB_INFO_MEM_UPPER]
    add eax, 1024                       ; KiB of RAM below the first hole above 1 MiB
    mov ecx, __ram_minimum_end
    shr ecx, 10
    cmp eax, ecx
    jb .too_small
.done:
    ret
.too_small:
    mov esi, msg_ram
    mov edi, msg_ram_found
    jmp refuse_number

; Refusals: print the line at ESI (or ESI, the decimal EAX, then EDI) on COM1
; and on the top line of the VGA screen, then leave QEMU with the failure
; status and stop. Uses only the stack; never returns.
refuse:
    xor eax, eax
    mov edi, 0
refuse_number:
    mov ebp, VGA_TEXT                   ; the screen cursor
    push eax
    call serial_setup
    call put_string
    pop eax
    test edi, edi
    jz .end
    call put_decimal
    mov esi, edi
    call put_string
.end:
    mov al, 13
    call put_serial
    mov al, 10
    call put_serial
    mov al, EXIT_FAILURE
    out DEBUG_EXIT_PORT, al
.stop:
    cli
    hlt
    jmp .stop

; COM1 at 115200 8N1, FIFO on, no interrupts (as kernel/drivers/serial.ts).
serial_setup:
    mov dx, COM1 + UART_IER
    xor al, al
    out dx, al
    mov dx, COM1 + UART_LCR
    mov al, 0x80                        ; DLAB: the divisor latch
    out dx, al
    mov dx, COM1
    mov al, 1                           ; divisor 1: 115200 baud
    out dx, al
    mov dx, COM1 + UART_IER
    xor al, al
    out dx, al
    mov dx, COM1 + UART_LCR
    mov al, 0x03                        ; 8N1
    out dx, al
    mov dx, COM1 + UART_FCR
    mov al, 0xC7
    out dx, al
    mov dx, COM1 + UART_MCR
    mov al, 0x0B
    out dx, al
    ret

; The NUL-terminated string at ESI, to both outputs.
put_string:
    lodsb
    test al, al
    jz .done
    call put_char
    jmp put_string
.done:
    ret

; EAX in decimal, to both outputs.
put_decimal:
    mov ecx, 10
    push 0                              ; end marker
.digits:
    xor edx, edx
    div ecx
    add dl, '0'
    push edx
    test eax, eax
    jnz .digits
.print:
    pop eax
    test eax, eax
    jz .done
    call put_char
    jmp .print
.done:
    ret

; The character in AL: to COM1, and to the screen at EBP, white on red.
put_char:
    call put_serial
    mov ah, VGA_WHITE_ON_RED
    mov [ebp], ax
    add ebp, 2
    ret

put_serial:
    mov ah, al
    mov dx, COM1 + UART_LSR
.wait:
    in al, dx
    test al, LSR_THR_EMPTY
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    ret

section .rodata
msg_no_cpuid:   db "tskernel: this CPU has no CPUID instruction; the kernel needs an i686 (Pentium Pro) or later", 0
msg_no_tsc:     db "tskernel: this CPU lacks the time-stamp counter (RDTSC); the kernel needs an i686 (Pentium Pro) or later", 0
msg_no_cmov:    db "tskernel: this CPU lacks CMOV; the kernel needs an i686 (Pentium Pro) or later", 0
msg_ram:        db "tskernel: needs at least 4 MiB of RAM, found ", 0
msg_ram_found:  db " KiB", 0
