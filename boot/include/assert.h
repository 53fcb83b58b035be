/* assert.h: wasm2c asserts only that the runtime was initialised, which
 * boot/entry.c always does first; the check is compiled out. */
#pragma once
#define assert(cond) ((void)0)
