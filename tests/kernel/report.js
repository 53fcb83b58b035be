// tests/kernel/report.js: reading a kernel stop report out of the serial log.
//
//   *** KERNEL FAULT: page fault (#PF, vector 0xe)
//       address:     0xdead0000 (cr2)
//       error code:  0x00000002: not present, write, supervisor
//       eip:         0x00101234 in kernel/debug/inject.ts:55 faultWrite+0x12
//       eax=... ebx=... ecx=... edx=...
//       esi=... edi=... ebp=... esp=...
//       eflags=... cr0=... cr3=... cr4=...
//   backtrace:
//       0x00101234  kernel/debug/inject.ts:55 faultWrite+0x12
//       0x00101000  kernel/main.ts kmain+0x9dc5, at kernel/ktest/suites.ts:17
//       0x00100858  export kmain+0x8
//   *** kernel stopped
//
// A location is "file:line name+0xoff" when the line is in the function's
// own file, "file name+0xoff, at other-file:line" when it is not (code
// inlined from another file), "name+0xoff" when the address has no line.

import { readFileSync } from "node:fs";

/**
 * { name, offset, file, line } of a location as the kernel prints it; `name`
 * is the symbol as the symbol table spells it ("kernel/debug/inject.ts
 * faultWrite", "_start"), file and line are null when no line is known.
 */
export function parseLocation(text) {
  const m = /^(?:(\S+):(\d+) )?(.*?)(?:\+0x([0-9a-f]+))?(?:, at (\S+):(\d+))?$/.exec(text);
  const [, ownFile, ownLine, rest, offset, otherFile, otherLine] = m;
  return {
    name: ownFile ? `${ownFile} ${rest}` : rest,
    offset: offset === undefined ? null : parseInt(offset, 16),
    file: ownFile ?? otherFile ?? null,
    line: ownLine ?? otherLine ? Number(ownLine ?? otherLine) : null,
  };
}

/**
 * { kind, title, lines, fields, registers, eip, backtrace: [{ address, name, offset, file, line }] },
 * or null; eip is the parsed "eip:" field, when there is one.
 */
export function parseReport(serial) {
  const start = serial.search(/^\*\*\* KERNEL [A-Z]+: /m);
  if (start < 0) return null;
  const end = serial.indexOf("*** kernel stopped", start);
  const lines = serial.slice(start, end < 0 ? undefined : end).split("\n");
  const [, kind, title] = /^\*\*\* KERNEL ([A-Z]+): (.*)$/.exec(lines[0]);
  const fields = {};
  const registers = {};
  const backtrace = [];
  let inBacktrace = false;
  for (const line of lines.slice(1)) {
    if (line === "backtrace:") {
      inBacktrace = true;
      continue;
    }
    const frame = /^    0x([0-9a-f]{8})  (.*)$/.exec(line);
    if (inBacktrace && frame) {
      backtrace.push({ address: parseInt(frame[1], 16), ...parseLocation(frame[2]) });
      continue;
    }
    const field = /^    ([a-z ]+?): +(.*)$/.exec(line);
    if (field) fields[field[1]] = field[2];
    for (const [, name, value] of line.matchAll(/\b([a-z0-9]+)=0x([0-9a-f]{8})/g)) registers[name] = parseInt(value, 16);
  }
  const eip = /^(0x[0-9a-f]{8}) in (.*)$/.exec(fields.eip ?? "");
  return { kind, title, lines, fields, registers, backtrace, eip: eip && { address: parseInt(eip[1], 16), ...parseLocation(eip[2]) } };
}

/** The 1-based number of the first line of the source `file` (from the repository root) that contains `text`. */
export function sourceLine(file, text) {
  const index = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${file} has no line with ${JSON.stringify(text)}`);
  return index + 1;
}

/** The function names of a backtrace, in order. */
export function backtraceNames(report) {
  return report.backtrace.map((f) => f.name);
}
