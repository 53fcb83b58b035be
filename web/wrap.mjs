// web/wrap.mjs: word wrapping for the serial console. A terminal wraps a line
// longer than its width at the last column, in the middle of a word
// ("larger requests are area" / "s"); this filter sits between the kernel's
// serial output and the terminal and breaks such a line at its last space
// instead, as a reader expects. The kernel's bytes are unchanged (#serial
// keeps them as they came); only what the terminal shows is wrapped.
//
// The filter follows the cursor column the way the terminal (a VT100 as
// xterm.js models it) moves it: printable characters advance it, CR and LF
// return it to column 0, BS moves it back one (the monitor's line editor
// erases with "BS space BS"), escape sequences (ESC [ ... final byte) do not
// move it. When a printable character comes with the line full, the word
// already on the line is taken back (CR, cursor forward to the word's
// start, erase to the end of the line: CSI C and CSI K) and written again
// on the next line. A word as long as the whole line cannot be broken at a
// space and wraps where the terminal wraps it.

const ESC = "\x1b";

export class WordWrap {
  /** `columns`: the terminal's width. */
  constructor(columns) {
    this.columns = columns;
    this.reset();
  }

  /** Back to column 0 with no word (the terminal was reset). */
  reset() {
    this.column = 0;
    this.word = "";      // the characters of the word being written, on this line
    this.escape = 0;     // 0: none; 1: after ESC; 2: inside ESC [ ...
  }

  /** The text to write to the terminal for `text` from the kernel. */
  write(text) {
    let out = "";
    for (const ch of text) out += this.char(ch);
    return out;
  }

  char(ch) {
    if (this.escape === 1) {
      this.escape = ch === "[" ? 2 : 0;
      return ch;
    }
    if (this.escape === 2) {
      if (ch >= "@" && ch <= "~") this.escape = 0;   // the final byte of a control sequence (ECMA-48 5.4)
      return ch;
    }
    if (ch === ESC) {
      this.escape = 1;
      return ch;
    }
    if (ch === "\r" || ch === "\n") {
      this.column = 0;
      this.word = "";
      return ch;
    }
    if (ch === "\b") {
      if (this.column > 0) this.column--;
      this.word = this.word.slice(0, -1);
      return ch;
    }
    if (ch < " " || ch === "\x7f") return ch;       // other control characters do not move the cursor
    if (ch === " ") return this.space();
    return this.printable(ch);
  }

  space() {
    this.word = "";
    if (this.column < this.columns) {
      this.column++;
      return " ";
    }
    // The line is full: the break goes here, and the space with it.
    this.column = 0;
    return "\r\n";
  }

  printable(ch) {
    if (this.column < this.columns) {
      this.column++;
      this.word += ch;
      return ch;
    }
    const start = this.columns - this.word.length;
    if (this.word.length === 0 || start === 0) {
      // No space on this line to break at: the terminal wraps here.
      this.column = 1;
      this.word = ch;
      return ch;
    }
    // Take the word back from the end of this line and start the next with it.
    const out = `\r${ESC}[${start}C${ESC}[K\r\n${this.word}${ch}`;
    this.word += ch;
    this.column = this.word.length;
    return out;
  }
}
