// tools/run/qemu.mjs: how the kernel is booted in QEMU, for `make run` and the tests.
//
// One place for the QEMU command line and for what its exit status means.
// The kernel leaves QEMU through isa-debug-exit (kernel/drivers/debugexit.ts):
// writing v to port 0xF4 exits with status (v << 1) | 1.

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from "node:fs";
import path from "node:path";

/** The kernel halted cleanly, or a test suite passed (EXIT_SUCCESS 0x10). */
export const STATUS_SUCCESS = (0x10 << 1) | 1;
/** The kernel stopped on a trap, panic or fault, or a suite failed (EXIT_FAILURE 0x11). */
export const STATUS_FAILURE = (0x11 << 1) | 1;

export const DEFAULT_MEMORY = "128M";

/**
 * The machine every boot uses: its RAM, the isa-debug-exit device, no
 * display, COM1 on `serial`, no reboot (a triple fault ends QEMU) and no NIC.
 */
export function machineArgs({ serial = "stdio" } = {}) {
  return [
    "-m", DEFAULT_MEMORY,
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-display", "none",
    "-serial", serial,
    "-no-reboot",
    "-nic", "none",
  ];
}

/**
 * The qemu-system-i386 arguments that boot `kernel` with `cmdline`.
 * `qemuArgs` (a string, split on spaces, as QEMU_ARGS) comes last, so it can
 * override the defaults (`-m 8M`).
 */
export function qemuArgs({ kernel, cmdline = "", qemuArgs = "", serial = "stdio" }) {
  return [
    "-kernel", kernelPathForQemu(kernel),
    "-append", cmdline,
    ...machineArgs({ serial }),
    ...qemuArgs.split(/\s+/).filter(Boolean),
  ];
}

/**
 * `kernel` as a path without spaces. QEMU's multiboot loader puts the
 * kernel's file name first on the command line, and the kernel skips that
 * first word (kernel/lib/cmdline.ts): a space inside the path would cut it in
 * two, and its second half would be read as a command-line word. So a path
 * with a space becomes relative to the current directory, or, when that has
 * one too, a symbolic link build/qemu-kernel.elf to it.
 */
export function kernelPathForQemu(kernel) {
  if (!/\s/.test(kernel)) return kernel;
  const relative = path.relative(process.cwd(), kernel);
  if (!/\s/.test(relative)) return relative;
  const link = path.join("build", "qemu-kernel.elf");
  const target = path.resolve(kernel);
  mkdirSync("build", { recursive: true });
  let current = null;
  try {
    current = readlinkSync(link);
  } catch {}
  if (current !== target) {
    if (current !== null) unlinkSync(link);
    symlinkSync(target, link);
  }
  return link;
}

/**
 * Below this much RAM QEMU cannot even load the kernel image (it is linked
 * at 1 MiB), so no kernel code runs to say what is missing. From here up to
 * the kernel's minimum (4 MiB) the boot stub itself says so.
 */
export const LOADABLE_RAM_BYTES = 2 * 1024 * 1024;

/**
 * Why the `-m` in `qemuArgs` (QEMU_ARGS) cannot boot the kernel at all, or
 * null. QEMU reads "-m 8", "-m 8M", "-m 512K", "-m size=1G"; a bare number
 * is MiB. The last -m wins, as in QEMU.
 */
