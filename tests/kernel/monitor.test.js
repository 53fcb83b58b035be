// The monitor (command line `monitor`): every command fed on the serial
// port, typed mistakes that the kernel refuses without stopping, the timer,
// the keyboard (QEMU's sendkey through its own monitor socket), a long
// session that leaks nothing, and the rule that IRQ handlers never allocate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot, explain, KERNEL, QEMU_ARGS } from "./kernel.js";
import { backtraceNames, parseReport } from "./report.js";
import { qemuArgs, runQemu, STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

const PROMPT = "tsk> ";
const TIMEOUT_MS = 60_000;

/**
 * Boots with `monitor` and plays `steps`, each line once the prompt before
 * it is out: a string is a line typed on the serial port, a function gives
 * the line from the serial output so far (to use an address the kernel
 * printed); { keys: [...] } types a line on the keyboard instead (QEMU
 * sendkey through a QEMU monitor socket; end it with "ret"); { sleep: ms }
 * waits before the next step. Resolves to the run, with `commands`:
 * [{ line, output }] in prompt order.
 */
async function session(steps, { cmdline = "monitor" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-monitor-"));
  const socket = join(dir, "qemu-monitor.sock");
  const args = qemuArgs({ kernel: KERNEL, cmdline, qemuArgs: `${QEMU_ARGS} -monitor unix:${socket},server,nowait` });
  let prompts = 0;
  let linesSent = 0;
  let next = 0;
  let busy = false;
  const play = async (child, serial) => {
    if (busy) return;
    busy = true;
    while (next < steps.length && prompts > linesSent) {
      const step = steps[next++];
      if (step.sleep) {
        await new Promise((r) => setTimeout(r, step.sleep));
        continue;
      }
      linesSent++;
      if (step.keys) await sendKeys(socket, step.keys);
      else child.stdin.write((typeof step === "function" ? step(serial.replace(/\r\n/g, "\n")) : step) + "\n");
    }
    busy = false;
  };
  try {
    const run = await runQemu(args, {
      timeoutMs: TIMEOUT_MS,
      input: true,
      onSerial(child, serial) {
        prompts = serial.split(PROMPT).length - 1;
        play(child, serial);
      },
    });
    const commands = run.serial.split(PROMPT).slice(1).map((chunk) => {
      const newline = chunk.indexOf("\n");
      return { line: chunk.slice(0, newline), output: chunk.slice(newline + 1) };
    });
    return { ...run, commands };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Presses keys through the QEMU monitor, one sendkey each.
function sendKeys(socket, keys) {
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socket);
    connection.on("error", reject);
    connection.on("connect", async () => {
      for (const key of keys) {
        connection.write(`sendkey ${key}\n`);
        await new Promise((r) => setTimeout(r, 60));
      }
      connection.end();
      resolve();
    });
  });
}

/**
 * Boots with `monitor` and, as prompt n comes out (the first is 1), writes
 * steps[n - 1] on the serial port, or calls it with QEMU's process when it
 * is a function. Unlike session, a step does not wait for the command
 * before it to end: for Ctrl-C typed while one runs. Resolves to the run.
 */
function atPrompts(steps, { qemuArgs: extra = "" } = {}) {
  let taken = 0;
  return runQemu(qemuArgs({ kernel: KERNEL, cmdline: "monitor", qemuArgs: `${QEMU_ARGS}${extra}` }), {
    timeoutMs: TIMEOUT_MS,
    input: true,
    onSerial(child, serial) {
      if (taken === steps.length || serial.split(PROMPT).length - 1 !== taken + 1) return;
      const step = steps[taken++];
      if (typeof step === "function") step(child);
      else child.stdin.write(step);
    },
  });
}

/** Types `line` now, and a Ctrl-C on the serial port half a second later. */
const thenCtrlC = (line) => (child) => {
  child.stdin.write(line);
  setTimeout(() => child.stdin.write("\x03"), 500);
};

/** The output of the command whose echoed line is `line` (the first, or the nth with `nth`). */
function outputOf(run, line, nth = 0) {
  const found = run.commands.filter((c) => c.line === line);
  assert.ok(found.length > nth, `no command "${line}" (${nth}) in the session\n${explain(run)}`);
  return found[nth].output;
}

function hex(match) {
  return parseInt(match, 16);
}

// The last "WORD: 0x........" the kernel printed (alloc: 0x..., area: 0x...).
function lastAddress(serial, word) {
  const all = [...serial.matchAll(new RegExp(`^${word}: (0x[0-9a-f]{8})$`, "gm"))];
  return all.length ? all[all.length - 1][1] : "0xbad";
}

const SLAB_ROW = /^ +(\d+|records) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/gm;
const COMMANDS = ["help", "mem", "alloc", "free", "area", "areafree", "map", "unmap", "pt", "vmmap", "poke!",
  "areas", "slabs", "peek", "poke", "fault", "trap", "test", "ticks", "halt", "repeat", "lazy"];

test("monitor: every command on the serial port; halt gives status 33", async () => {
  const run = await session([
    "help", "help alloc", "mem",
    "alloc 64", "slabs 3", "slabs",
    (s) => `poke ${lastAddress(s, "alloc")} 0x12345678`,
    (s) => `peek ${lastAddress(s, "alloc")} 2`,
    (s) => `free ${lastAddress(s, "alloc")}`,
    "slabs 3",
    "area 2", "areas", (s) => `areafree ${lastAddress(s, "area")}`,
    "map 0xd0000000", "pt 0xd0000000", "vmmap", "poke 0xd0000000 7", "peek 0xd0000000",
    "unmap 0xd0000000", "pt 0xd0000000",
    "peek 0x100000",
    "ticks", { sleep: 300 }, "ticks",
    "trap breakpoint",
    "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(outputOf(run, "halt"), /^kernel halted cleanly$/m);

  const help = outputOf(run, "help");
  for (const name of COMMANDS) assert.match(help, new RegExp(`^  ${name.replace("!", "\\!")}( |$)`, "m"), `help lists ${name}`);
  assert.match(outputOf(run, "help alloc"), /^  alloc SIZE +allocate SIZE bytes \(alloc\); prints the address\n$/);

  const mem = /^mem: frames: (\d+) free, (\d+) reserved, (\d+) in use, (\d+) total$/m.exec(outputOf(run, "mem"));
  assert.ok(mem, explain(run));
  assert.equal(Number(mem[1]) + Number(mem[2]) + Number(mem[3]), Number(mem[4]));
  assert.match(outputOf(run, "mem"), /^mem: AssemblyScript heap: \d+ bytes in live objects, from 0x[0-9a-f]{8}$/m);

  const block = /^alloc: (0x[0-9a-f]{8})$/m.exec(outputOf(run, "alloc 64"))?.[1];
  assert.ok(block && hex(block) % 32 === 0, explain(run));
  const classRow = (output) => [...output.matchAll(SLAB_ROW)].map((r) => r.slice(1, 4).map(Number));
  assert.deepEqual(classRow(outputOf(run, "slabs 3")), [[3, 64, 1]], "slabs 3: one block of 64 bytes in use");
  assert.equal([...outputOf(run, "slabs").matchAll(SLAB_ROW)].length, 11, "slabs: ten classes and the records");
  assert.match(outputOf(run, `poke ${block} 0x12345678`), new RegExp(`^poke: ${block} = 0x12345678$`, "m"));
  assert.match(outputOf(run, `peek ${block} 2`), new RegExp(`^${block}: 0x12345678 0x[0-9a-f]{8}$`, "m"));
  assert.match(outputOf(run, `free ${block}`), new RegExp(`^free: ${block} freed$`, "m"));
  assert.deepEqual(classRow(outputOf(run, "slabs 3", 1)), [[3, 64, 0]], "after free: none in use");

  const area = /^area: (0x[0-9a-f]{5}000)$/m.exec(outputOf(run, "area 2"))?.[1];
  assert.ok(area, explain(run));
  const areaEnd = "0x" + (hex(area) + 0x1fff).toString(16).padStart(8, "0");
  assert.match(outputOf(run, "areas"), new RegExp(`^  used:\\n(    .*\\n)*    ${area}-${areaEnd}  2 pages  \\(plain, 2 backed\\)\\n`, "m"));
  assert.match(outputOf(run, `areafree ${area}`), new RegExp(`^areafree: ${area} freed$`, "m"));

  const page = /^map: 0xd0000000 -> (0x[0-9a-f]{5}000), writable$/m.exec(outputOf(run, "map 0xd0000000"))?.[1];
  assert.ok(page, explain(run));
  const walk = outputOf(run, "pt 0xd0000000");
  assert.match(walk, /^    pde: +0x[0-9a-f]{8} at 0xfffffd00 \(present, writable, user/m);
  assert.match(walk, new RegExp(`^    pte: +${page.slice(0, 7)}003 at 0xfff40000 \\(present, writable, supervisor\\)$`, "m"));
  assert.match(walk, new RegExp(`^    physical: +${page}$`, "m"));
  assert.match(outputOf(run, "vmmap"), new RegExp(`^  0xd0000000-0xd0000fff  ${page}  rws    1$`, "m"));
  assert.match(outputOf(run, "vmmap"), /^  0xfffff000-0xffffffff  0x[0-9a-f]{8}  rws    1  \(mirror: the page directory\)$/m);
  assert.match(outputOf(run, "peek 0xd0000000"), /^0xd0000000: 0x00000007$/m);
  assert.match(outputOf(run, "unmap 0xd0000000"), new RegExp(`^unmap: 0xd0000000 mapped ${page}$`, "m"));
  assert.match(outputOf(run, "pt 0xd0000000", 1), /^    physical: +not mapped$/m);

  assert.match(outputOf(run, "peek 0x100000"), /^0x00100000: 0x1badb002$/m, "the multiboot header's magic");

  const ticks = [0, 1].map((n) => Number(/^ticks: (\d+) \(uptime \d+\.\d\d s at 100 Hz\)$/m.exec(outputOf(run, "ticks", n))?.[1]));
  assert.ok(ticks[1] > ticks[0], `the timer advances across 300 ms: ${ticks}`);
  assert.match(outputOf(run, "trap breakpoint"), /^breakpoint at 0x[0-9a-f]{8} in .*, continuing\ninject: back from the breakpoint$/m);
});

// Each typed mistake: the line, and what the kernel says (the panic's own message where it has one).
const MISTAKES = [
  ["free 0x12345", /^\*\*\* KERNEL PANIC: free: not an allocated block \(never allocated, or already freed\) at 0x00012345$/m],
  ["free 0x00100000", /^\*\*\* KERNEL PANIC: free: not an allocated block \(never allocated, or already freed\) at 0x00100000$/m],
  [(s) => `free ${"0x" + (hex(lastAddress(s, "alloc")) + 8).toString(16).padStart(8, "0")}`, /^\*\*\* KERNEL PANIC: free: pointer inside a block, not at its start at 0x[0-9a-f]{7}8$/m],
  ["unmap 0xc0000000", /^\*\*\* KERNEL PANIC: pageUnmap: address not mapped \(no page table\) at 0xc0000000$/m],
  // The areas' pages are the area allocator's: a mapping by hand there would break its next take or release.
  ["map 0x3ff00000", /^map: 0x3ff00000 belongs to the area allocator \(0x[0-9a-f]{8}-0x3fffffff\); map and unmap pages by hand from 0xc0000000 to 0xff3fffff, or in user space$/m],
  [(s) => `unmap ${"0x" + (hex(lastAddress(s, "alloc")) & ~0xfff).toString(16).padStart(8, "0")}`, /^unmap: 0x[0-9a-f]{5}000 belongs to the area allocator \(0x[0-9a-f]{8}-0x3fffffff\); map and unmap pages by hand from 0xc0000000 to 0xff3fffff, or in user space$/m],
  ["unmap 0x1000", /^\*\*\* KERNEL PANIC: pageUnmap: address in the identity map at 0x00001000$/m],
  ["map 0x1000", /^\*\*\* KERNEL PANIC: pageMap: address in the identity map at 0x00001000$/m],
  ["map 0xd0000001", /^\*\*\* KERNEL PANIC: pageMap: unaligned address at 0xd0000001$/m],
  ["areafree 0x3ff00000", /^\*\*\* KERNEL PANIC: areaFree: no area there \(never allocated, or already freed\) at 0x3ff00000$/m],
  ["areafree 0x40000010", /^\*\*\* KERNEL PANIC: areaFree: unaligned address at 0x40000010$/m],
  ["peek 0", /^peek: not readable \(page fault\) at 0x00000000$/m],
  ["peek 0xdead0000 4", /^peek: not readable \(page fault\) at 0xdead0000$/m],
  ["poke 0 1", /^poke: not writable \(page fault\) at 0x00000000; nothing written$/m],
  ["alloc 12x", /^alloc: not a number \(decimal or 0x hex\): 12x$/m],
  ["area 0x", /^area: not a number \(decimal or 0x hex\): 0x$/m],
  ["alloc 0x100000000", /^alloc: too large \(at most 0xffffffff\): 0x100000000$/m],
  ["alloc", /^usage: alloc SIZE$/m],
  ["poke 0x1000", /^usage: poke ADDR VALUE$/m],
  ["frobnicate 1 2", /^monitor: unknown command: frobnicate \(help lists the commands\)$/m],
  ["slabs 99", /^slabs: no class 99 \(0-10\)$/m],
  ["trap nosuch", /^trap: unknown name nosuch; known: divide .*$/m],
  ["test nosuch", /^test: unknown name nosuch; known: .*\bconsole\b.*$/m],
  ["help nosuch", /^help: no command nosuch$/m],
  ["repeat 2 repeat 2 mem", /^repeat: not inside another repeat$/m],
];

test("monitor: lines piped in before the boot are all read, first byte included", async () => {
  // As `printf 'alloc 64\nslabs 3\nhalt\n' | make run CMDLINE=monitor`: the bytes wait in the
  // UART before the kernel has set it up.
  const run = await runQemu(qemuArgs({ kernel: KERNEL, cmdline: "monitor", qemuArgs: QEMU_ARGS }),
    { timeoutMs: TIMEOUT_MS, input: "alloc 64\nslabs 3\nhalt\n" });
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^tsk> alloc 64\nalloc: 0x[0-9a-f]{8}$/m, explain(run));
  assert.match(run.serial, /^tsk> slabs 3\nslab classes:/m, explain(run));
  assert.doesNotMatch(run.serial, /unknown command/, explain(run));
});

test("monitor: a command that ends the run inside a repeat still says how it ended", async () => {
  const run = await session(["repeat 3 halt"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^kernel halted cleanly$/m, explain(run));
});

test("monitor: Ctrl-C stops a repeat between two runs, and drops a line being typed", async () => {
  const run = await atPrompts([thenCtrlC("repeat 4000000000 mem\n"), "alloc 64\x03", "halt\n"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^repeat: interrupted \(Ctrl-C\) after [1-9]\d* runs, [1-9]\d* commands$/m, explain(run));
  assert.match(run.serial, /^tsk> alloc 64\^C\ntsk> halt$/m, explain(run));
  assert.doesNotMatch(run.serial, /^alloc: 0x/m, explain(run));
});

test("monitor: free 0, a number past 32 bits and a line past 512 bytes are each told as what they are", async () => {
  const long = "alloc 64 " + "x".repeat(600);
  const run = await session(["free 0", "alloc 99999999999", "alloc 0x1ffffffffzz", long, "help map", "halt"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const output = (line) => run.commands.find((c) => c.line === line)?.output ?? assert.fail(`no ${line.slice(0, 20)}\n${explain(run)}`);
  assert.equal(output("free 0"), "free: 0 is the null pointer; free(0) does nothing\n");
  assert.equal(output("alloc 99999999999"), "alloc: too large (at most 0xffffffff): 99999999999\n");
  assert.equal(output("alloc 0x1ffffffffzz"), "alloc: not a number (decimal or 0x hex): 0x1ffffffffzz\n");
  assert.equal(output(long.slice(0, 512)), "monitor: line longer than 512 bytes; not run\n");
  assert.match(output("help map"), /PADDR \(a frame in use/);
});

test("monitor: typed mistakes print the kernel's message and the monitor goes on, nothing changed", async () => {
  const run = await session([
    "alloc 64", "mem", "slabs", "areas",
    ...MISTAKES.map(([line]) => line),
    (s) => `free ${lastAddress(s, "alloc")}`,
    "mem", "slabs", "areas", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const mistakes = run.commands.slice(4, 4 + MISTAKES.length);
  MISTAKES.forEach(([, message], i) => {
    assert.match(mistakes[i].output, message, `after "${mistakes[i].line}"\n${explain(run)}`);
    if (mistakes[i].output.includes("*** KERNEL PANIC")) {
      assert.match(mistakes[i].output, /^\*\*\* refused before anything changed; the kernel goes on$/m);
    }
    assert.doesNotMatch(mistakes[i].output, /kernel stopped/);
  });
  // Before the mistakes (with the block allocated) and after them (block freed: one more free block).
  const after = run.commands.length - 4;
  assert.equal(outputOf(run, "mem", 1), outputOf(run, "mem", 0), "no frame leaked (map 0x1000 gave its frame back)");
  assert.equal(run.commands[after + 2].output, run.commands[3].output, "areas unchanged");
  const rows = (output) => [...output.matchAll(SLAB_ROW)].map((r) => r[0]);
  const before = rows(outputOf(run, "slabs", 0));
  const later = rows(outputOf(run, "slabs", 1));
  assert.deepEqual(later.filter((_, i) => i !== 3), before.filter((_, i) => i !== 3), "other classes unchanged");
  assert.match(before[3], /^ +3 +64 +1 /);
  assert.match(later[3], /^ +3 +64 +0 /);
});

test("monitor: fault and trap stop the kernel with the usual report", async () => {
  for (const [line, title] of [["fault 0xdead0000", /^page fault \(#PF, vector 0xe\)$/], ["trap divide", /^divide error \(#DE, vector 0x0\)$/]]) {
    const run = await session([line]);
    assert.equal(run.status, STATUS_FAILURE, explain(run));
    const report = parseReport(run.serial) ?? assert.fail(explain(run));
    assert.equal(report.kind, "FAULT");
    assert.match(report.title, title);
    assert.ok(backtraceNames(report).includes("kernel/monitor/monitor.ts runCommand"), backtraceNames(report).join(" <- "));
  }
});

test("monitor: test NAME runs a suite as the boot left the machine (interrupts off, lines masked)", async () => {
  const run = await session(["ticks", "test cpu"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^ok   cpu: every PIC line is masked$/m);
  assert.match(run.serial, /^suite cpu: \d+ passed, 0 failed$/m);
});

test("monitor: the keyboard types lines too (backspace, shift, history)", async () => {
  const run = await session([
    { keys: ["t", "i", "c", "k", "s", "x", "backspace", "ret"] },
    { keys: ["up", "ret"] },
    { keys: ["shift-h", "e", "l", "p", "ret"] },
    "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.deepEqual(run.commands.slice(0, 3).map((c) => c.line), ["ticksx\b \b", "ticks", "Help"]);
  assert.match(run.commands[0].output, /^ticks: \d+ /m);
  assert.match(run.commands[1].output, /^ticks: \d+ /m);
  assert.match(run.commands[2].output, /^monitor: unknown command: Help/m);
});

// One of each kind of command that leaves the state as it found it; with `free` of
// the block and area the line allocates (the allocators hand the same ones back).
function mixedLine(block, area) {
  return [
    "mem", "alloc 64", `free ${block}`, "area 2", `areafree ${area}`, "map 0xd0000000", "pt 0xd0000000",
    "unmap 0xd0000000", "slabs 3", "ticks", "peek 0x100000 2", `poke ${block} 1`, "free 0x12345",
    "unmap 0xc0000000", "peek 0", "alloc 1x", "bogus", "help free", "areas", "vmmap",
  ].join("; ");
}

test("monitor: 100,000 commands leave free pages, slabs and the AssemblyScript heap unchanged", async () => {
  const run = await session([
    "alloc 64", (s) => `free ${lastAddress(s, "alloc")}`, "area 2", (s) => `areafree ${lastAddress(s, "area")}`,
    "mem", "slabs", "areas",
    (s) => `repeat 5000 ${mixedLine(lastAddress(s, "alloc"), lastAddress(s, "area"))}`,
    "mem", "slabs", "areas", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const repeat = run.commands.find((c) => c.line.startsWith("repeat 5000"));
  assert.match(repeat.output, /^repeat: 5000 runs, 100000 commands$/m, explain(run));
  assert.match(repeat.output, /^\*\*\* KERNEL PANIC: free: not an allocated block/m, "the last run printed");
  const n = run.commands.length;
  assert.match(outputOf(run, "mem"), /AssemblyScript heap: \d+ bytes/);
  assert.equal(run.commands[n - 4].output, outputOf(run, "mem"), "mem (free pages, heap) unchanged");
  assert.equal(run.commands[n - 3].output, outputOf(run, "slabs"), "slabs unchanged");
  assert.equal(run.commands[n - 2].output, outputOf(run, "areas"), "areas unchanged");
});

test("monitor: 400 lines typed on the serial port leave the heap unchanged", async () => {
  const lines = [];
  for (let i = 0; i < 400; i++) lines.push(["ticks", "slabs 3", "free 0x12345", "frobnicate", "peek 0x100000"][i % 5]);
  const run = await session(["mem", ...lines, "mem", "halt"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.equal(run.commands.length, 403, explain(run));
  assert.equal(outputOf(run, "mem", 1), outputOf(run, "mem", 0));
});

test("misuse=irq-alloc: alloc called from an IRQ handler stops the kernel naming alloc", async () => {
  const run = await boot("misuse=irq-alloc");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  const report = parseReport(run.serial) ?? assert.fail(explain(run));
  assert.equal(report.kind, "PANIC");
  assert.match(report.title, /^alloc: called in interrupt context at 0x00000010$/);
  const names = backtraceNames(report);
  assert.ok(names.includes("kernel/debug/inject.ts irqAllocMisuse"), names.join(" <- "));
  assert.ok(names.includes("kernel/trap/dispatch.ts interruptDispatch"), names.join(" <- "));
});

test("monitor: lazy makes a lazy area; peek and poke back its pages on first touch", async () => {
  const at = (s, pages) => "0x" + (hex(lastAddress(s, "lazy")) + pages * 4096).toString(16).padStart(8, "0");
  const run = await session([
    "lazy 4", "areas",
    (s) => `pt ${at(s, 0)}`,
    (s) => `peek ${at(s, 0)}`,
    (s) => `poke ${at(s, 2)} 0x5a`,
    (s) => `peek ${at(s, 2)}`,
    "areas",
    (s) => `areafree ${at(s, 0)}`,
    "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const start = lastAddress(run.serial, "lazy");
  const end = "0x" + (hex(start) + 4 * 4096 - 1).toString(16).padStart(8, "0");
  const row = (backed) => new RegExp(`^    ${start}-${end}  4 pages  \\(lazy, ${backed} backed\\)$`, "m");
  assert.match(outputOf(run, "areas", 0), row(0), explain(run));
  assert.match(outputOf(run, `pt ${start}`), /not present, parked: word 0x[0-9a-f]{8}/, explain(run));
  assert.match(outputOf(run, `peek ${start}`), /0x00000000/, "a fresh page reads zero");
  assert.match(outputOf(run, "areas", 1), row(2), "peek and poke each backed one page");
  assert.match(outputOf(run, `areafree ${start}`), new RegExp(`^areafree: ${start} freed$`, "m"));
});

// --- writes by hand: the rule of kernel/debug/guard.ts ------------------------

// An address the boot report prints: "cpu: flat GDT at 0x...", "IDT at 0x...".
function bootAddress(serial, pattern) {
  const found = pattern.exec(serial);
  assert.ok(found, `no ${pattern} in the boot report\n${serial}`);
  return found[1];
}
const GDT_AT = /^cpu: flat GDT at (0x[0-9a-f]{8})/m;
const IDT_AT = /^cpu: IDT at (0x[0-9a-f]{8})/m;
const TSS_AT = /double-fault TSS at (0x[0-9a-f]{8})$/m;
const DESCRIPTORS_AT = /^mem: frame descriptors at (0x[0-9a-f]{8})-/m;
const plus = (address, n) => "0x" + (hex(address) + n).toString(16).padStart(8, "0");

test("monitor: poke and fault refuse writes into the kernel itself, saying what they would overwrite; nothing changes", async () => {
  const run = await session([
    "peek 0xfffff000 4", "alloc 64", "mem",
    "poke 0xfffff000 0", "fault 0xfffff000", "poke 0xffc00000 0",
    (s) => `poke ${bootAddress(s, GDT_AT)} 0`,
    (s) => `fault ${plus(bootAddress(s, GDT_AT), 8)}`,
    (s) => `poke ${bootAddress(s, IDT_AT)} 0`,
    (s) => `poke ${bootAddress(s, TSS_AT)} 0`,
    (s) => `poke ${bootAddress(s, DESCRIPTORS_AT)} 0`,
    (s) => `poke ${plus(lastAddress(s, "alloc"), 64)} 1`,
    (s) => `poke ${plus(lastAddress(s, "alloc"), 62)} 1`,
    (s) => `poke ${lastAddress(s, "alloc")} 0x600d`,
    (s) => `peek ${lastAddress(s, "alloc")}`,
    (s) => `free ${lastAddress(s, "alloc")}`,
    "poke 0xb8000 0x0f41",
    "peek 0xfffff000 4", "mem", "ticks", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const refusal = (line, what) => {
    const output = outputOf(run, line);
    assert.match(output, new RegExp(`^poke: refused: the word at 0x[0-9a-f]{8} would overwrite ${what}; nothing written$`, "m"), `${line}\n${explain(run)}`);
    assert.match(output, /^poke: a write there breaks the kernel, often with no report; poke! writes anyway \(it may stop the kernel\)$/m);
  };
  const s = run.serial;
  refusal("poke 0xfffff000 0", "the page directory \\(through the mirror\\)");
  refusal("poke 0xffc00000 0", "a page table \\(through the mirror\\)");
  refusal(`poke ${bootAddress(s, GDT_AT)} 0`, "the GDT");
  refusal(`poke ${bootAddress(s, IDT_AT)} 0`, "the IDT");
  refusal(`poke ${bootAddress(s, TSS_AT)} 0`, "the double-fault task's TSS");
  refusal(`poke ${bootAddress(s, DESCRIPTORS_AT)} 0`, "the frame descriptors");
  const block = lastAddress(s, "alloc");
  refusal(`poke ${plus(block, 64)} 1`, "a free block \\(its first word links the slab's free list\\)");
  refusal(`poke ${plus(block, 62)} 1`, "the block after this one");
  for (const line of ["fault 0xfffff000", `fault ${plus(bootAddress(s, GDT_AT), 8)}`]) {
    assert.match(outputOf(run, line), /^fault: a write to 0x[0-9a-f]{8} is refused: it would overwrite (the page directory \(through the mirror\)|the GDT), and what follows could not be reported\nfault: nothing was written/m, explain(run));
  }
  // What the refused commands aimed at is as it was, and the kernel goes on.
  assert.equal(outputOf(run, "peek 0xfffff000 4", 1), outputOf(run, "peek 0xfffff000 4", 0));
  assert.match(outputOf(run, `poke ${block} 0x600d`), new RegExp(`^poke: ${block} = 0x0000600d$`, "m"));
  assert.match(outputOf(run, `peek ${block}`), /0x0000600d/);
  assert.match(outputOf(run, "poke 0xb8000 0x0f41"), /^poke: 0x000b8000 = 0x00000f41$/m, "the screen is anyone's");
  assert.equal(outputOf(run, "mem", 1), outputOf(run, "mem", 0), "frames as they were");
  assert.match(outputOf(run, "ticks"), /^ticks: \d+/m);
});

test("monitor: poke! of a page-table entry through the mirror takes effect at once (INVLPG), and pt agrees", async () => {
  const pte = (s, n) => /^0xfff00000: (0x[0-9a-f]{8}) (0x[0-9a-f]{8})$/m.exec(s)?.[n] ?? "0xbad";
  const run = await session([
    "mem", "map 0xc0000000", "map 0xc0001000", "poke 0xc0000000 0x11111111", "poke 0xc0001000 0x22222222",
    "peek 0xfff00000 2", "peek 0xc0000000",
    (s) => `poke! 0xfff00000 ${pte(s, 2)}`,
    "peek 0xc0000000", "pt 0xc0000000",
    (s) => `poke! 0xfff00000 ${pte(s, 1)}`,
    "peek 0xc0000000",
    "unmap 0xc0000000", "unmap 0xc0001000", "mem", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const [first, second] = [pte(run.serial, 1), pte(run.serial, 2)];
  assert.match(outputOf(run, `poke! 0xfff00000 ${second}`), new RegExp(`^poke!: 0xfff00000 = ${second}$`, "m"), explain(run));
  assert.match(outputOf(run, "peek 0xc0000000", 1), /^0xc0000000: 0x22222222$/m, "the new entry is used at once, not a stale TLB entry");
  const frame = (entry) => "0x" + (hex(entry) & ~0xfff >>> 0).toString(16).padStart(8, "0");
  assert.match(outputOf(run, "pt 0xc0000000"), new RegExp(`^    physical: +${frame(second)}$`, "m"), explain(run));
  assert.match(outputOf(run, "peek 0xc0000000", 2), /^0xc0000000: 0x11111111$/m, "and again after the entry is put back");
  assert.equal(outputOf(run, "mem", 1), outputOf(run, "mem", 0), "put back, nothing is lost");
  assert.notEqual(frame(first), frame(second));
});

test("monitor: a poke that straddles the end of a lazy area is refused before it backs the first page", async () => {
  const run = await session([
    "lazy 2", (s) => `poke ${plus(lastAddress(s, "lazy"), 0x1ffe)} 1`, "areas",
    (s) => `poke! ${plus(lastAddress(s, "lazy"), 0x1ffe)} 1`, "areas", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const start = lastAddress(run.serial, "lazy");
  for (const name of ["poke", "poke!"]) {
    assert.match(outputOf(run, `${name} ${plus(start, 0x1ffe)} 1`), new RegExp(`^${name}: ${plus(start, 0x1ffe)} straddles two pages and the second would fault: the first could change first \\(a lazy page backed\\); nothing written$`, "m"), explain(run));
  }
  for (const n of [0, 1]) assert.match(outputOf(run, "areas", n), new RegExp(`^    ${start}-0x[0-9a-f]{8}  2 pages  \\(lazy, 0 backed\\)$`, "m"), explain(run));
});

test("monitor: fault into a lazy area says the fault was handled and where; fault read: reads", async () => {
  const run = await session([
    "lazy 2", (s) => `fault ${lastAddress(s, "lazy")}`, (s) => `fault read:${plus(lastAddress(s, "lazy"), 0x1000)}`,
    "areas", "fault 0xb8000", "fault read:0x100000", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const start = lastAddress(run.serial, "lazy");
  assert.match(outputOf(run, `fault ${start}`), new RegExp(`^fault: writing ${start}\nfault: the write to ${start} faulted, and the fault was handled: the page was backed, in lazy area ${start}\\+2$`, "m"), explain(run));
  assert.match(outputOf(run, `fault read:${plus(start, 0x1000)}`), new RegExp(`^fault: the read of ${plus(start, 0x1000)} faulted, and the fault was handled: the page was backed, in lazy area ${start}\\+2$`, "m"), explain(run));
  assert.match(outputOf(run, "areas"), /\(lazy, 2 backed\)/);
  assert.match(outputOf(run, "fault 0xb8000"), /^fault: the write to 0x000b8000 did not fault \(mapped and writable\)$/m);
  assert.match(outputOf(run, "fault read:0x100000"), /^fault: the read of 0x00100000 did not fault \(mapped\)$/m);
});

test("monitor: suites started with test judge what they did, not what the monitor left", async () => {
  // Areas until the record cache is down to its last free block: the suite's
  // first record grows it, by a slab the suite cannot give back.
  const fillRecords = (s) => `repeat ${Number([...s.matchAll(/^  records +32 +\d+ +(\d+) /gm)].at(-1)?.[1] ?? 2) - 1} area 1`;
  for (const [steps, name] of [
    [["alloc 64", "alloc 100", "test alloc"], "alloc"],
    [["slabs 10", fillRecords, "slabs 10", "test alloc"], "alloc"],
    [["slabs 10", fillRecords, "slabs 10", "test demand"], "demand"],
    [["map 0xc0000000", "test paging"], "paging"],
    [["test console"], "console"],
  ]) {
    const run = await session(steps);
    assert.equal(run.status, STATUS_SUCCESS, `${steps.join("; ")}\n${explain(run)}`);
    assert.match(run.serial, new RegExp(`^suite ${name}: [1-9]\\d* passed, 0 failed$`, "m"), explain(run));
    assert.doesNotMatch(run.serial, /^FAIL |\*\*\* KERNEL/m, explain(run));
    if (steps.includes(fillRecords)) assert.match(run.serial, /^  records +32 +\d+ +1 +1 /m, `the record cache was left one free block\n${explain(run)}`);
  }
});

test("monitor: a faulting peek ends its line before saying so; area past the free frames says that", async () => {
  const run = await session(["map 0xc0000000", "peek 0xc0000ff8 4", "peek 0xc0001000", "area 100000", "mem", "halt"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(outputOf(run, "peek 0xc0000ff8 4"), /^0xc0000ff8: 0x[0-9a-f]{8} 0x[0-9a-f]{8}\npeek: not readable \(page fault\) at 0xc0001000\n$/, explain(run));
  assert.equal(outputOf(run, "peek 0xc0001000"), "peek: not readable (page fault) at 0xc0001000\n");
  const free = /^mem: frames: (\d+) free/m.exec(outputOf(run, "mem"))[1];
  assert.equal(outputOf(run, "area 100000"), `area: 0 (nothing allocated: 100000 pages need as many free frames, and ${free} are free)\n`);
});

test("monitor: Ctrl-C on the keyboard stops a repeat", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-monitor-"));
  const socket = join(dir, "qemu-monitor.sock");
  try {
    const run = await atPrompts([
      (child) => {
        child.stdin.write("repeat 4000000000 ticks\n");
        setTimeout(() => sendKeys(socket, ["ctrl-c"]), 500);
      },
      "halt\n",
    ], { qemuArgs: ` -monitor unix:${socket},server,nowait` });
    assert.equal(run.status, STATUS_SUCCESS, explain(run));
    assert.match(run.serial, /^repeat: interrupted \(Ctrl-C\) after [1-9]\d* runs, [1-9]\d* commands$/m, explain(run));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("monitor: Ctrl-C typed behind vmmap stops it at the end of a line, and the prompt comes back", async () => {
  // The second in one write: the Ctrl-C is queued before the dump starts.
  const run = await atPrompts(["vmmap\n", "vmmap\n\x03", "halt\n"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const dumps = run.serial.split(PROMPT).slice(1, 3).map((chunk) => chunk.split("\n").slice(1, -1));
  const ranges = (lines) => lines.filter((l) => /^  0x[0-9a-f]{8}-0x[0-9a-f]{8}  /.test(l)).length;
  assert.ok(ranges(dumps[0]) >= 3, `the whole map has several ranges\n${explain(run)}`);
  assert.ok(ranges(dumps[1]) < ranges(dumps[0]), `stopped before its end\n${explain(run)}`);
  assert.equal(dumps[1].at(-1), "vmmap: interrupted (Ctrl-C)", explain(run));
});

test("monitor: vmmap shows a lazy area backed out of order as one run, scattered, and names the directory's page", async () => {
  const run = await session([
    "lazy 2", (s) => `poke ${plus(lastAddress(s, "lazy"), 0x1000)} 1`, (s) => `poke ${lastAddress(s, "lazy")} 1`,
    "vmmap", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const start = lastAddress(run.serial, "lazy");
  const map = outputOf(run, "vmmap");
  assert.match(map, new RegExp(`^  ${start}-${plus(start, 0x1fff)}  scattered   rws    2$`, "m"), explain(run));
  assert.match(map, /^  0xfffff000-0xffffffff  0x[0-9a-f]{8}  rws    1  \(mirror: the page directory\)$/m, explain(run));
  assert.match(map, /^  0xffc00000-0x[0-9a-f]{8}  \S+ +rws +\d+  \(mirror: page tables\)$/m, explain(run));
});

test("monitor: Ctrl-C stops repeat N vmmap too, though vmmap takes it to stop itself", async () => {
  const run = await atPrompts([thenCtrlC("repeat 4000000000 vmmap\n"), "halt\n"]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^repeat: interrupted \(Ctrl-C\) after [1-9]\d* runs, [1-9]\d* commands$/m, explain(run));
});

test("monitor: a word across two pages stays in one block and one area", async () => {
  const run = await session([
    "alloc 4096", "alloc 4096", (s) => `poke ${plus(lastAddress(s, "alloc"), -2)} 0x11223344`, (s) => `peek ${lastAddress(s, "alloc")}`,
    "area 1", "area 1", (s) => `poke ${plus(lastAddress(s, "area"), -2)} 0x11223344`, "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const blocks = [...run.serial.matchAll(/^alloc: (0x[0-9a-f]{8})$/gm)].map((m) => m[1]);
  const areas = [...run.serial.matchAll(/^area: (0x[0-9a-f]{8})$/gm)].map((m) => m[1]);
  assert.equal(hex(blocks[1]), hex(blocks[0]) + 4096, `two 4096-byte blocks side by side\n${explain(run)}`);
  assert.match(outputOf(run, `poke ${plus(blocks[1], -2)} 0x11223344`), /^poke: refused: the word at 0x[0-9a-f]{8} would overwrite the block after this one; nothing written$/m, explain(run));
  assert.doesNotMatch(outputOf(run, `peek ${blocks[1]}`), /0x[0-9a-f]{4}1122/, "the next block is untouched");
  assert.equal(hex(areas[1]), hex(areas[0]) + 4096, explain(run));
  assert.match(outputOf(run, `poke ${plus(areas[1], -2)} 0x11223344`), /^poke: refused: the word at 0x[0-9a-f]{8} would overwrite the area after this one; nothing written$/m, explain(run));
});

test("monitor: the kernel's windows above the one mapped by hand are refused to map, unmap and poke; a user page mapping a page table is the kernel's too", async () => {
  const run = await session([
    "map 0xff400000", "unmap 0xff401000", "map 0xff800000", "poke 0xff400000 0", "vmmap",
    "peek 0xfffff000", (s) => `map 0x50000000 0x${(hex(/^0xfffff000: (0x[0-9a-f]{8})$/m.exec(s)?.[1] ?? "0") & ~0xfff).toString(16).padStart(8, "0")}`,
    "poke 0x50000000 0", "unmap 0x50000000",
    "map 0x50000000", "poke 0x50000000 0x5a", "peek 0x50000000", "unmap 0x50000000", "halt",
  ]);
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const windows = "; map and unmap pages by hand from 0xc0000000 to 0xff3fffff, or in user space";
  assert.equal(outputOf(run, "map 0xff400000"), `map: 0xff400000 is in the page directories' window${windows}\n`);
  assert.equal(outputOf(run, "unmap 0xff401000"), `unmap: 0xff401000 is in the page directories' window${windows}\n`);
  assert.equal(outputOf(run, "map 0xff800000"), `map: 0xff800000 is in the slot kept for a second mirror${windows}\n`);
  assert.match(outputOf(run, "poke 0xff400000 0"), /^poke: refused: the word at 0xff400000 would overwrite a page directory \(its view, mm\/directories\.ts\); nothing written$/m);
  assert.match(outputOf(run, "vmmap"), /^  0xff400000-0xff400fff  0x[0-9a-f]{8}  rws    1  \(page directories\)$/m, explain(run));
  // PDE 0's table mapped at a user address by hand: writing it would rewrite the identity map.
  assert.match(outputOf(run, "poke 0x50000000 0"), /^poke: refused: the word at 0x50000000 would overwrite a page table \(this page maps its frame\); nothing written$/m, explain(run));
  assert.match(outputOf(run, "poke 0x50000000 0x5a"), /^poke: 0x50000000 = 0x0000005a$/m, "a fresh frame in user space is anyone's");
  assert.match(outputOf(run, "peek 0x50000000"), /^0x50000000: 0x0000005a$/m);
});
