/* math.h: wasm2c's float helpers call these. The kernel uses no floating
 * point, so they only need to exist as compiler builtins. */
#pragma once
#define floor     __builtin_floor
#define floorf    __builtin_floorf
#define ceil      __builtin_ceil
#define ceilf     __builtin_ceilf
#define trunc     __builtin_trunc
#define truncf    __builtin_truncf
#define nearbyint  __builtin_nearbyint
#define nearbyintf __builtin_nearbyintf
#define sqrt      __builtin_sqrt
#define sqrtf     __builtin_sqrtf
#define fabs      __builtin_fabs
#define fabsf     __builtin_fabsf
#define signbit   __builtin_signbit
#define isnan     __builtin_isnan
#define fmin      __builtin_fmin
#define fminf     __builtin_fminf
#define fmax      __builtin_fmax
#define fmaxf     __builtin_fmaxf
#define copysign  __builtin_copysign
#define copysignf __builtin_copysignf