export function ramArgumentProblem(qemuArgs = "") {
  const words = qemuArgs.split(/\s+/).filter(Boolean);
  const at = words.lastIndexOf("-m");
  if (at < 0 || at + 1 >= words.length) return null;
  const value = words[at + 1].replace(/^size=/, "").split(",")[0];
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(value);
  if (!match) return null;
  const unit = { "": 2 ** 20, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[match[2].toUpperCase()];
  const bytes = Number(match[1]) * unit;
  if (bytes >= LOADABLE_RAM_BYTES) return null;
  return `-m ${words[at + 1]}: the kernel needs at least 4 MiB of RAM; with less than 2 MiB QEMU cannot even load its image at 1 MiB`;
}

/** A sentence for what QEMU's exit status says about the kernel. */
export function describeStatus(status, signal) {
  if (signal) return `QEMU was killed by ${signal}`;
  if (status === STATUS_SUCCESS) return "kernel halted cleanly";
  if (status === STATUS_FAILURE) return "kernel stopped on a failure";
  if (status === 0) return "QEMU exited without the kernel's exit code: the machine reset (triple fault?) or was shut down";
  return `QEMU exited with status ${status}: QEMU itself failed`;
}

/**
 * Runs qemu-system-i386 with `args` and collects COM1 (on its standard
 * output) and its standard error. `onSerial(child, serial)` is called with
 * the serial text so far each time more arrives, for a caller that types on
 * the serial port (`input`: standard input is a pipe then; a string is
 * written to it at once, as a pipe into `make run` would) or stops QEMU.
 * Resolves to { serial, status, signal, timedOut, stderr }; never rejects
 * for a misbehaving kernel: a hang ends in timedOut after `timeoutMs`.
 */
export function runQemu(args, { timeoutMs = 60_000, input = false, onSerial = null } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("qemu-system-i386", args, { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    let serial = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      serial += chunk.toString("latin1");
      if (onSerial) onSerial(child, serial);
    });
    child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
    if (input) child.stdin.on("error", () => {}); // QEMU gone before the input: the caller's checks tell
    if (typeof input === "string") child.stdin.write(input); // typed ahead, before the kernel is up
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ serial: serial.replace(/\r\n/g, "\n"), status, signal, timedOut, stderr });
    });
  });
}

/** Boots the kernel with `cmdline` and collects its serial output (see runQemu). */
export function bootKernel({ kernel, cmdline = "", qemuArgs: extra = "", timeoutMs = 60_000 }) {
  return runQemu(qemuArgs({ kernel, cmdline, qemuArgs: extra }), { timeoutMs });
}

// --- The command line, byte for byte ---------------------------------------
// The kernel refuses what it does not understand and names the bytes it got
// (\xNN for any byte that is not printable ASCII), so they must be the bytes
// given: process.env would decode CMDLINE as UTF-8 (a byte that is not UTF-8
// becomes U+FFFD, three other bytes), and so would an argument handed to
// spawn. The bytes are read from /proc/self/environ and reach QEMU's -append
// through sh, written as octal escapes that its printf turns back into bytes.

/** CMDLINE from this process's environment, as the bytes it holds (empty when unset). */
export function commandLineFromEnvironment() {
  return rawEnvironment("CMDLINE");
}

/** The value of `name` in this process's environment, as bytes (empty when unset). */
function rawEnvironment(name) {
  const prefix = Buffer.from(`${name}=`);
  let environ;
  try {
    environ = readFileSync("/proc/self/environ");
  } catch {
    return Buffer.from(process.env[name] ?? "");
  }
  for (let start = 0; start < environ.length; ) {
    let end = environ.indexOf(0, start);
    if (end < 0) end = environ.length;
    const entry = environ.subarray(start, end);
    if (entry.subarray(0, prefix.length).equals(prefix)) return Buffer.from(entry.subarray(prefix.length));
    start = end + 1;
  }
  return Buffer.alloc(0);
}

function trimSpaces(bytes) {
  let start = 0;
  let end = bytes.length;
  while (start < end && bytes[start] === 0x20) start++;
  while (end > start && bytes[end - 1] === 0x20) end--;
  return bytes.subarray(start, end);
}

/**
 * qemu-system-i386 with `args` (from qemuArgs) and `-append` set to exactly
 * the bytes of `cmdline` less its outer spaces; `options` as for spawn. The
 * child is sh until it execs QEMU in the same process: its pid is QEMU's, and
 * status 127 means qemu-system-i386 could not be started.
 */
export function spawnWithCommandLine(args, cmdline, options = {}) {
  const at = args.indexOf("-append");
  const rest = at < 0 ? args : [...args.slice(0, at), ...args.slice(at + 2)];
  const octal = [...trimSpaces(cmdline)].map((b) => `\\0${b.toString(8).padStart(3, "0")}`).join("");
  // The X keeps a trailing newline from being cut by $(...).
  const script = 'line=$(printf "%bX" "$TSK_CMDLINE"); exec qemu-system-i386 "$@" -append "${line%X}"';
  return spawn("sh", ["-c", script, "qemu-system-i386", ...rest], { ...options, env: { ...(options.env ?? process.env), TSK_CMDLINE: octal } });
}
