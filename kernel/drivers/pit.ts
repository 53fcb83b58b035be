// kernel/drivers/pit.ts: the 8253/8254 programmable interval timer, channel 0.
//
// Its input clock runs at PIT_CLOCK_HZ; channel 0 divides it and raises
// IRQ 0 at the end of each count. pitStart programs mode 2 (rate generator:
// one pulse per period, repeating) for PIT_HZ interrupts a second, and
// pitTick (the IRQ 0 handler) counts them. Nothing else happens in the
// handler: it runs in interrupt context (core/context.ts).

import { outb } from "../arch/x86/cpu";

@inline const PIT_CHANNEL0: u16 = 0x40;
@inline const PIT_COMMAND: u16 = 0x43;
// Command byte: channel 0 (bits 7-6 = 00), low then high byte (bits 5-4 = 11),
// mode 2 (bits 3-1 = 010), binary count (bit 0 = 0).
@inline const PIT_CHANNEL0_RATE: u8 = 0x34;
@inline const PIT_CLOCK_HZ: u32 = 1193182;
/** Timer interrupts a second. */
@inline export const PIT_HZ: u32 = 100;
@inline const PIT_DIVISOR: u32 = (PIT_CLOCK_HZ + PIT_HZ / 2) / PIT_HZ;
/** The timer's line on the master PIC. */
@inline export const IRQ_TIMER: u32 = 0;

let ticks: u32 = 0;

/** Programs channel 0 for PIT_HZ interrupts a second (the caller installs pitTick first). */
export function pitStart(): void {
  outb(PIT_COMMAND, PIT_CHANNEL0_RATE);
  outb(PIT_CHANNEL0, <u8>(PIT_DIVISOR & 0xFF));
  outb(PIT_CHANNEL0, <u8>(PIT_DIVISOR >> 8));
}

/** IRQ 0. */
export function pitTick(irq: u32): void {
  ticks++;
}

/** Timer interrupts since pitStart (wraps after 497 days at 100 Hz). */
export function pitTicks(): u32 { return ticks; }
