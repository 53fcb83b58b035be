// kernel/ktest/console.ts: `test=console`, the console and formatting helpers
// on the real (emulated) hardware: VGA memory, the UART's registers, and the
// command line the boot loader really passed.

import { check, checkEqual, checkText, suite, suiteBootInfo, suiteFromMonitor } from "./harness";
import { fmtDec, fmtDec64, fmtHex, fmtPadRight, fmtSize } from "../lib/fmt";
import { cmdlineFind, cmdlineValue, cstringLength } from "../lib/cmdline";
import { vgaCell, vgaColumn, vgaInit, vgaPutChar, vgaRow, VGA_ROWS, VGA_LIGHT_GREY_ON_BLACK } from "../drivers/vga";
import { serialLineControl } from "../drivers/serial";

const buf = memory.data(64);

function consoleSuite(): void {
  const info = suiteBootInfo();
  formatting();
  vga();
  check("serial line is 8N1 with the divisor latch closed", serialLineControl() == 0x03, "LCR is not 0x03");
  const line = <usize>info.cmdline;
  const length = cstringLength(line);
  // The words that started this suite: test=console, or the monitor's test command.
  if (suiteFromMonitor()) check("the command line from the boot loader says monitor (the suite was started there)", cmdlineFind(line, length, "monitor") >= 0);
  else {
    const value = cmdlineValue(line, length, "test");
    check("the command line from the boot loader says test=console", value != null && value == "console");
  }
}

function formatting(): void {
  checkText("fmtHex writes eight lowercase digits", buf, fmtHex(buf, 0xDEADBEEF, 8), "deadbeef");
  checkText("fmtHex keeps leading zeros", buf, fmtHex(buf, 0x1F, 4), "001f");
  checkText("fmtHex writes 64-bit values", buf, fmtHex(buf, 0x123456789ABCDEF0, 16), "123456789abcdef0");
  checkText("fmtDec of zero", buf, fmtDec(buf, 0), "0");
  checkText("fmtDec of the largest u32", buf, fmtDec(buf, u32.MAX_VALUE), "4294967295");
  checkText("fmtDec64 of the largest u64", buf, fmtDec64(buf, u64.MAX_VALUE), "18446744073709551615");
  checkText("fmtDec64 keeps inner zeros", buf, fmtDec64(buf, 10_000_000_000), "10000000000");
  checkText("fmtSize in bytes", buf, fmtSize(buf, 512), "512 B");
  checkText("fmtSize of conventional memory", buf, fmtSize(buf, 0x9FC00), "639 KiB");
  checkText("fmtSize with a tenth", buf, fmtSize(buf, 3584 << 20), "3.5 GiB");
  checkText("fmtPadRight pads to the width", buf, fmtPadRight(buf, fmtDec(buf, 42), 5), "42   ");
}

// The harness prints every result to VGA too, so each check reads the screen
// state it needs before any result is printed.
function vga(): void {
  vgaInit();
  vgaPutChar(0x41);
  vgaPutChar(0x42);
  const firstCell = load<u16>(vgaCell(0, 0));
  const columnAfterTwo = vgaColumn();
  vgaPutChar(0x0A);
  const positionAfterNewline = vgaRow() * 100 + vgaColumn();

  // Print every row's number's last digit, one more line than fits.
  vgaInit();
  for (let r = 0; r <= VGA_ROWS; r++) {
    vgaPutChar(<u8>(0x30 + r % 10));
    vgaPutChar(0x0A);
  }
  const topAfterScroll = load<u8>(vgaCell(0, 0));
  const lastPrinted = load<u8>(vgaCell(VGA_ROWS - 2, 0));
  vgaInit();

  checkEqual("VGA cell (0,0) holds 'A' in light grey", firstCell, (<u16>VGA_LIGHT_GREY_ON_BLACK << 8) | 0x41);
  checkEqual("VGA cursor advances one column a character", columnAfterTwo, 2);
  checkEqual("VGA newline moves to the next row (row*100+column)", positionAfterNewline, 100);
  checkEqual("VGA scrolls: the top row now holds the second line", topAfterScroll, 0x32);
  checkEqual("VGA scrolls: the last line printed is on the row above the cursor", lastPrinted, 0x30 + VGA_ROWS % 10);
}

// The suites of this file (kernel/ktest/harness.ts), registered last: a
// registration runs at start-up, after everything above is initialised.
suite("console", "formatting, VGA memory, the UART and the command line, on the machine", consoleSuite);
