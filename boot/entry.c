/* boot/entry.c: from the assembly entry point into the AssemblyScript kernel.
 *
 * _start (boot/multiboot.asm) calls kernel_entry on the kernel stack with the
 * loader's magic and information pointer. This file instantiates the wasm2c
 * module (its start function initialises the kernel's globals and copies the
 * data segments to asconfig.json's memoryBase) and hands both values to
 * kmain in kernel/main.ts (bench/kernel/main.ts in the benchmark image).
 * The kernel decides everything from there, halting included; kmain does
 * not return. */
#include "kernel_instance.h"

Z_kernel_instance_t kernel_instance;

void kernel_entry(u32 magic, u32 multiboot_info)
{
    wasm_rt_init();
    Z_kernel_init_module();
    kernel_instantiate();
    Z_kernelZ_kmain(&kernel_instance, magic, multiboot_info);
    cpu_stop();
}

/* boot/interrupts.asm calls this with the frame's address. The generated
 * C reaches the kernel's globals through kernel_instance itself, not through
 * the pointer passed here (tools/build/wasm2c-rewrite.mjs): they are plain
 * addresses in every function, those IRQ handlers reach included. */
void interrupt_dispatch(u32 frame)
{
    Z_kernelZ_interruptDispatch(&kernel_instance, frame);
}
