/* boot/wasm_runtime.c: the freestanding wasm2c runtime (wasm-rt.h) for the kernel.
 *
 * What a hosted runtime does with malloc, signals and setjmp, this one does
 * with the linker's layout:
 *  - The linear memory's base pointer is 0, so wasm address == virtual
 *    address. Its page count ends at __as_region_end, which bounds
 *    AssemblyScript's heap; its byte size is 4 GiB - 1 so bulk-memory checks
 *    never object to kernel addresses (tools/build/wasm2c-rewrite.mjs removes the
 *    remaining checks from the generated C, see there).
 *  - Memory never grows: the AssemblyScript region is fixed by the linker.
 *  - A trap (unreachable, divide by zero, ...) is handed to the kernel's
 *    wasmTrap (kernel/core/trap.ts), which reports it and stops the machine.
 */
#include <stdarg.h>
#include "kernel_instance.h"

extern char __as_region_end[];

#define WASM_PAGE_BYTES 65536u

void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages)
{
    (void)initial_pages; /* tools/check/layout.mjs proves the data fits */
    (void)max_pages;
    memory->data = 0;
    memory->pages = (uint32_t)(uintptr_t)__as_region_end / WASM_PAGE_BYTES;
    memory->max_pages = memory->pages;
    memory->size = 0xFFFFFFFFu;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta)
{
    (void)memory;
    (void)delta;
    return (uint32_t)-1; /* memory.grow fails: the region is fixed */
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) { (void)memory; }

/* Function types. call_indirect compares the index this returns, so equal
 * signatures must get equal indices. */
#define MAX_FUNC_TYPES 64
#define MAX_FUNC_TYPE_ARITY 16
static struct {
    uint32_t params, results;
    wasm_rt_type_t types[MAX_FUNC_TYPE_ARITY];
} func_types[MAX_FUNC_TYPES];
static uint32_t func_type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...)
{
    wasm_rt_type_t types[MAX_FUNC_TYPE_ARITY];
    uint32_t n = params + results;
    if (n > MAX_FUNC_TYPE_ARITY)
        abort();
    va_list args;
    va_start(args, results);
    for (uint32_t i = 0; i < n; i++)
        types[i] = va_arg(args, wasm_rt_type_t);
    va_end(args);

    for (uint32_t t = 0; t < func_type_count; t++) {
        if (func_types[t].params != params || func_types[t].results != results)
            continue;
        if (memcmp(func_types[t].types, types, n * sizeof types[0]) == 0)
            return t;
    }
    if (func_type_count == MAX_FUNC_TYPES)
        abort();
    func_types[func_type_count].params = params;
    func_types[func_type_count].results = results;
    memcpy(func_types[func_type_count].types, types, n * sizeof types[0]);
    return func_type_count++;
}

/* The function table AssemblyScript uses for first-class functions. */
#define MAX_TABLE_ELEMENTS 512
static wasm_rt_funcref_t funcref_storage[MAX_TABLE_ELEMENTS];

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements)
{
    (void)max_elements;
    if (elements > MAX_TABLE_ELEMENTS)
        abort();
    table->data = funcref_storage;
    table->size = elements;
    table->max_size = elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) { (void)table; }

/* A trap goes to the kernel's report, every time: a trap raised while a
 * report is printed gets the kernel's short serial-only report and the
 * failure exit (kernel/core/report.ts). */
void wasm_rt_trap(wasm_rt_trap_t code)
{
    Z_kernelZ_wasmTrap(&kernel_instance, (u32)code);
    cpu_stop();
}

void abort(void) { wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }

/* The memory primitives clang and the generated C call. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. */
    d += n - 1;
    s += n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int value, size_t n)
{
    void *ret = dst;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

/* The bytes the AssemblyScript runtime ("minimal": TLSF and TCMS) holds in
 * live managed objects: its own counter, for the kernel to report. Imported
 * by kernel/core/heap.ts. */
u32 Z_runtimeZ_heapBytes(struct Z_runtime_instance_t *unused)
{
    return kernel_instance.w2c__lib_rt_tcms_total;
}
