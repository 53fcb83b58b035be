// kernel/lib/fmt.ts: number and text formatting into a byte buffer.
//
// The console prints through these; they allocate nothing and touch no
// hardware, so the host unit tests (tests/unit/fmt.spec.ts) run them as they
// are. Every function writes ASCII at `buf` and returns the number of bytes
// written; the caller provides room (at most FMT_MAX_BYTES for a number).

/** The longest text any number formatter here writes ("18446744073709551615", "1023.9 EiB"). */
@inline export const FMT_MAX_BYTES: i32 = 24;

@inline const CHAR_0: u8 = 0x30;
@inline const CHAR_A_LOWER: u8 = 0x61;
@inline const CHAR_SPACE: u8 = 0x20;
@inline const CHAR_DOT: u8 = 0x2E;

/**
 * Writes the low `digits` hex digits of `value`, lowercase, no prefix
 * (1 <= digits <= 16); with `digits` 0, as many as the value needs.
 */
export function fmtHex(buf: usize, value: u64, digits: i32): i32 {
  if (digits == 0) {
    digits = 1;
    while (digits < 16 && (value >> (<u64>digits * 4)) != 0) digits++;
  }
  for (let i = digits - 1; i >= 0; i--) {
    const nibble = <u8>(value & 0xF);
    store<u8>(buf + <usize>i, nibble < 10 ? CHAR_0 + nibble : CHAR_A_LOWER + nibble - 10);
    value >>= 4;
  }
  return digits;
}

/** Writes `value` in decimal with no leading zeros. */
export function fmtDec(buf: usize, value: u32): i32 {
  // Digits come out least significant first; count them, then fill backwards.
  let digits = 1;
  for (let v = value; v >= 10; v /= 10) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buf + <usize>i, CHAR_0 + <u8>(value % 10));
    value /= 10;
  }
  return digits;
}

/** Writes `value` in decimal; 64-bit values are split so no 64-bit division is needed. */
export function fmtDec64(buf: usize, value: u64): i32 {
  if (value <= <u64>u32.MAX_VALUE) return fmtDec(buf, <u32>value);
  // value = high * 10^9 + low, computed with 32-bit divisions of 32-bit halves.
  const BILLION: u32 = 1_000_000_000;
  let high: u64 = 0;
  let rest: u64 = 0;
  for (let bit = 63; bit >= 0; bit--) {
    rest = (rest << 1) | ((value >> <u64>bit) & 1);
    high <<= 1;
    if (rest >= <u64>BILLION) {
      rest -= <u64>BILLION;
      high |= 1;
    }
  }
  let n = fmtDec64(buf, high);
  // The low part fills exactly nine digits, zero-padded.
  let low = <u32>rest;
  for (let i = 8; i >= 0; i--) {
    store<u8>(buf + <usize>(n + i), CHAR_0 + <u8>(low % 10));
    low /= 10;
  }
  return n + 9;
}

// Binary units, each 1024 times the one before.
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/**
 * Writes a byte count in the largest binary unit it reaches: "512 B",
 * "639 KiB", "1.5 GiB". One decimal, truncated, and only when it is not 0.
 */
export function fmtSize(buf: usize, bytes: u64): i32 {
  let unit = 0;
  while (unit < UNITS.length - 1 && (bytes >> (<u64>(unit + 1) * 10)) != 0) unit++;
  const shift = <u64>unit * 10;
  const whole = bytes >> shift;
  const tenth = <u32>((((bytes & ((<u64>1 << shift) - 1)) * 10) >> shift));
  let n = fmtDec64(buf, whole);
  if (tenth != 0) {
    store<u8>(buf + <usize>(n++), CHAR_DOT);
    store<u8>(buf + <usize>(n++), CHAR_0 + <u8>tenth);
  }
  store<u8>(buf + <usize>(n++), CHAR_SPACE);
  return n + fmtString(buf + <usize>n, unchecked(UNITS[unit]));
}

/** Writes an ASCII string (characters above 0x7F become '?'). */
export function fmtString(buf: usize, s: string): i32 {
  const length = s.length;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    store<u8>(buf + <usize>i, c < 0x80 ? <u8>c : 0x3F);
  }
  return length;
}

/** Pads the `length` bytes at `buf` with spaces on the right up to `width`; returns the new length. */
export function fmtPadRight(buf: usize, length: i32, width: i32): i32 {
  while (length < width) store<u8>(buf + <usize>(length++), CHAR_SPACE);
  return length;
}
