// tools/run/run.mjs: `make run`. Boots the kernel with serial on this terminal,
// then says how it ended; the exit status is 0 only for a clean halt.
//
//   CMDLINE="test=console" QEMU_ARGS="-m 8M" node tools/run/run.mjs build/kernel.elf
//
// From a terminal (stdin is a TTY) the kernel boots into its monitor: the
// word `monitor` is added to the command line, QEMU puts the terminal in raw
// mode (no local echo: the kernel echoes what it reads), `halt` ends the run
// with status 33, and Ctrl-C stops QEMU. Without a terminal (scripts, CI)
// the command line is CMDLINE alone.
//
// Nothing waits forever without a person: when standard input is not a
// terminal (a script, CI, `make run </dev/null`), the machine is stopped
// after RUN_TIMEOUT seconds (default 60) and the run fails saying so. With a
// terminal there is no limit: the person at it ends the run.

import { commandLineFromEnvironment, describeStatus, qemuArgs, ramArgumentProblem, spawnWithCommandLine, STATUS_SUCCESS } from "./qemu.mjs";

// --- The time limit without a terminal -------------------------------------
const DEFAULT_RUN_TIMEOUT_S = 60;

/** Seconds until the machine is stopped; 0: no limit (a terminal, or RUN_TIMEOUT=0). */
function runTimeoutSeconds() {
  if (process.stdin.isTTY) return 0;
  const text = process.env.RUN_TIMEOUT ?? "";
  if (text === "") return DEFAULT_RUN_TIMEOUT_S;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    console.error(`run: RUN_TIMEOUT=${text} is not a number of seconds`);
    process.exit(1);
  }
  return seconds;
}

/** Kills `qemu` after `seconds` (none for 0); `stopped()` says whether it had to. */
function timeLimit(qemu, seconds) {
  let fired = false;
  const timer = seconds === 0 ? null : setTimeout(() => {
    fired = true;
    qemu.kill("SIGKILL");
  }, seconds * 1000);
  return {
    stopped() {
      if (timer) clearTimeout(timer);
      if (fired) console.error(`\nrun: no end after ${seconds} s and no terminal to wait for: stopped the machine (RUN_TIMEOUT=${seconds})`);
      return fired;
    },
  };
}
// ----------------------------------------------------------------------------

const kernel = process.argv[2] ?? "build/kernel.elf";
const extra = process.env.QEMU_ARGS ?? "";
const ramProblem = ramArgumentProblem(extra);
if (ramProblem) {
  console.error(`run: ${ramProblem}`);
  process.exit(1);
}
const interactive = process.stdin.isTTY === true;
const cmdline = Buffer.concat([commandLineFromEnvironment(), Buffer.from(interactive ? " monitor" : "")]);
const limitSeconds = runTimeoutSeconds();
const args = qemuArgs({ kernel, cmdline: "", qemuArgs: extra });
// Ctrl-C reaches QEMU and this process alike: let QEMU end, then say so.
let interrupted = false;
process.on("SIGINT", () => (interrupted = true));
const qemu = spawnWithCommandLine(args, cmdline, { stdio: "inherit" });
qemu.on("error", (error) => {
  console.error(`run: cannot start sh for qemu-system-i386: ${error.message}`);
  process.exit(1);
});
const limit = timeLimit(qemu, limitSeconds);
qemu.on("close", (status, signal) => {
  if (limit.stopped()) process.exit(1);
  if (status === 127) {
    console.error("run: cannot start qemu-system-i386 (not installed? make setup installs it)");
    process.exit(1);
  }
  const how = interrupted && status !== STATUS_SUCCESS ? "stopped by Ctrl-C" : describeStatus(status, signal);
  console.error(`\nrun: ${how} (QEMU status ${status})`);
  process.exit(status === STATUS_SUCCESS ? 0 : 1);
});
