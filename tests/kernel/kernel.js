// tests/kernel/kernel.js: booting the kernel from node's test runner.
//
// runSuite("console") boots build/kernel.elf with `test=console`, reads the
// case lines the in-kernel harness prints (kernel/ktest/harness.ts) and
// judges the run. A run passes only when QEMU exits with the success status,
// at least one case ran, no case failed, and the kernel's own summary agrees
// with the lines seen. A hang, a reset, a trap or silence all fail, and
// explain() puts the whole serial log into the assertion message.

import { bootKernel, describeStatus, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";

/** The kernel under test: build/kernel.elf, or build/debug/kernel.elf under `make test DEBUG=1`. */
export const KERNEL = process.env.KERNEL ?? "build/kernel.elf";
export const QEMU_ARGS = process.env.QEMU_ARGS ?? "";
export const TIMEOUT_MS = 60_000;

/** Boots the kernel (or another ELF) with `cmdline`; see tools/run/qemu.mjs bootKernel. */
export function boot(cmdline, { kernel = KERNEL, qemuArgs = QEMU_ARGS, timeoutMs = TIMEOUT_MS } = {}) {
  return bootKernel({ kernel, cmdline, qemuArgs, timeoutMs });
}

/**
 * The suites the kernel has, as `test=list` prints them (kernel/ktest/
 * harness.ts): [{ name, help, endsInReport }].
 */
export async function kernelSuites(options = {}) {
  const run = await boot("test=list", options);
  if (run.status !== STATUS_SUCCESS) throw new Error(`test=list failed\n${explain(run)}`);
  const list = run.serial.split("suites:\n")[1] ?? "";
  const suites = [];
  for (const [, name, help] of list.matchAll(/^  (\S+) +(.*)$/gm)) {
    const endsInReport = help.endsWith(" (ends in a report)");
    suites.push({ name, help: endsInReport ? help.slice(0, -" (ends in a report)".length) : help, endsInReport });
  }
  return suites;
}

/** Runs the in-kernel suite `name` and judges it. */
export async function runSuite(name, { cmdline = "", ...options } = {}) {
  const result = await boot(`test=${name} ${cmdline}`.trim(), options);
  return judgeSuite(name, result, options.timeoutMs ?? TIMEOUT_MS);
}

const CASE_LINE = /^(ok  |FAIL) (\S+): (.*)$/;
const SUMMARY_LINE = /^suite (\S+): (\d+) passed, (\d+) failed$/;

/** The verdict on one suite run: { ok, problems, cases, ...run }. */
export function judgeSuite(name, run, timeoutMs = TIMEOUT_MS) {
  const lines = run.serial.split("\n");
  const cases = [];
  let summary = null;
  for (const line of lines) {
    const c = CASE_LINE.exec(line);
    if (c && c[2] === name) cases.push({ ok: c[1] === "ok  ", text: c[3] });
    const s = SUMMARY_LINE.exec(line);
    if (s && s[1] === name) summary = { passed: Number(s[2]), failed: Number(s[3]) };
  }
  const problems = [];
  if (run.timedOut) problems.push(`the kernel hung: no exit within ${timeoutMs} ms`);
  else if (run.status !== STATUS_SUCCESS) problems.push(describeStatus(run.status, run.signal));
  if (cases.length === 0) problems.push(`suite ${name} reported no test case`);
  for (const c of cases.filter((c) => !c.ok)) problems.push(`FAIL ${c.text}`);
  const passed = cases.filter((c) => c.ok).length;
  if (!summary) problems.push(`suite ${name} printed no summary line`);
  else if (summary.passed !== passed || summary.failed !== cases.length - passed) {
    problems.push(`summary says ${summary.passed} passed, ${summary.failed} failed; lines say ${passed} and ${cases.length - passed}`);
  }
  return { ...run, ok: problems.length === 0, problems, cases };
}

/** What went wrong, with the serial log, for an assertion message. */
export function explain(run) {
  const problems = run.problems?.length ? run.problems.map((p) => `  - ${p}`).join("\n") + "\n" : "";
  const status = run.timedOut ? "timed out" : describeStatus(run.status, run.signal);
  return `${problems}QEMU: ${status}\n--- serial log ---\n${run.serial}--- end of serial log ---\n${run.stderr ?? ""}`;
}
