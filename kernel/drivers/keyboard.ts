// kernel/drivers/keyboard.ts: the PS/2 keyboard, read by IRQ 1.
//
// The 8042 controller (as the BIOS leaves it, and QEMU emulates it) passes
// each key press and release as scan code set 1 bytes on port 0x60 and
// raises IRQ 1. keyboardIrq (interrupt context) turns them into the bytes a
// terminal would send on the serial line, so the monitor reads one stream:
// letters and digits (with shift), CR for enter, DEL (0x7F) for backspace,
// ESC [ A and ESC [ B for the up and down arrows, and with Ctrl held a
// letter's control byte (Ctrl-C: 0x03, which stops a repeat). Other keys are
// ignored.
//
// Set 1: a press is the key's code, its release the same code | 0x80; keys
// added with the 101-key layout (the arrows) come after an 0xE0 prefix.

import { inb } from "../arch/x86/cpu";
import { inputPut } from "./input";

@inline const PS2_DATA: u16 = 0x60;
@inline const PS2_STATUS: u16 = 0x64;
@inline const STATUS_OUTPUT_FULL: u8 = 0x01;   // a byte waits on port 0x60
/** The keyboard's line on the master PIC. */
@inline export const IRQ_KEYBOARD: u32 = 1;

@inline const SCAN_RELEASE: u8 = 0x80;
@inline const SCAN_EXTENDED: u8 = 0xE0;
@inline const SCAN_LEFT_SHIFT: u8 = 0x2A;
@inline const SCAN_RIGHT_SHIFT: u8 = 0x36;
@inline const SCAN_CTRL: u8 = 0x1D;             // left; the right one after SCAN_EXTENDED
@inline const SCAN_UP: u8 = 0x48;               // after SCAN_EXTENDED
@inline const SCAN_DOWN: u8 = 0x50;             // after SCAN_EXTENDED
@inline const SCAN_TABLE_SIZE: u8 = 0x3A;       // codes 0x00-0x39: the main block

// ASCII for each scan code of the main block (US layout), 0 for none.
const PLAIN = memory.data<u8>([
  0x00, 0x00, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x2D, 0x3D, 0x7F, 0x09,
  0x71, 0x77, 0x65, 0x72, 0x74, 0x79, 0x75, 0x69, 0x6F, 0x70, 0x5B, 0x5D, 0x0D, 0x00, 0x61, 0x73,
  0x64, 0x66, 0x67, 0x68, 0x6A, 0x6B, 0x6C, 0x3B, 0x27, 0x60, 0x00, 0x5C, 0x7A, 0x78, 0x63, 0x76,
  0x62, 0x6E, 0x6D, 0x2C, 0x2E, 0x2F, 0x00, 0x2A, 0x00, 0x20,
]);
const SHIFTED = memory.data<u8>([
  0x00, 0x00, 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A, 0x28, 0x29, 0x5F, 0x2B, 0x7F, 0x09,
  0x51, 0x57, 0x45, 0x52, 0x54, 0x59, 0x55, 0x49, 0x4F, 0x50, 0x7B, 0x7D, 0x0D, 0x00, 0x41, 0x53,
  0x44, 0x46, 0x47, 0x48, 0x4A, 0x4B, 0x4C, 0x3A, 0x22, 0x7E, 0x00, 0x7C, 0x5A, 0x58, 0x43, 0x56,
  0x42, 0x4E, 0x4D, 0x3C, 0x3E, 0x3F, 0x00, 0x2A, 0x00, 0x20,
]);

let shifts: u32 = 0;       // bit 0: left shift held, bit 1: right shift held
let extended = false;      // the last byte was SCAN_EXTENDED
let ctrls: u32 = 0;        // bit 0: left Ctrl held, bit 1: right Ctrl held

/** Empties the controller's output buffer, so the first IRQ brings a fresh byte. */
export function keyboardInit(): void {
  while ((inb(PS2_STATUS) & STATUS_OUTPUT_FULL) != 0) inb(PS2_DATA);
}

/** IRQ 1: one scan code byte. */
export function keyboardIrq(irq: u32): void {
  keyboardScanCode(inb(PS2_DATA));
}

/** Turns one scan code byte into input bytes (also used by the tests). */
export function keyboardScanCode(code: u8): void {
  if (code == SCAN_EXTENDED) {
    extended = true;
    return;
  }
  const wasExtended = extended;
  extended = false;
  const released = (code & SCAN_RELEASE) != 0;
  const key = code & ~SCAN_RELEASE;
  if (key == SCAN_LEFT_SHIFT || key == SCAN_RIGHT_SHIFT) {
    const bit: u32 = key == SCAN_LEFT_SHIFT ? 1 : 2;
    shifts = released ? shifts & ~bit : shifts | bit;
    return;
  }
  if (key == SCAN_CTRL) {
    const bit: u32 = wasExtended ? 2 : 1;
    ctrls = released ? ctrls & ~bit : ctrls | bit;
    return;
  }
  if (released) return;
  if (wasExtended) {
    if (key == SCAN_UP || key == SCAN_DOWN) {
      inputPut(0x1B);
      inputPut(0x5B); // '['
      inputPut(key == SCAN_UP ? 0x41 : 0x42); // 'A' up, 'B' down (VT100 cursor keys)
    }
    return;
  }
  if (key >= SCAN_TABLE_SIZE) return;
  const c = load<u8>((shifts != 0 ? SHIFTED : PLAIN) + <usize>key);
  if (c == 0) return;
  // Ctrl with a letter: what a terminal sends, the letter's code & 0x1F.
  const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A;
  if (ctrls != 0 && letter) inputPut(c & 0x1F);
  else if (ctrls == 0) inputPut(c);
}
