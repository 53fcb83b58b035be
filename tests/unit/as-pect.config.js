// as-pect: host unit tests over the kernel's own AssemblyScript sources.
//
// Specs import modules from kernel/ directly. Those that reach hardware do so
// through the "cpu" and "layout" imports (boot/cpu.c, boot/layout.c); here
// every such import the test module has is a stand-in that returns 0, but
// for `inb`, which reports the serial port ready, `rdtsc`, which returns a
// 64-bit 0, and `hlt`, which counts and throws. A panic in a spec so becomes
// a throw that `expect(...).toThrow()` catches, and tests/unit/host.ts's
// haltCount() tells that it was the kernel halting and not another trap.
//
// as-pect.asconfig.json puts AssemblyScript's data and heap above 1 MiB, so
// the low megabyte is scratch memory where the kernel's VGA writes land. It
// also builds with HOST_TEST (kernel/mm/backing.ts then calls the "host"
// page double, tests/unit/page-double.js, instead of paging) and
// KERNEL_DEBUG (poison).
import { pageDouble } from "./page-double.js";

let halts = 0;
let testMemory = null;
function bitString(base, bit, set) {
  const view = new DataView(testMemory.buffer);
  const at = (base >>> 0) + (bit >>> 5) * 4;
  const word = view.getUint32(at, true);
  const mask = 1 << (bit & 31);
  view.setUint32(at, set ? word | mask : word & ~mask, true);
  return (word & mask) !== 0 ? 1 : 0;
}
const STAND_INS = {
  cpu: {
    inb: () => 0xff,
    rdtsc: () => 0n,
    // BTS/BTR over the test module's memory: the bit's old value.
    bitTestAndSet: (base, bit) => bitString(base, bit, true),
    bitTestAndReset: (base, bit) => bitString(base, bit, false),
    hlt: () => {
      halts++;
      throw new Error("the kernel halted (cpu.hlt)");
    },
  },
  layout: {},
  host: {
    haltCount: () => halts,
    ...pageDouble,
  },
};

function hardwareImports(binary) {
  const imports = { cpu: {}, layout: {}, host: {} };
  for (const { module, name, kind } of WebAssembly.Module.imports(new WebAssembly.Module(binary))) {
    if (kind === "function" && module in STAND_INS) imports[module][name] = STAND_INS[module][name] ?? (() => 0);
  }
  return imports;
}

// tools/test/run.mjs names the spec files to run in TEST_UNIT_FILES
// (separated by spaces); without it, every spec runs. (as-pect adds files
// given on its command line to these entries, so the selection has to be
// made here.) Its reporter prints as-pect's usual summary and, for
// tools/test/run.mjs to count, a JSON line per spec file.
const ENTRIES = process.env.TEST_UNIT_FILES?.split(" ").filter(Boolean) ?? [];

export default {
  entries: ENTRIES.length ? ENTRIES : ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  reporter: "tools/test/aspect-reporter.mjs",
  async instantiate(memory, createImports, instantiate, binary) {
    const result = await instantiate(binary, createImports({ env: { memory }, ...hardwareImports(binary) }));
    testMemory = result.instance?.exports.memory ?? result.exports?.memory ?? memory;
    return result;
  },
  outputBinary: false,
};
