// web/machine.mjs: one boot of the kernel in v86, for the page and for the
// node tests alike.
//
// v86 loads build/kernel.elf as a multiboot (v1) image itself: it reads the
// ELF's program headers, passes `cmdline` and a memory map, and jumps to the
// entry point in protected mode with EAX = 0x2BADB002 (multiboot spec 3.2).
// It passes no boot loader name.
//
// The kernel ends every run by writing a byte to the isa-debug-exit port
// (0xF4): 0x10 when everything asked for was done, 0x11 on a failure. v86's
// own handler for that port logs the code and throws "HALT" out of its main
// loop; this module replaces it with one that records the code and stops the
// emulator, so a run ends with an exit the caller can read. A CPU reset
// makes the BIOS load the kernel again: a second banner on the serial port
// ends the run as a reset. v86 does not model a triple fault: its CPU stops
// with a wasm trap thrown out of its main loop ("Unimplemented: #GP
// handler" on the console); that ends the run as a crash of the emulated CPU.
//
// v86's PS/2 keyboard listens on the whole window and takes every key
// pressed outside a text field (arrows, Tab, Enter included); it starts off
// here, and the page turns it on only while the VGA screen has the focus
// (setKeyboard), so the rest of the page keeps its keys.

/** The isa-debug-exit port, and the codes kernel/drivers/debugexit.ts writes. */
export const DEBUG_EXIT_PORT = 0xf4;
export const EXIT_SUCCESS = 0x10;
export const EXIT_FAILURE = 0x11;
const BANNER = "multiboot magic:";

/** What an exit code means, in words. */
export function describeExit(exit) {
  if (exit.stopped) return "stopped";
  if (exit.crash) return `the emulated CPU stopped (${exit.crash}): a triple fault, which v86 does not model, or a bug in v86`;
  if (exit.reset) return "the machine reset (a triple fault): the kernel started again";
  if (exit.code === EXIT_SUCCESS) return "kernel halted cleanly (exit code 0x10)";
  if (exit.code === EXIT_FAILURE) return "kernel stopped on a failure (exit code 0x11)";
  return `kernel exited with unknown code 0x${exit.code.toString(16)}`;
}

/**
 * Boots a kernel. `V86` is the emulator class (libv86.mjs); `files` holds
 * ArrayBuffers { bios, vgaBios, kernel } and `wasmPath` where v86.wasm is.
 * Returns { emulator, exited, readPhysical, cr3, cr0, sendSerial, setKeyboard, stop }:
 * `exited` resolves to { code }, { reset: true } or { crash: message } when the run ends.
 */
export function bootKernel(V86, { files, wasmPath, cmdline = "", memoryMiB = 128, screen = null, onSerial = () => {} }) {
  const emulator = new V86({
    wasm_path: wasmPath,
    bios: { buffer: files.bios },
    vga_bios: { buffer: files.vgaBios },
    // v86 writes into the buffer it is given; each boot gets its own copy.
    multiboot: { buffer: files.kernel.slice(0) },
    cmdline,
    memory_size: memoryMiB << 20,
    vga_memory_size: 2 << 20,
    screen_container: screen,
    disable_mouse: true,
    disable_keyboard: screen === null,
    disable_speaker: true,
    autostart: false,
  });
  let finish;
  const exited = new Promise((resolve) => (finish = resolve));
  let ended = false;
  const end = (exit) => {
    if (ended) return;
    ended = true;
    emulator.stop();
    finish(exit);
  };

  let keyboard = false;
  let line = "";
  let banners = 0;
  emulator.add_listener("serial0-output-byte", (byte) => {
    const ch = String.fromCharCode(byte);
    onSerial(ch);
    if (ch !== "\n") {
      line += ch;
      return;
    }
    if (line.startsWith(BANNER) && ++banners > 1) end({ reset: true });
    line = "";
  });
  emulator.add_listener("emulator-loaded", () => {
    emulator.keyboard_set_enabled(keyboard);
    const cpu = emulator.v86.cpu;
    const exit = (value) => end({ code: value & 0xff });
    cpu.io.register_write(DEBUG_EXIT_PORT, cpu, exit, exit, exit);
    const machine = emulator.v86;
    const tick = machine.do_tick.bind(machine);
    machine.do_tick = () => {
      try {
        tick();
      } catch (error) {
        end({ crash: String(error?.message ?? error) });
      }
    };
    emulator.run();
  });

  return {
    emulator,
    exited,
    /** `length` bytes of physical memory from `address` (a copy). */
    readPhysical: (address, length) => emulator.read_memory(address, length),
    /** CR3 as the CPU holds it now: the page directory's physical address (SDM vol. 3, 4.3). */
    cr3: () => emulator.v86.cpu.cr[3] >>> 0,
    /** CR0 as the CPU holds it now. */
    cr0: () => emulator.v86.cpu.cr[0] >>> 0,
    /** Text to the kernel's serial port (COM1), as if typed on a terminal. */
    sendSerial: (text) => emulator.serial0_send(text),
    /** Whether keys pressed on the page go to the emulated PS/2 keyboard. */
    setKeyboard: (on) => {
      keyboard = on;
      emulator.keyboard_set_enabled(on);
    },
    stop: () => {
      end({ stopped: true });
      emulator.destroy();
    },
  };
}
