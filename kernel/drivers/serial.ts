// kernel/drivers/serial.ts: COM1, a 16550 UART, as the kernel's serial console.
//
// 115200 baud, 8 data bits, no parity, 1 stop bit, FIFO on, interrupts off:
// the kernel polls the line status register before each byte. Under QEMU
// (-serial stdio) this is the text a host test reads.

import { inb, outb } from "../arch/x86/cpu";

@inline export const COM1: u16 = 0x3F8;

// Register offsets from the port base (16550 datasheet; DLAB = LCR bit 7).
@inline const UART_DATA: u16 = 0;        // THR on write, RBR on read; divisor low when DLAB=1
@inline const UART_IER: u16 = 1;         // interrupt enable; divisor high when DLAB=1
@inline const UART_FCR: u16 = 2;         // FIFO control
@inline const UART_LCR: u16 = 3;         // line control
@inline const UART_MCR: u16 = 4;         // modem control
@inline const UART_LSR: u16 = 5;         // line status

@inline const UART_CLOCK_HZ: u32 = 115200;   // the divisor latch counts in units of this
@inline const BAUD: u32 = 115200;
@inline const LCR_DLAB: u8 = 0x80;           // divisor latch access
@inline const LCR_8N1: u8 = 0x03;            // 8 data bits, no parity, 1 stop bit
@inline const FCR_ENABLE_CLEAR_14: u8 = 0xC7; // FIFO on, clear both, trigger at 14 bytes
@inline const MCR_DTR_RTS_OUT2: u8 = 0x0B;
@inline export const LSR_THR_EMPTY: u8 = 0x20; // transmit holding register empty

/** Programs COM1 for 115200 8N1 with interrupts off. */
export function serialInit(): void {
  const divisor = UART_CLOCK_HZ / BAUD;
  outb(COM1 + UART_IER, 0);
  outb(COM1 + UART_LCR, LCR_DLAB);
  outb(COM1 + UART_DATA, <u8>(divisor & 0xFF));
  outb(COM1 + UART_IER, <u8>(divisor >> 8));
  outb(COM1 + UART_LCR, LCR_8N1);
  outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR_14);
  outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

/** The line control register, for checking the 8N1 set-up. */
export function serialLineControl(): u8 {
  return inb(COM1 + UART_LCR);
}

/** Sends one byte, waiting until the transmitter can take it. */
export function serialPutByte(byte: u8): void {
  while ((inb(COM1 + UART_LSR) & LSR_THR_EMPTY) == 0) {}
  outb(COM1 + UART_DATA, byte);
}

/** Sends one character; a newline goes out as CR LF for terminals. */
export function serialPutChar(c: u8): void {
  if (c == 0x0A) serialPutByte(0x0D);
  serialPutByte(c);
}
