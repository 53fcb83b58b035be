/* stdlib.h: only abort(), which stops the kernel (boot/wasm_runtime.c). */
#pragma once
#include <stddef.h>
__attribute__((noreturn)) void abort(void);
