// tests/web/v86.js: booting the site's kernel in v86 under node, through the
// same module the page uses (web/machine.mjs), from the files `make web-site`
// assembled in build/web/.
//
// bootInV86("test=paging") resolves to a run shaped like tests/kernel/kernel.js's
// ({ serial with "\n" line ends, status, timedOut }), so judgeSuite judges it the same way: the
// kernel's exit code c becomes QEMU's status (c << 1) | 1, a reset or a crash status 0.

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The site: build/web, or build/debug/web under `make test DEBUG=1`. */
export const WEB = resolve(process.env.WEB_SITE ?? "build/web");
export const TIMEOUT_MS = 120_000;

const { V86 } = await import(pathToFileURL(join(WEB, "libv86.mjs")));
const { bootKernel } = await import(pathToFileURL(join(WEB, "machine.mjs")));
/** The page's memory reader (web/memory.mjs), as the site ships it. */
export const memoryModule = await import(pathToFileURL(join(WEB, "memory.mjs")));
const { KernelMemory } = memoryModule;
const fileBuffer = (path) => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
};
const buffer = (name) => fileBuffer(join(WEB, name));
const files = { bios: buffer("bios/bios.bin"), vgaBios: buffer("bios/vgabios.bin"), kernel: buffer("kernel.elf") };
export const symbols = JSON.parse(readFileSync(join(WEB, "kernel-symbols.json"), "utf8"));

/**
 * Boots with `cmdline` (and the site's kernel, or the ELF at `kernel`; `memoryMiB` MiB of RAM, or
 * web/machine.mjs's default, the page's) and returns at once: { machine, memory, serial(),
 * waitFor(pattern), type(text), exited, stop() }. `serial()` is the text so
 * far with "\n" line ends; `waitFor` resolves when it matches `pattern`, and
 * fails with the text so far after `timeoutMs` or when the run ends first.
 */
export function startInV86(cmdline, { memoryMiB, timeoutMs = TIMEOUT_MS, kernel = null } = {}) {
  let text = "";
  const waiters = new Set();
  const machine = bootKernel(V86, {
    files: kernel ? { ...files, kernel: fileBuffer(kernel) } : files, wasmPath: join(WEB, "v86.wasm"), cmdline, memoryMiB,
    onSerial: (ch) => {
      text += ch;
      for (const w of waiters) w.check();
    },
  });
  const serial = () => text.replace(/\r\n/g, "\n");
  const waitFor = (pattern) => new Promise((resolve, reject) => {
    const w = {
      check: () => {
        const m = pattern.exec(serial());
        if (m) done(() => resolve(m));
      },
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${serial()}`))), timeoutMs);
    const done = (settle) => { clearTimeout(timer); waiters.delete(w); settle(); };
    machine.exited.then(() => waiters.has(w) && done(() => reject(new Error(`the run ended before ${pattern}:\n${serial()}`))));
    waiters.add(w);
    w.check();
  });
  const memory = new KernelMemory(machine.readPhysical, symbols, { cr0: machine.cr0, cr3: machine.cr3 });
  return { machine, memory, serial, waitFor, type: machine.sendSerial, exited: machine.exited, stop: () => machine.stop() };
}

/**
 * Boots with `cmdline` and waits for the run to end. The machine is left
 * stopped but alive, so `memory` (web/memory.mjs over it) can still be read;
 * call `stop()` when done.
 */
export async function bootInV86(cmdline, { memoryMiB, timeoutMs = TIMEOUT_MS, kernel = null } = {}) {
  const started = Date.now();
  const run = startInV86(cmdline, { memoryMiB, timeoutMs, kernel });
  let timer;
  const timeout = new Promise((done) => (timer = setTimeout(() => done({ timedOut: true }), timeoutMs)));
  const exit = await Promise.race([run.exited, timeout]);
  clearTimeout(timer);
  const status = exit.code === undefined ? 0 : (exit.code << 1) | 1;
  return {
    serial: run.serial(), status, timedOut: Boolean(exit.timedOut), signal: null, exit,
    machine: run.machine, memory: run.memory, seconds: (Date.now() - started) / 1000, stop: run.stop,
  };
}
