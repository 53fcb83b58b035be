/* boot/layout.c: where things are, as the linker and the boot assembly placed them.
 * Imported by kernel/arch/x86/layout.ts from the "layout" import module; each
 * returns the address of one linker or assembly symbol. */
#include "kernel.h"

extern char __kernel_start[], __kernel_readonly_end[], __kernel_image_end[], __kernel_end[];
extern char __as_region_start[], __as_region_end[];
extern char kernel_stack_guard[], kernel_stack_bottom[], kernel_stack_top[];
extern char double_fault_stack_guard[], double_fault_stack_bottom[], double_fault_stack_top[];
extern char interrupt_stubs[], interrupt_stub_128[], double_fault_task[], kernel_symbols[], kernel_lines[], probe_fixups[], boot_tsc[];

#define LAYOUT(name, symbol) \
    u32 Z_layoutZ_##name(struct Z_layout_instance_t *unused) { return (u32)(uintptr_t)symbol; }

LAYOUT(kernelStart, __kernel_start)
LAYOUT(kernelReadonlyEnd, __kernel_readonly_end)
LAYOUT(kernelImageEnd, __kernel_image_end)
LAYOUT(kernelEnd, __kernel_end)
LAYOUT(asRegionStart, __as_region_start)
LAYOUT(asRegionEnd, __as_region_end)
LAYOUT(stackGuard, kernel_stack_guard)
LAYOUT(stackBottom, kernel_stack_bottom)
LAYOUT(stackTop, kernel_stack_top)
LAYOUT(doubleFaultStackGuard, double_fault_stack_guard)
LAYOUT(doubleFaultStackBottom, double_fault_stack_bottom)
LAYOUT(doubleFaultStackTop, double_fault_stack_top)
LAYOUT(interruptStubs, interrupt_stubs)
LAYOUT(doubleFaultTask, double_fault_task)
LAYOUT(syscallStub, interrupt_stub_128)
LAYOUT(symbolTable, kernel_symbols)
LAYOUT(lineTable, kernel_lines)
LAYOUT(probeFixups, probe_fixups)
LAYOUT(bootTsc, boot_tsc)
