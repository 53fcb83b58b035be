// tests/qemu/report.js: reading a kernel stop report out of the serial log.
//
//   *** KERNEL FAULT: page fault (#PF, vector 0xe)
//       address:     0xdead0000 (cr2)
//       error code:  0x00000002: not present, write, supervisor
//       eip:         0x00101234 in kernel/debug/inject.ts faultWrite+0x12
//       eax=... ebx=... ecx=... edx=...
//       esi=... edi=... ebp=... esp=...
//       eflags=... cr0=... cr3=... cr4=...
//   backtrace:
//       0x00101234  kernel/debug/inject.ts faultWrite+0x12
//   *** kernel stopped

/** { kind, title, lines, fields, registers, backtrace: [{ address, name }] }, or null. */
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
    const frame = /^    0x([0-9a-f]{8})  (.*?)(?:\+0x[0-9a-f]+)?$/.exec(line);
    if (inBacktrace && frame) {
      backtrace.push({ address: parseInt(frame[1], 16), name: frame[2] });
      continue;
    }
    const field = /^    ([a-z ]+?): +(.*)$/.exec(line);
    if (field) fields[field[1]] = field[2];
    for (const [, name, value] of line.matchAll(/\b([a-z0-9]+)=0x([0-9a-f]{8})/g)) registers[name] = parseInt(value, 16);
  }
  return { kind, title, lines, fields, registers, backtrace };
}

/** The function names of a backtrace, in order. */
export function backtraceNames(report) {
  return report.backtrace.map((f) => f.name);
}
