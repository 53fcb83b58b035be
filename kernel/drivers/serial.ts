// kernel/drivers/serial.ts: COM1, a 16550 UART, as the kernel's serial console.
//
// 115200 baud, 8 data bits, no parity, 1 stop bit. Sending polls
// the line status register before each byte. Receiving is off until
// serialReceiveOn: then IRQ 4 ("received data available", or the FIFO's
// character timeout) runs serialIrq, which moves every waiting byte into
// the input queue (drivers/input.ts). When the queue is full it turns the
// receive interrupt off and leaves the rest in the UART, which holds the
// sender back once it is full; serialReceiveResume turns it on again. Under QEMU
// (-serial stdio) this is the text a host test reads and writes.

import { inb, outb } from "../arch/x86/cpu";
import { inputPut, inputRoom } from "./input";

@inline export const COM1: u16 = 0x3F8;

// Register offsets from the port base (16550 datasheet; DLAB = LCR bit 7).
@inline const UART_DATA: u16 = 0;        // THR on write, RBR on read; divisor low when DLAB=1
@inline const UART_IER: u16 = 1;         // interrupt enable; divisor high when DLAB=1
@inline const UART_FCR: u16 = 2;         // FIFO control on write
@inline const UART_IIR: u16 = 2;         // interrupt identification on read
@inline const UART_LCR: u16 = 3;         // line control
@inline const UART_MCR: u16 = 4;         // modem control
@inline const UART_LSR: u16 = 5;         // line status

@inline const UART_CLOCK_HZ: u32 = 115200;   // the divisor latch counts in units of this
@inline const BAUD: u32 = 115200;
@inline const LCR_DLAB: u8 = 0x80;           // divisor latch access
@inline const LCR_8N1: u8 = 0x03;            // 8 data bits, no parity, 1 stop bit
@inline const FCR_ON_TRIGGER_14: u8 = 0xC1;   // FIFO on, nothing cleared, interrupt at 14 bytes
@inline const IIR_FIFO_ON: u8 = 0xC0;          // IIR bits 7:6: the FIFOs are on
@inline const MCR_DTR_RTS_OUT2: u8 = 0x0B;
@inline export const LSR_THR_EMPTY: u8 = 0x20; // transmit holding register empty
@inline const LSR_DATA_READY: u8 = 0x01;       // a received byte is waiting in RBR
@inline const IER_RECEIVED_DATA: u8 = 0x01;    // interrupt on received data (and FIFO timeout)
/** COM1's line on the master PIC. */
@inline export const IRQ_COM1: u32 = 4;
// Free queue slots needed before receiving starts again after a pause.
@inline const RESUME_ROOM: u32 = 64;

/** Programs COM1 for 115200 8N1 with interrupts off. */
export function serialInit(): void {
  const divisor = UART_CLOCK_HZ / BAUD;
  outb(COM1 + UART_IER, 0);
  outb(COM1 + UART_LCR, LCR_DLAB);
  outb(COM1 + UART_DATA, <u8>(divisor & 0xFF));
  outb(COM1 + UART_IER, <u8>(divisor >> 8));
  outb(COM1 + UART_LCR, LCR_8N1);
  // The FIFO stays as the firmware left it. Turning it on or off resets both
  // FIFOs (16550: any change of FCR bit 0), which would drop bytes typed
  // before the boot, and one may arrive between any check and the write.
  // Without the FIFO the UART holds one byte, and the sender waits for it
  // to be read.
  if ((inb(COM1 + UART_IIR) & IIR_FIFO_ON) == IIR_FIFO_ON) outb(COM1 + UART_FCR, FCR_ON_TRIGGER_14);
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

let receivePaused = false;

/** Turns on the received-data interrupt (IRQ_COM1; the caller installs serialIrq first). */
export function serialReceiveOn(): void {
  receivePaused = false;
  outb(COM1 + UART_IER, IER_RECEIVED_DATA);
}

/** Turns every UART interrupt off again. */
export function serialReceiveOff(): void {
  outb(COM1 + UART_IER, 0);
}

/** IRQ 4: moves the received bytes into the input queue, pausing when it is full. */
export function serialIrq(irq: u32): void {
  while ((inb(COM1 + UART_LSR) & LSR_DATA_READY) != 0) {
    if (inputRoom() == 0) {
      receivePaused = true;
      serialReceiveOff();
      return;
    }
    inputPut(inb(COM1 + UART_DATA));
  }
}

/** After the consumer took bytes: receive again if paused and the queue has room. */
export function serialReceiveResume(): void {
  if (!receivePaused || inputRoom() < RESUME_ROOM) return;
  receivePaused = false; // before the interrupt can come and pause again
  outb(COM1 + UART_IER, IER_RECEIVED_DATA);
}
