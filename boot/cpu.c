/* boot/cpu.c: the CPU primitives, imported by kernel/arch/x86/cpu.ts.
 *
 * Each is one instruction that AssemblyScript cannot express. They take and
 * return plain integers; a wasm address is a linear address (the wasm memory
 * base is 0), so pointers pass through unchanged. The first parameter is the
 * import-module instance wasm2c passes to every import; the kernel has none. */
#include "kernel.h"

#define CPU_IMPORT(ret, name, ...) ret Z_cpuZ_##name(struct Z_cpu_instance_t *unused, ##__VA_ARGS__)

/* Port I/O (Intel SDM vol. 2, IN/OUT). */
CPU_IMPORT(u32, inb, u32 port)
{
    u8 v;
    __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
CPU_IMPORT(void, outb, u32 port, u32 value)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port));
}
CPU_IMPORT(u32, inw, u32 port)
{
    u16 v;
    __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
CPU_IMPORT(void, outw, u32 port, u32 value)
{
    __asm__ volatile("outw %w0, %w1" : : "a"(value), "Nd"(port));
}

/* Control registers (SDM vol. 3, 2.5). Writes are ordered against memory. */
CPU_IMPORT(u32, readCr0)
{
    u32 v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
CPU_IMPORT(void, writeCr0, u32 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
CPU_IMPORT(u32, readCr2)
{
    u32 v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
CPU_IMPORT(u32, readCr3)
{
    u32 v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
CPU_IMPORT(void, writeCr3, u32 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
CPU_IMPORT(u32, readCr4)
{
    u32 v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
CPU_IMPORT(void, writeCr4, u32 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* TLB and descriptor tables. */
CPU_IMPORT(void, invlpg, u32 addr) { __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory"); }
CPU_IMPORT(void, lgdt, u32 pseudo_descriptor) { __asm__ volatile("lgdt (%0)" : : "r"(pseudo_descriptor) : "memory"); }
CPU_IMPORT(void, lidt, u32 pseudo_descriptor) { __asm__ volatile("lidt (%0)" : : "r"(pseudo_descriptor) : "memory"); }

/* Interrupt flag and halt. */
CPU_IMPORT(void, cli) { __asm__ volatile("cli" : : : "memory"); }
CPU_IMPORT(void, sti) { __asm__ volatile("sti" : : : "memory"); }
CPU_IMPORT(void, hlt) { __asm__ volatile("hlt" : : : "memory"); }

/* Time-stamp counter; under qemu -icount shift=0 it counts guest instructions. */
CPU_IMPORT(u64, rdtsc)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}
