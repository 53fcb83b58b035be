/* boot/cpu.c: the CPU primitives' out-of-line definitions (their bodies are
 * in boot/cpu.h, which the generated kernel C includes to inline them), and
 * callerFrame, which must stay a call of its own. */
#define CPU_IMPORT(ret, name, ...) ret Z_cpuZ_##name(struct Z_cpu_instance_t *unused, ##__VA_ARGS__)
#include "cpu.h"

/* The frame pointer of the function that called this import: the start of
 * a frame-pointer backtrace. Never inlined, so that "caller" stays true. */
__attribute__((noinline)) CPU_IMPORT(u32, callerFrame)
{
    u32 *own_frame = __builtin_frame_address(0); /* [0] holds the caller's EBP */
    return own_frame[0];
}
