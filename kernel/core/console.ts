// kernel/core/console.ts: the kernel's text output, to COM1 and VGA at once.
//
// Everything the kernel says goes through here, so a person watching the
// screen and a test reading the serial port see the same text. Numbers are
// formatted by kernel/lib/fmt.ts into a scratch buffer; nothing allocates.

import { serialInit, serialPutChar } from "../drivers/serial";
import { vgaInit, vgaPutChar, vgaSetAttribute, VGA_LIGHT_GREY_ON_BLACK } from "../drivers/vga";
import { fmtDec, fmtDec64, fmtHex, fmtPadRight, fmtSize } from "../lib/fmt";

// Room for one formatted number and its padding.
@inline const SCRATCH_BYTES: i32 = 64;
const scratch = memory.data(SCRATCH_BYTES);

/** Brings up both outputs: COM1 at 115200 8N1 and a cleared VGA screen. */
export function consoleInit(): void {
  serialInit();
  vgaInit();
}

let serialOn = true;

/**
 * Turns the serial half of the console off or on. Waiting for the UART takes
 * as long as the host takes to read it, so `make bench` boots with serial off
 * to count only the kernel's own instructions.
 */
export function consoleSerial(on: bool): void {
  serialOn = on;
}

let quiet = false;

/**
 * Mutes both outputs (the monitor's `repeat`, for all but its last run).
 * reportBegin turns it off, so a report is always seen.
 */
export function consoleQuiet(on: bool): void {
  quiet = on;
}

/** Whether the console is muted. */
export function consoleIsQuiet(): bool { return quiet; }

/** Writes one ASCII character to both outputs. */
export function printChar(c: u8): void {
  if (quiet) return;
  if (serialOn) serialPutChar(c);
  vgaPutChar(c);
}

/** Writes `length` bytes from `buf`. */
export function printBytes(buf: usize, length: i32): void {
  for (let i = 0; i < length; i++) printChar(load<u8>(buf + <usize>i));
}

/** Writes a string; characters outside ASCII print as '?'. */
export function print(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    printChar(c < 0x80 ? <u8>c : 0x3F);
  }
}

/** Writes the NUL-terminated ASCII string at `text`. */
export function printCString(text: usize): void {
  for (let c = load<u8>(text); c != 0; c = load<u8>(++text)) printChar(c);
}

/**
 * Writes `length` bytes from `buf` that came from outside (the command
 * line): printable ASCII as it is, any other byte as \xNN, so that no
 * control byte reaches the terminal.
 */
export function printEscaped(buf: usize, length: i32): void {
  for (let i = 0; i < length; i++) {
    const c = load<u8>(buf + <usize>i);
    if (c >= 0x20 && c < 0x7F) {
      printChar(c);
      continue;
    }
    printChar(0x5C); // backslash
    printChar(0x78); // x
    printChar(<u8>HEX_DIGITS.charCodeAt(c >> 4));
    printChar(<u8>HEX_DIGITS.charCodeAt(c & 0xF));
  }
}
const HEX_DIGITS = "0123456789abcdef";

/** Writes a string and a newline. */
export function println(s: string = ""): void {
  print(s);
  printChar(0x0A);
}

/** Writes `0x` and `digits` hex digits of `value` (8 by default). */
export function printHex(value: u64, digits: i32 = 8): void {
  print("0x");
  printBytes(scratch, fmtHex(scratch, value, digits));
}

/** Writes `value` in decimal. */
export function printDec(value: u32): void {
  printBytes(scratch, fmtDec(scratch, value));
}

/** Writes a 64-bit `value` in decimal. */
export function printDec64(value: u64): void {
  printBytes(scratch, fmtDec64(scratch, value));
}

/** Writes a byte count in binary units ("639 KiB"). */
export function printSize(bytes: u64): void {
  printBytes(scratch, fmtSize(scratch, bytes));
}

/** Writes `s` padded with spaces to `width` columns (one table cell). */
export function printCell(s: string, width: i32): void {
  print(s);
  for (let i = s.length; i < width; i++) printChar(0x20);
}

/** Writes a byte count padded to `width` columns. */
export function printSizeCell(bytes: u64, width: i32): void {
  printBytes(scratch, fmtPadRight(scratch, fmtSize(scratch, bytes), min(width, SCRATCH_BYTES)));
}

/** Writes `0x` and 16 hex digits of `value`, padded to `width` columns. */
export function printHexCell(value: u64, digits: i32, width: i32): void {
  store<u8>(scratch, 0x30);
  store<u8>(scratch + 1, 0x78);
  const length = 2 + fmtHex(scratch + 2, value, digits);
  printBytes(scratch, fmtPadRight(scratch, length, min(width, SCRATCH_BYTES)));
}

/** Text written after this stands out on the screen (white on red) until consoleNormal(). */
export function consoleAlert(attribute: u8): void {
  vgaSetAttribute(attribute);
}

/** Back to the normal screen colours. */
export function consoleNormal(): void {
  vgaSetAttribute(VGA_LIGHT_GREY_ON_BLACK);
}
