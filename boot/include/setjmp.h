/* setjmp.h: wasm-rt.h names jmp_buf for exception handling, which the kernel
 * does not use (no wasm exceptions are enabled); the type must still exist. */
#pragma once
typedef int jmp_buf[6];
int setjmp(jmp_buf env);
__attribute__((noreturn)) void longjmp(jmp_buf env, int value);
