// kernel/drivers/pic.ts: the two 8259A interrupt controllers.
//
// At power-on they deliver IRQ 0-7 on vectors 8-15, on top of the CPU's
// exceptions. picInit moves IRQ 0-15 to vectors 32-47 (PIC_VECTOR_BASE) and
// masks every line; a driver's line is unmasked (picUnmask) once its handler
// is installed (core/irq.ts irqInstall). A masked PIC can
// still raise a spurious IRQ 7 or 15 (8259A datasheet, "spurious interrupt"):
// the in-service register then has no bit set for it, and it must not be
// acknowledged (for IRQ 15 the master, which saw a real cascade, still is).

import { inb, outb } from "../arch/x86/cpu";

@inline const PIC1_COMMAND: u16 = 0x20;
@inline const PIC1_DATA: u16 = 0x21;
@inline const PIC2_COMMAND: u16 = 0xA0;
@inline const PIC2_DATA: u16 = 0xA1;

@inline const ICW1_INIT_WITH_ICW4: u8 = 0x11;   // edge triggered, cascade, ICW4 follows
@inline const ICW3_SLAVE_ON_IRQ2: u8 = 1 << 2;  // master: a slave sits on line 2
@inline const ICW3_SLAVE_ID: u8 = 2;            // slave: its cascade identity
@inline const ICW4_8086: u8 = 0x01;
@inline const OCW3_READ_ISR: u8 = 0x0B;
@inline const PIC_EOI: u8 = 0x20;
@inline const MASK_ALL: u8 = 0xFF;

/** IRQ n arrives on vector PIC_VECTOR_BASE + n. */
@inline export const PIC_VECTOR_BASE: u32 = 32;
@inline export const PIC_IRQ_COUNT: u32 = 16;
@inline const IRQ_SPURIOUS_MASTER: u32 = 7;
@inline const IRQ_SPURIOUS_SLAVE: u32 = 15;

/** Remaps both PICs to vectors 32-47 and masks every IRQ line. */
export function picInit(): void {
  outb(PIC1_COMMAND, ICW1_INIT_WITH_ICW4);
  outb(PIC2_COMMAND, ICW1_INIT_WITH_ICW4);
  outb(PIC1_DATA, <u8>PIC_VECTOR_BASE);
  outb(PIC2_DATA, <u8>(PIC_VECTOR_BASE + 8));
  outb(PIC1_DATA, ICW3_SLAVE_ON_IRQ2);
  outb(PIC2_DATA, ICW3_SLAVE_ID);
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
  outb(PIC1_DATA, MASK_ALL);
  outb(PIC2_DATA, MASK_ALL);
}

@inline const IRQ_CASCADE: u32 = 2;

/** Lets IRQ `irq` through (and the cascade line, for the slave's lines 8-15). */
export function picUnmask(irq: u32): void {
  if (irq >= 8) {
    outb(PIC2_DATA, inb(PIC2_DATA) & ~(<u8>1 << <u8>(irq - 8)));
    irq = IRQ_CASCADE;
  }
  outb(PIC1_DATA, inb(PIC1_DATA) & ~(<u8>1 << <u8>irq));
}

/** Masks every line again, as picInit left them. */
export function picMaskAll(): void {
  outb(PIC1_DATA, MASK_ALL);
  outb(PIC2_DATA, MASK_ALL);
}

/** The interrupt mask of both PICs: bit n masks IRQ n. */
export function picMask(): u16 {
  return (<u16>inb(PIC2_DATA) << 8) | inb(PIC1_DATA);
}

/** Both in-service registers: bit n is set while IRQ n is being served. */
export function picInService(): u16 {
  outb(PIC1_COMMAND, OCW3_READ_ISR);
  outb(PIC2_COMMAND, OCW3_READ_ISR);
  return (<u16>inb(PIC2_COMMAND) << 8) | inb(PIC1_COMMAND);
}

/**
 * Whether IRQ `irq` is spurious: IRQ 7 or 15 with its in-service bit clear.
 * For a spurious IRQ 15 the master is acknowledged here, as it must be.
 */
export function picIsSpurious(irq: u32): bool {
  if (irq != IRQ_SPURIOUS_MASTER && irq != IRQ_SPURIOUS_SLAVE) return false;
  if ((picInService() & (1 << <u16>irq)) != 0) return false;
  if (irq == IRQ_SPURIOUS_SLAVE) outb(PIC1_COMMAND, PIC_EOI);
  return true;
}

/** Acknowledges IRQ `irq`: the slave too when it came through the cascade. */
export function picEndOfInterrupt(irq: u32): void {
  if (irq >= 8) outb(PIC2_COMMAND, PIC_EOI);
  outb(PIC1_COMMAND, PIC_EOI);
}
