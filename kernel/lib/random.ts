// kernel/lib/random.ts: a repeatable sequence of pseudo-random numbers for
// the test suites and benchmarks, so that a failing run can be run again
// exactly. Pure: the host specs use it too.
//
// xorshift32 (Marsaglia, "Xorshift RNGs", 2003, the 13/17/5 triple): every
// non-zero 32-bit state is visited once before the sequence repeats; a state
// of 0 stays 0, so seeds must not be 0.

/** The state after `state` (non-zero), which is also the next number. */
export function xorshift32(state: u32): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}
