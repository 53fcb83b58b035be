// kernel/monitor/words.ts: a command line cut into words, without allocating.
//
// wordsSplit records where each space-separated word of a line starts and
// how long it is (at most WORDS_MAX words; more are counted but not kept);
// the words are then compared and parsed in place, as bytes of the line.

import { printBytes } from "../core/console";

@inline export const WORDS_MAX: i32 = 4;
@inline const CHAR_SPACE: u8 = 0x20;

const starts = memory.data(WORDS_MAX * 4);
const lengths = memory.data(WORDS_MAX * 4);
let text: usize = 0;
let count: i32 = 0;

/** Splits the `length` bytes at `line` into words. */
export function wordsSplit(line: usize, length: i32): void {
  text = line;
  count = 0;
  let i = 0;
  while (true) {
    while (i < length && load<u8>(line + <usize>i) == CHAR_SPACE) i++;
    if (i == length) return;
    const start = i;
    while (i < length && load<u8>(line + <usize>i) != CHAR_SPACE) i++;
    if (count < WORDS_MAX) {
      store<i32>(starts + <usize>(count * 4), start);
      store<i32>(lengths + <usize>(count * 4), i - start);
    }
    count++;
  }
}

/** How many words the line has. */
export function wordCount(): i32 { return count; }

/** The address of word `i`'s first byte, and its length. */
export function wordStart(i: i32): usize { return text + <usize>load<i32>(starts + <usize>(i * 4)); }
export function wordLength(i: i32): i32 { return load<i32>(lengths + <usize>(i * 4)); }

/** Whether word `i` is exactly `s` (ASCII). */
export function wordIs(i: i32, s: string): bool {
  return bytesAre(wordStart(i), wordLength(i), s);
}

/** Whether the `length` bytes at `bytes` are exactly `s` (ASCII). */
export function bytesAre(bytes: usize, length: i32, s: string): bool {
  if (length != s.length) return false;
  for (let j = 0; j < length; j++) {
    if (<i32>load<u8>(bytes + <usize>j) != s.charCodeAt(j)) return false;
  }
  return true;
}

/** When word `i` starts with `prefix` (ASCII), drops it from the word and returns true. */
export function wordDropPrefix(i: i32, prefix: string): bool {
  const length = wordLength(i);
  if (length < prefix.length || !bytesAre(wordStart(i), prefix.length, prefix)) return false;
  store<i32>(starts + <usize>(i * 4), load<i32>(starts + <usize>(i * 4)) + prefix.length);
  store<i32>(lengths + <usize>(i * 4), length - prefix.length);
  return true;
}

/** wordNumber's answer for a word that is not a number. */
@inline export const NOT_A_NUMBER: i64 = -1;
/** wordNumber's answer for a number that does not fit in 32 bits. */
@inline export const TOO_LARGE: i64 = -2;

/** Word `i` as a decimal or 0x hex number of at most 32 bits; NOT_A_NUMBER or TOO_LARGE when it is not one. */
export function wordNumber(i: i32): i64 {
  const bytes = wordStart(i);
  const length = wordLength(i);
  let base: u32 = 10;
  let j = 0;
  if (length > 2 && load<u8>(bytes) == 0x30 && (load<u8>(bytes + 1) | 0x20) == 0x78) {
    base = 16;
    j = 2;
  }
  if (j == length) return NOT_A_NUMBER;
  let value: u64 = 0;
  let tooLarge = false;
  for (; j < length; j++) {
    const digit = digitValue(load<u8>(bytes + <usize>j));
    if (digit >= base) return NOT_A_NUMBER;
    value = value * <u64>base + <u64>digit;
    if (value > <u64>u32.MAX_VALUE) {
      tooLarge = true;
      value = 0; // the digits after it are still checked
    }
  }
  return tooLarge ? TOO_LARGE : <i64>value;
}

function digitValue(c: u32): u32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return 99;
}

/** Prints word `i` as typed. */
export function wordPrint(i: i32): void {
  printBytes(wordStart(i), wordLength(i));
}
