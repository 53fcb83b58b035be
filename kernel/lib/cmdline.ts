// kernel/lib/cmdline.ts: reading `key=value` words from a kernel command line.
//
// The command line is the NUL-terminated string the boot loader passes
// (multiboot `cmdline`). QEMU puts the kernel's file name first, then the
// words given with -append. Words are separated by spaces; a word without
// '=' is a flag. Pure: the host unit tests run it over a buffer of their own.

@inline const CHAR_NUL: u8 = 0;
@inline const CHAR_SPACE: u8 = 0x20;
@inline const CHAR_EQUALS: u8 = 0x3D;

/** The length of the NUL-terminated string at `text`. */
export function cstringLength(text: usize): i32 {
  let n = 0;
  while (load<u8>(text + <usize>n) != CHAR_NUL) n++;
  return n;
}

/**
 * The value of the first word `key=value` in the `length` bytes at `text`:
 * "" for a bare `key`, null when the key is absent.
 */
export function cmdlineValue(text: usize, length: i32, key: string): string | null {
  for (let start = wordStart(text, length, 0), i = 0; start < length; start = wordStart(text, length, i)) {
    i = wordEnd(text, length, start);
    const keyEnd = start + key.length;
    if (keyEnd > i || !matchesAscii(text + <usize>start, key)) continue;
    if (keyEnd == i) return "";
    if (load<u8>(text + <usize>keyEnd) != CHAR_EQUALS) continue;
    return String.UTF8.decodeUnsafe(text + <usize>(keyEnd + 1), <usize>(i - keyEnd - 1));
  }
  return null;
}

/**
 * The first word after the first (the boot loader puts the kernel's file
 * name there) whose key, the part before any '=', is not one of `known`;
 * null when every word is known.
 */
export function cmdlineUnknownWord(text: usize, length: i32, known: StaticArray<string>): string | null {
  let words = 0;
  for (let start = wordStart(text, length, 0), i = 0; start < length; start = wordStart(text, length, i)) {
    i = wordEnd(text, length, start);
    if (words++ == 0) continue;
    let keyEnd = start;
    while (keyEnd < i && load<u8>(text + <usize>keyEnd) != CHAR_EQUALS) keyEnd++;
    let found = false;
    for (let k = 0; k < known.length && !found; k++) {
      const key = unchecked(known[k]);
      found = key.length == keyEnd - start && matchesAscii(text + <usize>start, key);
    }
    if (!found) return String.UTF8.decodeUnsafe(text + <usize>start, <usize>(i - start));
  }
  return null;
}

// Words are runs of anything but spaces: where the next one starts at or
// after `i` (length when there is none), and where the one at `start` ends.
function wordStart(text: usize, length: i32, i: i32): i32 {
  while (i < length && load<u8>(text + <usize>i) == CHAR_SPACE) i++;
  return i;
}

function wordEnd(text: usize, length: i32, start: i32): i32 {
  let i = start;
  while (i < length && load<u8>(text + <usize>i) != CHAR_SPACE) i++;
  return i;
}

function matchesAscii(bytes: usize, s: string): bool {
  for (let j = 0; j < s.length; j++) {
    if (<u32>load<u8>(bytes + <usize>j) != <u32>s.charCodeAt(j)) return false;
  }
  return true;
}

/** Parses a decimal or 0x-prefixed hex number; -1 when `s` is not one (or exceeds 32 bits). */
export function parseNumber(s: string): i64 {
  let base: u32 = 10;
  let i = 0;
  if (s.length > 2 && s.charCodeAt(0) == 0x30 && (s.charCodeAt(1) | 0x20) == 0x78) {
    base = 16;
    i = 2;
  }
  if (i == s.length) return -1;
  let value: u64 = 0;
  for (; i < s.length; i++) {
    const digit = digitValue(s.charCodeAt(i));
    if (digit >= base) return -1;
    value = value * <u64>base + <u64>digit;
    if (value > <u64>u32.MAX_VALUE) return -1;
  }
  return <i64>value;
}

function digitValue(c: i32): u32 {
  if (c >= 0x30 && c <= 0x39) return <u32>(c - 0x30);
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return <u32>(lower - 0x61 + 10);
  return 99;
}
