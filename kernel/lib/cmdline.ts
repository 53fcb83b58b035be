// kernel/lib/cmdline.ts: reading `key=value` words from a kernel command line.
//
// The command line is the NUL-terminated string the boot loader passes
// (multiboot `cmdline`). QEMU's multiboot loader (boot loader name "qemu")
// builds it as "<kernel file name> <-append text>"; GRUB passes only the
// words. So the first word is the kernel's path exactly when the loader is
// QEMU (cmdlineWordsStart), and is skipped only then: a path with '=' in it
// is never read as a word, and under GRUB no word is lost. QEMU cannot say
// where a path with spaces ends, so tools/run/qemu.mjs never hands it one.
//
// Words are separated by spaces. The kernel's words are listed once, each
// as "key=" (it takes a value) or "key" (a flag, no value), and cmdlineCheck
// refuses a line that could hide a typo: an unknown key, a key given twice,
// a value for a flag, a key without its value. Pure: the host unit tests run
// it over buffers of their own.

@inline const CHAR_NUL: u8 = 0;
@inline const CHAR_SPACE: u8 = 0x20;
@inline const CHAR_EQUALS: u8 = 0x3D;

/** cmdlineCheck's answers; the word at fault starts at cmdlineProblemStart(). */
@inline export const CMDLINE_OK: i32 = 0;
@inline export const CMDLINE_UNKNOWN: i32 = 1;         // no such key
@inline export const CMDLINE_REPEATED: i32 = 2;        // the key was given before
@inline export const CMDLINE_VALUE_REFUSED: i32 = 3;   // `flag=...` for a word that takes no value
@inline export const CMDLINE_VALUE_MISSING: i32 = 4;   // `key` alone for a word that takes one

/** The length of the NUL-terminated string at `text`. */
export function cstringLength(text: usize): i32 {
  let n = 0;
  while (load<u8>(text + <usize>n) != CHAR_NUL) n++;
  return n;
}

/** Whether the NUL-terminated string at `text` is exactly the ASCII `s`. */
export function cstringEquals(text: usize, s: string): bool {
  return cstringLength(text) == s.length && matchesAscii(text, s);
}

/**
 * Where the words start in the `length` bytes at `text`: after the first
 * word when the boot loader named `loader` (a NUL-terminated string) is
 * QEMU, which puts the kernel's file name there; 0 otherwise.
 */
export function cmdlineWordsStart(text: usize, length: i32, loader: usize): i32 {
  if (!cstringEquals(loader, "qemu")) return 0;
  return wordEnd(text, length, wordStart(text, length, 0));
}

/** Where the word `key` or `key=value` starts in the `length` bytes at `text`; -1 when absent. */
export function cmdlineFind(text: usize, length: i32, key: string): i32 {
  for (let start = wordStart(text, length, 0), i = 0; start < length; start = wordStart(text, length, i)) {
    i = wordEnd(text, length, start);
    if (keyEnd(text, i, start) - start == key.length && matchesAscii(text + <usize>start, key)) return start;
  }
  return -1;
}

/** Where the word that starts at `start` ends (a space, or `length`). */
export function cmdlineWordEnd(text: usize, length: i32, start: i32): i32 {
  return wordEnd(text, length, start);
}

/**
 * The value of the first word `key=value` in the `length` bytes at `text`:
 * "" for a bare `key`, null when the key is absent.
 */
export function cmdlineValue(text: usize, length: i32, key: string): string | null {
  const start = cmdlineFind(text, length, key);
  if (start < 0) return null;
  const end = wordEnd(text, length, start);
  const valueStart = start + key.length + 1;
  if (valueStart >= end) return "";
  return String.UTF8.decodeUnsafe(text + <usize>valueStart, <usize>(end - valueStart));
}

let problemStart: i32 = -1;

/** Where the word cmdlineCheck refused starts (-1 after CMDLINE_OK). */
export function cmdlineProblemStart(): i32 { return problemStart; }

/**
 * Checks every word in the `length` bytes at `text` against `words` ("key="
 * takes a value, "key" takes none): CMDLINE_OK, or why the first bad word
 * is refused (its start: cmdlineProblemStart()).
 */
export function cmdlineCheck(text: usize, length: i32, words: StaticArray<string>): i32 {
  problemStart = -1;
  for (let start = wordStart(text, length, 0), i = 0; start < length; start = wordStart(text, length, i)) {
    i = wordEnd(text, length, start);
    const problem = wordProblem(text, length, start, i, words);
    if (problem != CMDLINE_OK) {
      problemStart = start;
      return problem;
    }
  }
  return CMDLINE_OK;
}

function wordProblem(text: usize, length: i32, start: i32, end: i32, words: StaticArray<string>): i32 {
  const key = keyEnd(text, end, start);
  let known = -1;
  for (let k = 0; k < words.length && known < 0; k++) {
    const word = unchecked(words[k]);
    const name = wordTakesValue(word) ? word.length - 1 : word.length;
    if (name == key - start && matchesPrefix(text + <usize>start, word, name)) known = k;
  }
  if (known < 0) return CMDLINE_UNKNOWN;
  if (firstWithKey(text, length, start, key - start) != start) return CMDLINE_REPEATED;
  const takesValue = wordTakesValue(unchecked(words[known]));
  if (!takesValue && key < end) return CMDLINE_VALUE_REFUSED;
  if (takesValue && key == end) return CMDLINE_VALUE_MISSING;
  return CMDLINE_OK;
}

/** Whether a word of a list for cmdlineCheck takes a value (it ends in '='). */
export function wordTakesValue(word: string): bool {
  return word.length > 0 && word.charCodeAt(word.length - 1) == CHAR_EQUALS;
}

// The start of the first word whose key is the `keyLength` bytes at `start`.
function firstWithKey(text: usize, length: i32, start: i32, keyLength: i32): i32 {
  for (let s = wordStart(text, length, 0), i = 0; s < length; s = wordStart(text, length, i)) {
    i = wordEnd(text, length, s);
    if (keyEnd(text, i, s) - s == keyLength && memory.compare(text + <usize>s, text + <usize>start, <usize>keyLength) == 0) return s;
  }
  return start;
}

// Where the key of the word [start, end) ends: at its first '=', or at its end.
function keyEnd(text: usize, end: i32, start: i32): i32 {
  let i = start;
  while (i < end && load<u8>(text + <usize>i) != CHAR_EQUALS) i++;
  return i;
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
  return matchesPrefix(bytes, s, s.length);
}

// Whether the `n` bytes at `bytes` are the first `n` characters of `s`.
function matchesPrefix(bytes: usize, s: string, n: i32): bool {
  for (let j = 0; j < n; j++) {
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
