// tools/run/console.mjs: `make console`: this terminal on the serial port of
// the kernel that `make debug` runs (its socket, build/serial.sock, or
// SERIAL_SOCKET=), so the monitor can be typed at while GDB has the other
// terminal: break at pageMap in GDB, continue, then type `map 0xd0000000`
// here.
//
// Bytes go both ways unchanged; on a terminal it is put in raw mode, so
// Ctrl-C reaches the kernel as 0x03 (it stops a repeat) and Ctrl-] ends
// the console (the kernel runs on). It ends by itself when QEMU does, and a
// second after piped input ends.

import { createConnection } from "node:net";

const SOCKET = process.env.SERIAL_SOCKET || "build/serial.sock";
const QUIT = 0x1d; // Ctrl-]

const socket = createConnection(SOCKET);
socket.on("error", (error) => {
  const why = error.code === "ENOENT" || error.code === "ECONNREFUSED" ? "no kernel listens there: start `make debug` first" : error.message;
  console.error(`console: ${SOCKET}: ${why}`);
  process.exit(1);
});
socket.on("connect", () => {
  const tty = process.stdin.isTTY === true;
  if (tty) process.stdin.setRawMode(true);
  console.error(`console: on the kernel's serial port (${SOCKET})${tty ? "; Ctrl-] ends the console" : ""}`);
  process.stdin.on("data", (bytes) => {
    const quit = tty ? bytes.indexOf(QUIT) : -1;
    if (quit < 0) {
      socket.write(bytes);
      return;
    }
    socket.write(bytes.subarray(0, quit));
    end("console: ended (Ctrl-]); the kernel runs on", 0);
  });
  // Piped input: once it is all sent, a moment for the answers, then done.
  process.stdin.on("end", () => setTimeout(() => end("console: input ended; the kernel runs on", 0), 1000));
  socket.pipe(process.stdout);
  socket.on("close", () => end("console: the machine ended", 0));
});

function end(message, status) {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  console.error(`\n${message}`);
  process.exit(status);
}
