// kernel/monitor/line.ts: reading one command line, with echo, backspace
// and a history.
//
// Bytes come from the input queue (drivers/input.ts), fed by COM1 and the
// keyboard alike; each accepted byte is echoed through the console, so the
// line shows on the serial terminal and the VGA screen. The editor knows
//
//   printable ASCII   appended (up to LINE_MAX bytes; a longer line is refused)
//   CR or LF          ends the line (an LF right after a CR is skipped)
//   DEL or BS         erases the last byte ("BS space BS" on the screen)
//   ESC [ A / ESC [ B recalls the previous / next line of the history
//
// Everything lives in static buffers: reading a line never allocates.

import { cli, sti, stiHlt } from "../arch/x86/cpu";
import { print, printBytes, printChar, printDec, println } from "../core/console";
import { INPUT_INTERRUPT, inputReady, inputTake } from "../drivers/input";
import { serialReceiveResume } from "../drivers/serial";

/** The longest line the editor keeps. */
@inline export const LINE_MAX: i32 = 512;
@inline const HISTORY_LINES: i32 = 16;

@inline const CHAR_BS: u8 = 0x08;
@inline const CHAR_LF: u8 = 0x0A;
@inline const CHAR_CR: u8 = 0x0D;
@inline const CHAR_ESC: u8 = 0x1B;
@inline const CHAR_SPACE: u8 = 0x20;
@inline const CHAR_TILDE: u8 = 0x7E;
@inline const CHAR_DEL: u8 = 0x7F;
@inline const CHAR_BRACKET: u8 = 0x5B;
@inline const CHAR_UP: u8 = 0x41;      // ESC [ A
@inline const CHAR_DOWN: u8 = 0x42;    // ESC [ B

const line = memory.data(LINE_MAX);
let length: i32 = 0;

// The history: HISTORY_LINES slots of LINE_MAX bytes, used as a ring; slot
// (newest - k) mod HISTORY_LINES holds the k-th most recent line.
const historyText = memory.data(HISTORY_LINES * LINE_MAX);
const historyLength = memory.data(HISTORY_LINES * 4);
let historyCount: i32 = 0;   // lines stored, at most HISTORY_LINES
let historyNewest: i32 = -1; // slot of the most recent line
let browsing: i32 = 0;       // 0: editing a new line; k: showing the k-th most recent

// Escape sequence state: 0 none, 1 after ESC, 2 after ESC [.
let escape: i32 = 0;
let lastWasCr = false;
let overflowed = false;      // printable bytes came past LINE_MAX

/** The bytes of the line lineRead returned. */
export function lineText(): usize { return line; }

/** Waits for a whole line, echoing it; returns its length (the text is at lineText()). */
export function lineRead(): i32 {
  length = 0;
  overflowed = false;
  browsing = 0;
  escape = 0;
  while (true) {
    const c = nextByte();
    if (c == CHAR_LF && lastWasCr) {
      lastWasCr = false;
      continue;
    }
    lastWasCr = c == CHAR_CR;
    if (c == INPUT_INTERRUPT) {
      // Ctrl-C: the line is dropped, and the prompt comes back.
      println("^C");
      return 0;
    }
    if (c == CHAR_CR || c == CHAR_LF) {
      printChar(CHAR_LF);
      if (overflowed) {
        // Cut short, the line would run as another command than the one typed.
        print("monitor: line longer than ");
        printDec(<u32>LINE_MAX);
        println(" bytes; not run");
        return 0;
      }
      historyAdd();
      return length;
    }
    edit(c);
  }
}

function edit(c: u8): void {
  if (escape == 1) {
    escape = c == CHAR_BRACKET ? 2 : 0;
  } else if (escape == 2) {
    escape = 0;
    if (c == CHAR_UP && browsing < historyCount) show(browsing + 1);
    else if (c == CHAR_DOWN && browsing > 0) show(browsing - 1);
  } else if (c == CHAR_ESC) {
    escape = 1;
  } else if (c == CHAR_DEL || c == CHAR_BS) {
    if (length > 0) erase();
  } else if (c >= CHAR_SPACE && c <= CHAR_TILDE) {
    if (length == LINE_MAX) {
      overflowed = true;
      return;
    }
    store<u8>(line + <usize>length, c);
    length++;
    printChar(c);
  }
}

// The next input byte; sleeps (STI; HLT) until an IRQ brings one.
function nextByte(): u8 {
  while (true) {
    cli();
    if (inputReady()) {
      sti();
      const c = inputTake();
      serialReceiveResume();
      return c;
    }
    stiHlt();
  }
}

function erase(): void {
  length--;
  printChar(CHAR_BS);
  printChar(CHAR_SPACE);
  printChar(CHAR_BS);
}

// Replaces the line being edited by the k-th most recent one (k = 0: empty).
function show(k: i32): void {
  while (length > 0) erase();
  browsing = k;
  if (k == 0) return;
  const slot = slotOf(k);
  length = load<i32>(historyLength + <usize>(slot * 4));
  memory.copy(line, historyText + <usize>(slot * LINE_MAX), <usize>length);
  printBytes(line, length);
}

function slotOf(k: i32): i32 {
  return (historyNewest - (k - 1) + HISTORY_LINES) % HISTORY_LINES;
}

// Keeps a non-empty line that differs from the most recent one.
function historyAdd(): void {
  if (length == 0) return;
  if (historyCount > 0 && sameAsNewest()) return;
  historyNewest = (historyNewest + 1) % HISTORY_LINES;
  if (historyCount < HISTORY_LINES) historyCount++;
  memory.copy(historyText + <usize>(historyNewest * LINE_MAX), line, <usize>length);
  store<i32>(historyLength + <usize>(historyNewest * 4), length);
}

function sameAsNewest(): bool {
  if (load<i32>(historyLength + <usize>(historyNewest * 4)) != length) return false;
  const text = historyText + <usize>(historyNewest * LINE_MAX);
  for (let i = 0; i < length; i++) {
    if (load<u8>(text + <usize>i) != load<u8>(line + <usize>i)) return false;
  }
  return true;
}
