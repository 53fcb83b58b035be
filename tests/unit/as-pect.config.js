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
// the low megabyte is scratch memory where the kernel's VGA writes land.
let halts = 0;
const STAND_INS = {
  cpu: {
    inb: () => 0xff,
    rdtsc: () => 0n,
    hlt: () => {
      halts++;
      throw new Error("the kernel halted (cpu.hlt)");
    },
  },
  layout: {},
  host: {
    haltCount: () => halts,
  },
};

function hardwareImports(binary) {
  const imports = { cpu: {}, layout: {}, host: {} };
  for (const { module, name, kind } of WebAssembly.Module.imports(new WebAssembly.Module(binary))) {
    if (kind === "function" && module in STAND_INS) imports[module][name] = STAND_INS[module][name] ?? (() => 0);
  }
  return imports;
}

export default {
  entries: ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory }, ...hardwareImports(binary) }));
  },
  outputBinary: false,
};
