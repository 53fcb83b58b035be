// kernel/arch/x86/layout.ts: where the linker (linker/kernel.ld) and the boot
// assembly placed things. Each is a symbol address, read through boot/layout.c.
//
//   __kernel_start       1 MiB, the first byte of the ELF image
//   __kernel_readonly_end end of .text, .rodata and .ksyms, page aligned
//   __kernel_image_end   end of .bss, page aligned
//   __as_region_*        AssemblyScript static data and heap
//   __kernel_end         end of everything the kernel occupies

/** First byte of the kernel image (1 MiB). */
@external("layout", "kernelStart") export declare function kernelStart(): usize;
/** End of what is never written after loading (.multiboot, .text, .rodata, .ksyms), page aligned. */
@external("layout", "kernelReadonlyEnd") export declare function kernelReadonlyEnd(): usize;
/** End of the loaded image (.text to .bss), page aligned. */
@external("layout", "kernelImageEnd") export declare function kernelImageEnd(): usize;
/** End of everything the kernel occupies, the AssemblyScript region included. */
@external("layout", "kernelEnd") export declare function kernelEnd(): usize;
/** The AssemblyScript static data and heap region. */
@external("layout", "asRegionStart") export declare function asRegionStart(): usize;
@external("layout", "asRegionEnd") export declare function asRegionEnd(): usize;
/** The page below the kernel stack, left unmapped once paging is on. */
@external("layout", "stackGuard") export declare function stackGuard(): usize;
/** The kernel stack: [stackBottom, stackTop), growing down from stackTop. */
@external("layout", "stackBottom") export declare function stackBottom(): usize;
@external("layout", "stackTop") export declare function stackTop(): usize;
/** The page below the double-fault task's stack, left unmapped once paging is on. */
@external("layout", "doubleFaultStackGuard") export declare function doubleFaultStackGuard(): usize;
/** The double-fault task's own stack: [doubleFaultStackBottom, doubleFaultStackTop). */
@external("layout", "doubleFaultStackBottom") export declare function doubleFaultStackBottom(): usize;
@external("layout", "doubleFaultStackTop") export declare function doubleFaultStackTop(): usize;
/** A table of 48 u32: the entry stub of each interrupt vector (boot/interrupts.asm). */
@external("layout", "interruptStubs") export declare function interruptStubs(): usize;
/** The entry stub of int 0x80, the system-call gate. */
@external("layout", "syscallStub") export declare function syscallStub(): usize;
/** The entry point of the double-fault task. */
@external("layout", "doubleFaultTask") export declare function doubleFaultTask(): usize;
/** The kernel's symbol table (tools/build/symbols.mjs). */
@external("layout", "symbolTable") export declare function symbolTable(): usize;
/** The kernel's line table: source file and line by code address (tools/build/symbols.mjs). */
@external("layout", "lineTable") export declare function lineTable(): usize;
/** Pairs of u32 (faulting instruction, resume address), ended by 0 (boot/probe.asm). */
@external("layout", "probeFixups") export declare function probeFixups(): usize;
/** A u64: the time-stamp counter in _start, after its CPU and RAM checks. */
@external("layout", "bootTsc") export declare function bootTsc(): usize;
