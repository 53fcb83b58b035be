// tools/build/docs.mjs: the transcripts in README.md and docs/*.md, made
// from the current build, so that no transcript shows what the kernel no
// longer prints.
//
//   node tools/build/docs.mjs                 rewrite every transcript (make docs)
//   node tools/build/docs.mjs --check [FILE]  compare instead: exit 1 naming each
//                                             transcript that differs
//   node tools/build/docs.mjs --list [FILE]   one line per transcript: FILE:LINE SPEC
//
// A transcript is a ```text fence right after a marker line that says how
// to make it:
//
//   <!-- transcript: run WORDS -->          `make run CMDLINE="WORDS"` without a terminal
//   <!-- transcript: monitor A | B | halt --> the monitor, lines A, B, halt typed at its
//                                            prompt; shown from the first prompt on. In a
//                                            line, {addr} is the first address the line
//                                            before printed
//   <!-- transcript: gdb WORDS :: C1 ; C2 --> GDB (tools/gdb/kernel.py) on the kernel
//                                            booted with WORDS, commands C1, C2
//   <!-- transcript: make help -->          the Makefile's list of targets
//
// A marker ending in "(addresses vary)" lets hexadecimal numbers of five
// digits or more and offsets into functions (+0x2a) differ in --check:
// they move whenever the code changes. Everything else must match exactly.
// The kernel is build/kernel.elf, or $KERNEL.

import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gdbSession, monitorSession, PROMPT } from "../run/sessions.mjs";

const KERNEL = process.env.KERNEL ?? "build/kernel.elf";
const MARKER = /^<!-- transcript: (.+?)( \(addresses vary\))? -->$/;
const VARY = " (addresses vary)";

/** The markdown files that may hold transcripts. */
export function docFiles() {
  return ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).sort().map((f) => join("docs", f))];
}

/** The transcripts of `file`: [{ file, line (1-based, of the marker), spec, vary, start, end }] (fence body lines [start, end)). */
export function transcripts(file, text = readFileSync(file, "utf8")) {
  const lines = text.split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const where = `${file}:${i + 1}`;
    if (lines[i + 1] !== "```text") throw new Error(`${where}: a transcript marker must be followed by a \`\`\`text fence`);
    const close = lines.indexOf("```", i + 2);
    if (close < 0) throw new Error(`${where}: the transcript's fence is never closed`);
    found.push({ file, line: i + 1, spec: m[1], vary: Boolean(m[2]), start: i + 2, end: close });
    i = close;
  }
  return found;
}

/** Text as a transcript shows it: no carriage returns, no trailing blanks, no blank last lines. */
const tidy = (text) => text.replace(/\r/g, "").split("\n").map((l) => l.trimEnd()).join("\n").replace(/\n+$/, "");

/** What `spec` prints now. */
export async function make(spec) {
  const [kind, ...rest] = spec.split(" ");
  const words = rest.join(" ");
  if (kind === "run") {
    const run = spawnSync("sh", ["-c", `node tools/run/run.mjs "$KERNEL" </dev/null 2>&1`], {
      env: { ...process.env, KERNEL, CMDLINE: words, QEMU_ARGS: "", RUN_TIMEOUT: "60" }, encoding: "utf8",
    });
    return tidy(`$ make run${words ? ` CMDLINE="${words}"` : ""}\n${run.stdout}`);
  }
  if (kind === "monitor") {
    // {addr}: the first address the previous command printed (what alloc or lazy returned).
    const lines = words.split("|").map((l) => l.trim()).map((l) => !l.includes("{addr}") ? l : (serial) => {
      const last = serial.lastIndexOf(PROMPT);
      const found = serial.slice(serial.lastIndexOf(PROMPT, last - 1), last).match(/0x[0-9a-f]{8}/g) ?? [];
      return l.replaceAll("{addr}", found[0] ?? "0");
    });
    const run = await monitorSession(KERNEL, lines);
    const serial = run.serial;
    return tidy(serial.slice(Math.max(0, serial.indexOf(PROMPT))));
  }
  if (kind === "gdb") {
    const [cmdline, commands] = words.split("::").map((p) => p.trim());
    // Each command echoed as the prompt would show it; GDB's own end of the session left out.
    const typed = commands.split(";").map((c) => c.trim()).flatMap((c) => [`echo (gdb) ${c}\\n`, c]);
    const { gdb } = await gdbSession(KERNEL, cmdline, typed);
    const shown = gdb.split("\n").filter((l) => !/^\[Inferior \d+ \(process \d+\) killed\]$/.test(l)).join("\n");
    return tidy(`$ make debug${cmdline ? ` CMDLINE="${cmdline}"` : ""}\n${shown}`);
  }
  if (spec === "make help") return tidy("$ make help\n" + execFileSync("make", ["-s", "help"], { encoding: "utf8" }));
  throw new Error(`unknown transcript kind: ${spec}`);
}

/** A transcript with its moving addresses masked, when it says they may move. */
export const comparable = (text, vary) =>
  vary ? text.replace(/\+0x[0-9a-f]+/gi, "+0x…").replace(/0x[0-9a-f]{5,}/gi, "0x…") : text;

async function main(args) {
  const mode = args[0] === "--check" || args[0] === "--list" ? args.shift() : "--write";
  const files = args.length ? args : docFiles();
  let differing = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const found = transcripts(file, text);
    if (mode === "--list") {
      for (const t of found) console.log(`${file}:${t.line} ${t.spec}${t.vary ? VARY : ""}`);
      continue;
    }
    // Back to front, so that the line numbers of the earlier ones hold while rewriting.
    for (const t of [...found].reverse()) {
      const now = await make(t.spec);
      const was = lines.slice(t.start, t.end).join("\n");
      if (mode === "--check") {
        if (comparable(now, t.vary) !== comparable(was, t.vary)) {
          differing++;
          console.error(`${file}:${t.line}: transcript "${t.spec}" is not what the build prints now (make docs rewrites it)`);
          const a = was.split("\n"), b = now.split("\n");
          const k = a.findIndex((l, i) => comparable(l, t.vary) !== comparable(b[i] ?? "", t.vary));
          console.error(`  first difference, line ${k + 1} of the transcript:\n  doc:   ${a[k]}\n  build: ${b[k] ?? "(nothing)"}`);
        }
      } else {
        lines.splice(t.start, t.end - t.start, ...now.split("\n"));
      }
    }
    if (mode === "--write") writeFileSync(file, lines.join("\n"));
  }
  if (mode === "--check" && differing) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`docs: ${error.message}`);
    process.exit(1);
  });
}
