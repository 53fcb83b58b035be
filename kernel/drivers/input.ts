// kernel/drivers/input.ts: the console's input queue, bytes in arrival order.
//
// Two producers, both IRQ handlers: COM1 (drivers/serial.ts) and the PS/2
// keyboard (drivers/keyboard.ts, which turns keys into the bytes a terminal
// sends: CR, DEL, ESC [ A for up). Interrupt gates keep IF clear, so the
// producers never run at once. One consumer, the monitor, outside interrupt
// context. The producer writes the byte, then moves `tail`; the consumer
// reads, then moves `head`: each index has one writer, so no lock is needed.
//
//   INPUT_BYTES slots; head == tail: empty; tail + 1 == head: full
//   +-----------------------------------------+
//   | ... | head: next to read | ... | tail: next to write | ... |
//   +-----------------------------------------+

@inline const INPUT_BYTES: u32 = 256;      // a power of two: indices wrap by mask
@inline const INPUT_MASK: u32 = INPUT_BYTES - 1;
const ring = memory.data(<i32>INPUT_BYTES);
let head: u32 = 0;
let tail: u32 = 0;
let dropped: u32 = 0;

/** Free slots (interrupt context or not). */
export function inputRoom(): u32 {
  return (head - tail - 1) & INPUT_MASK;
}

/** Queues `byte` (IRQ handlers only); when full it is dropped and counted. */
export function inputPut(byte: u8): void {
  if (inputRoom() == 0) {
    dropped++;
    return;
  }
  store<u8>(ring + <usize>tail, byte);
  tail = (tail + 1) & INPUT_MASK;
}

/** True when a byte is waiting. */
export function inputReady(): bool {
  return head != tail;
}

/** The next byte (the consumer only; call inputReady first). */
export function inputTake(): u8 {
  const byte = load<u8>(ring + <usize>head);
  head = (head + 1) & INPUT_MASK;
  return byte;
}

/** Ctrl-C, as a terminal sends it. */
@inline export const INPUT_INTERRUPT: u8 = 0x03;

/**
 * True when a Ctrl-C is waiting (the consumer only): the bytes up to and
 * including it are taken, so what was typed before it is dropped with it.
 */
export function inputTakeInterrupt(): bool {
  const end = tail;
  for (let at = head; at != end; at = (at + 1) & INPUT_MASK) {
    if (load<u8>(ring + <usize>at) == INPUT_INTERRUPT) {
      head = (at + 1) & INPUT_MASK;
      return true;
    }
  }
  return false;
}

/** Bytes dropped because the queue was full. */
export function inputDropped(): u32 { return dropped; }
