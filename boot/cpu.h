/* boot/cpu.h: the CPU primitives, imported by kernel/arch/x86/cpu.ts.
 *
 * Each is one instruction that AssemblyScript cannot express. They take and
 * return plain integers; a wasm address is a linear address (the wasm memory
 * base is 0), so pointers pass through unchanged. The first parameter is the
 * import-module instance wasm2c passes to every import; the kernel has none.
 *
 * Included twice, with CPU_IMPORT saying what each becomes:
 *  - by the generated kernel C (tools/build/wasm2c-rewrite.mjs puts the include
 *    there), as GNU extern inline functions: bodies for inlining only, so
 *    each primitive is its one instruction in the TypeScript function that
 *    calls it, with no call and no link-time optimisation, and no debug
 *    information of its own (nodebug): the instruction belongs to the
 *    TypeScript line that used it, and GDB's `step` does not stop here;
 *  - by boot/cpu.c, as the ordinary definitions, for any call the compiler
 *    does not inline and for the C outside the generated file. */
#pragma once
#include "kernel.h"

#ifndef CPU_IMPORT
#define CPU_IMPORT(ret, name, ...) \
    extern inline __attribute__((gnu_inline, always_inline, nodebug)) \
    ret Z_cpuZ_##name(struct Z_cpu_instance_t *unused, ##__VA_ARGS__)
#endif

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

/* Reading a register with one instruction into a general register. */
#define READ_REGISTER(name, instruction) \
    CPU_IMPORT(u32, name) { u32 v = 0; __asm__ volatile(instruction : "=r"(v)); return v; }
/* Writing a control register; ordered against memory accesses. */
#define WRITE_REGISTER(name, instruction) \
    CPU_IMPORT(void, name, u32 v) { __asm__ volatile(instruction : : "r"(v) : "memory"); }

/* Control registers (SDM vol. 3, 2.5). */
READ_REGISTER(readCr0, "mov %%cr0, %0")
READ_REGISTER(readCr2, "mov %%cr2, %0")
READ_REGISTER(readCr3, "mov %%cr3, %0")
READ_REGISTER(readCr4, "mov %%cr4, %0")
WRITE_REGISTER(writeCr0, "mov %0, %%cr0")
WRITE_REGISTER(writeCr3, "mov %0, %%cr3")
WRITE_REGISTER(writeCr4, "mov %0, %%cr4")

/* TLB and descriptor tables. */
CPU_IMPORT(void, invlpg, u32 addr) { __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory"); }
CPU_IMPORT(void, lgdt, u32 pseudo_descriptor) { __asm__ volatile("lgdt (%0)" : : "r"(pseudo_descriptor) : "memory"); }
CPU_IMPORT(void, lidt, u32 pseudo_descriptor) { __asm__ volatile("lidt (%0)" : : "r"(pseudo_descriptor) : "memory"); }

/* Segments (SDM vol. 3, 3.4). CS can only change through a far transfer:
 * push the new selector and a return address, then LRET. */
CPU_IMPORT(void, loadSegments, u32 code, u32 data)
{
    __asm__ volatile("pushl %0\n\t"
                     "pushl $1f\n\t"
                     "lret\n"
                     "1:\n\t"
                     "mov %w1, %%ds\n\t"
                     "mov %w1, %%es\n\t"
                     "mov %w1, %%fs\n\t"
                     "mov %w1, %%gs\n\t"
                     "mov %w1, %%ss"
                     : : "r"(code), "r"(data) : "memory");
}
CPU_IMPORT(void, ltr, u32 selector) { __asm__ volatile("ltr %w0" : : "r"(selector)); }
/* The segment selectors and the task register, zero-extended. */
READ_REGISTER(readCs, "mov %%cs, %0")
READ_REGISTER(readDs, "mov %%ds, %0")
READ_REGISTER(readSs, "mov %%ss, %0")
READ_REGISTER(readTr, "str %0")
CPU_IMPORT(void, sgdt, u32 pseudo_descriptor) { __asm__ volatile("sgdt (%0)" : : "r"(pseudo_descriptor) : "memory"); }
CPU_IMPORT(void, sidt, u32 pseudo_descriptor) { __asm__ volatile("sidt (%0)" : : "r"(pseudo_descriptor) : "memory"); }

/* Instructions that raise one exception each, for showing and testing the
 * exception reports (kernel/debug/inject.ts). */
CPU_IMPORT(u32, divide, u32 dividend, u32 divisor)
{
    u32 quotient;
    __asm__ volatile("xor %%edx, %%edx\n\tdivl %2" : "=a"(quotient) : "a"(dividend), "r"(divisor) : "edx");
    return quotient; /* #DE when divisor is 0 */
}
CPU_IMPORT(void, ud2) { __asm__ volatile("ud2"); }
CPU_IMPORT(void, int3) { __asm__ volatile("int3"); }

/* Interrupt flag and halt. */
CPU_IMPORT(void, cli) { __asm__ volatile("cli" : : : "memory"); }
CPU_IMPORT(void, sti) { __asm__ volatile("sti" : : : "memory"); }
CPU_IMPORT(void, hlt) { __asm__ volatile("hlt" : : : "memory"); }
/* STI takes effect after the next instruction (SDM vol. 2, STI), so no
 * interrupt can slip in between: the HLT is woken by the next one. */
CPU_IMPORT(void, stiHlt) { __asm__ volatile("sti; hlt" : : : "memory"); }

/* Bit strings (SDM vol. 2, BTS and BTR): with a register bit offset, the
 * offset may reach past the first dword, so `base` is the string's start
 * and `bit` any index in it. Each returns the bit as it was (CF). Not
 * locked: callers own the string. */
CPU_IMPORT(u32, bitTestAndSet, u32 base, u32 bit)
{
    unsigned char was;
    __asm__ volatile("btsl %2, %1" : "=@ccc"(was), "+m"(*(volatile u32 *)base) : "r"(bit) : "memory");
    return was;
}
CPU_IMPORT(u32, bitTestAndReset, u32 base, u32 bit)
{
    unsigned char was;
    __asm__ volatile("btrl %2, %1" : "=@ccc"(was), "+m"(*(volatile u32 *)base) : "r"(bit) : "memory");
    return was;
}

/* Time-stamp counter; under qemu -icount shift=0 it counts guest instructions. */
CPU_IMPORT(u64, rdtsc)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}
