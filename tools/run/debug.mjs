// tools/run/debug.mjs: `make debug`. Starts QEMU halted with its GDB stub on a
// free local port (printed), then GDB with the kernel's symbols and
// tools/gdb/kernel.py, attached. Quitting GDB ends QEMU, and the status says
// how the kernel ended: 1 (make says Error 1) when it was stopped on a
// failure (a report, a failed suite) or ended with QEMU's failure status, 0
// otherwise.
//
// The terminal is GDB's; the kernel's serial port (the monitor's console) is
// a socket, build/serial.sock (SERIAL_SOCKET= to choose another), that
// `make console` (tools/run/console.mjs) connects to from a second
// terminal; everything the kernel prints also goes to build/serial.log
// (SERIAL_LOG=).
//
//   CMDLINE="test=console" QEMU_ARGS="-m 8M" node tools/run/debug.mjs build/kernel.elf
//   node tools/run/debug.mjs --server build/kernel.elf   QEMU only, for an IDE's GDB
//   node tools/run/debug.mjs --stop                      ends the --server QEMU
//
// Ctrl-C belongs to GDB: tools/gdb/foreground.py makes GDB's process group
// the terminal's foreground group, so the terminal's SIGINT interrupts the
// kernel in GDB and reaches neither QEMU, nor this process (which ignores it
// as well), nor make. A hang-up (the terminal closed) still ends them all.
//
// --server writes build/debug-target.gdb (`target remote 127.0.0.1:PORT`),
// which .vscode/launch.json sources, and build/qemu.pid for --stop; it prints
// "debug: QEMU waits for GDB" once QEMU listens, and stays until QEMU ends.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { commandLineFromEnvironment, qemuArgs, spawnWithCommandLine, STATUS_SUCCESS } from "./qemu.mjs";

const SERIAL_LOG = process.env.SERIAL_LOG || "build/serial.log";
const SERIAL_SOCKET = process.env.SERIAL_SOCKET || "build/serial.sock";
// Written by tools/gdb/kernel.py while the kernel is stopped on a failure.
const FAILURE_FILE = `${SERIAL_LOG}.failure`;
const TARGET_SCRIPT = "build/debug-target.gdb";
const PID_FILE = "build/qemu.pid";

const args = process.argv.slice(2);
const server = args[0] === "--server";
if (args[0] === "--stop") stop();
else await debug(args[server ? 1 : 0] ?? "build/kernel.elf");

/** A local TCP port no one listens on now (the system picks it; it is freed again for QEMU). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on the Unix socket at `path` now. */
function listened(path) {
  return new Promise((resolve) => {
    if (!existsSync(path)) return resolve(false);
    const socket = createConnection(path, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Resolves once something accepts connections on `port`, or rejects when `qemu` exits first. */
function listening(port, qemu) {
  return new Promise((resolve, reject) => {
    qemu.once("exit", (status) => reject(new Error(`QEMU exited (status ${status}) before its GDB stub listened`)));
    const attempt = () => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve();
      });
      socket.on("error", () => setTimeout(attempt, 50));
    };
    attempt();
  });
}

async function debug(kernel) {
  const port = await freePort();
  if (await listened(SERIAL_SOCKET)) {
    console.error(`debug: another make debug has ${SERIAL_SOCKET}; end it, or choose another socket with SERIAL_SOCKET=`);
    process.exit(1);
  }
  rmSync(SERIAL_LOG, { force: true });
  rmSync(SERIAL_SOCKET, { force: true }); // left by a QEMU that ended: it does not remove its socket
  const qemu = spawnWithCommandLine([
    ...qemuArgs({ kernel, qemuArgs: process.env.QEMU_ARGS ?? "", serial: "chardev:serial0" }),
    "-chardev", `socket,id=serial0,path=${SERIAL_SOCKET},server=on,wait=off,logfile=${SERIAL_LOG}`,
    "-S", "-gdb", `tcp:127.0.0.1:${port}`,
  ], commandLineFromEnvironment(), { stdio: ["ignore", "inherit", "inherit"] });
  let qemuStatus = null;
  qemu.on("exit", (status) => (qemuStatus = status ?? 1));
  process.on("SIGINT", () => {}); // the terminal's Ctrl-C is GDB's
  await listening(port, qemu);
  const target = `target remote 127.0.0.1:${port}`;
  console.error(`debug: QEMU waits for GDB on 127.0.0.1:${port}; the kernel's serial port (the monitor) is ${SERIAL_SOCKET}:`);
  console.error(`debug: type on it with \`make console\` in another terminal; it is logged to ${SERIAL_LOG}`);

  if (server) {
    writeFileSync(TARGET_SCRIPT, `${target}\n`);
    writeFileSync(PID_FILE, `${qemu.pid}\n`);
    qemu.on("exit", (status) => {
      rmSync(PID_FILE, { force: true });
      rmSync(SERIAL_SOCKET, { force: true });
      process.exit(status ?? 1);
    });
    return;
  }
  rmSync(FAILURE_FILE, { force: true });
  const gdb = spawn("python3", ["tools/gdb/foreground.py", "gdb", "-q", kernel, "-x", "tools/gdb/kernel.py", "-ex", target], {
    stdio: "inherit",
    env: { ...process.env, KERNEL_FAILURE_FILE: FAILURE_FILE },
  });
  // QEMU ends with GDB, or when this process is told to end.
  const end = (status) => {
    qemu.kill("SIGKILL");
    rmSync(SERIAL_SOCKET, { force: true });
    process.exit(status);
  };
  for (const signal of ["SIGHUP", "SIGTERM"]) process.on(signal, () => end(1));
  gdb.on("exit", (status) => {
    const failure = kernelFailure(qemuStatus);
    rmSync(FAILURE_FILE, { force: true });
    if (failure) console.error(`debug: ${failure}`);
    end(failure ? 1 : status ?? 1);
  });
}

/**
 * How the kernel failed, or "" when it did not: what tools/gdb/kernel.py
 * left in FAILURE_FILE (GDB quit while the kernel was stopped on a failure),
 * or QEMU's status when the kernel ended the machine itself.
 */
function kernelFailure(qemuStatus) {
  if (existsSync(FAILURE_FILE)) return readFileSync(FAILURE_FILE, "utf8").trim() + ` (the serial output is in ${SERIAL_LOG})`;
  if (qemuStatus !== null && qemuStatus !== STATUS_SUCCESS && qemuStatus !== 0) return `the kernel ended with QEMU status ${qemuStatus}`;
  return "";
}

function stop() {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, "utf8"));
  // Only the QEMU this file names: a stale pid may belong to another process by now.
  const command = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, "utf8").trim() : "";
  if (command.startsWith("qemu-system")) process.kill(pid, "SIGKILL");
  rmSync(PID_FILE, { force: true });
}
