// kernel/drivers/vga.ts: the VGA text-mode console at 0xB8000.
//
// 80 x 25 cells of two bytes each: the character (code page 437) and its
// attribute (background << 4 | foreground). Text scrolls up when it reaches
// the bottom row. The hardware cursor follows the next free cell.
//
//   cell(row, col) = VGA_BUFFER + (row * VGA_COLUMNS + col) * 2
//   +--------+--------+
//   | char   | attr   |   attr = bg << 4 | fg
//   +--------+--------+

import { outb } from "../arch/x86/cpu";

@inline export const VGA_BUFFER: usize = 0xB8000;
@inline export const VGA_COLUMNS: i32 = 80;
@inline export const VGA_ROWS: i32 = 25;
@inline const CELL_BYTES: i32 = 2;
@inline const ROW_BYTES: i32 = VGA_COLUMNS * CELL_BYTES;
@inline const TAB_WIDTH: i32 = 8;

// CRT controller ports for the cursor (VGA register reference, CRTC 0x0E/0x0F).
@inline const CRTC_INDEX: u16 = 0x3D4;
@inline const CRTC_DATA: u16 = 0x3D5;
@inline const CRTC_CURSOR_HIGH: u8 = 0x0E;
@inline const CRTC_CURSOR_LOW: u8 = 0x0F;

@inline export const VGA_LIGHT_GREY_ON_BLACK: u8 = 0x07;
@inline export const VGA_WHITE_ON_RED: u8 = 0x4F;

let row: i32 = 0;
let column: i32 = 0;
let attribute: u8 = VGA_LIGHT_GREY_ON_BLACK;

/** The address of the cell at (`r`, `c`). */
@inline export function vgaCell(r: i32, c: i32): usize {
  return VGA_BUFFER + <usize>((r * VGA_COLUMNS + c) * CELL_BYTES);
}

/** Clears the screen and puts the cursor at the top left. */
export function vgaInit(): void {
  attribute = VGA_LIGHT_GREY_ON_BLACK;
  for (let r = 0; r < VGA_ROWS; r++) clearRow(r);
  row = 0;
  column = 0;
  moveCursor();
}

/** Sets the attribute of the characters written from now on. */
export function vgaSetAttribute(attr: u8): void {
  attribute = attr;
}

/** The row and column the next character goes to. */
export function vgaRow(): i32 { return row; }
export function vgaColumn(): i32 { return column; }

/** Writes one character at the cursor: newline, carriage return, tab and backspace move it. */
export function vgaPutChar(c: u8): void {
  if (c == 0x0A) {
    newLine();
  } else if (c == 0x0D) {
    column = 0;
  } else if (c == 0x08) {
    if (column > 0) column--;
  } else if (c == 0x09) {
    const next = (column / TAB_WIDTH + 1) * TAB_WIDTH;
    while (column < next && column < VGA_COLUMNS) putVisible(0x20);
  } else {
    putVisible(c);
  }
  moveCursor();
}

function putVisible(c: u8): void {
  if (column == VGA_COLUMNS) newLine();
  store<u16>(vgaCell(row, column), (<u16>attribute << 8) | c);
  column++;
}

function newLine(): void {
  column = 0;
  if (row < VGA_ROWS - 1) {
    row++;
    return;
  }
  // Bottom row reached: move rows 1..24 up by one and clear the last.
  memory.copy(VGA_BUFFER, VGA_BUFFER + ROW_BYTES, <usize>(ROW_BYTES * (VGA_ROWS - 1)));
  clearRow(VGA_ROWS - 1);
}

function clearRow(r: i32): void {
  const blank = (<u16>attribute << 8) | 0x20;
  for (let c = 0; c < VGA_COLUMNS; c++) store<u16>(vgaCell(r, c), blank);
}

function moveCursor(): void {
  const position = row * VGA_COLUMNS + column;
  outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
  outb(CRTC_DATA, <u8>(position >> 8));
  outb(CRTC_INDEX, CRTC_CURSOR_LOW);
  outb(CRTC_DATA, <u8>position);
}
