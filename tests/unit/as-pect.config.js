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
// page double below instead of paging) and KERNEL_DEBUG (poison).
let halts = 0;

// The page double: which pages of the test arena are "backed", each with its
// tag, and a limit on how many may be, to exhaust memory on purpose. It
// refuses what paging would refuse: backing a page twice, or unbacking or
// tagging one that is not backed.
//
// Pages of lazy areas are "parked" instead (paging's not-present entries
// that keep a tag): a parked page has a tag and no frame, and
// backParkedPage turns it into a backed page with the same tag. A limit
// on parked pages stands for running out of page tables.
const backed = new Map();
const parked = new Map();
const readOnly = new Set();
let pageLimit = Infinity;
let parkLimit = Infinity;
const hex = (v) => "0x" + (v >>> 0).toString(16);
function mustBeBacked(vaddr, what) {
  if (!backed.has(vaddr >>> 0)) throw new Error(`page double: ${what} of ${hex(vaddr)}, which is not backed`);
}
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
    backPage: (vaddr) => {
      if (backed.has(vaddr >>> 0)) throw new Error(`page double: ${hex(vaddr)} is backed already`);
      if (parked.has(vaddr >>> 0)) throw new Error(`page double: backPage of ${hex(vaddr)}, which is parked`);
      if (backed.size >= pageLimit) return 0;
      backed.set(vaddr >>> 0, 0);
      return 1;
    },
    unbackPage: (vaddr) => {
      mustBeBacked(vaddr, "unbackPage");
      backed.delete(vaddr >>> 0);
      readOnly.delete(vaddr >>> 0);
    },
    pageTag: (vaddr) => backed.get(vaddr >>> 0) ?? parked.get(vaddr >>> 0) ?? 0,
    setPageTag: (vaddr, tag) => {
      if (parked.has(vaddr >>> 0)) {
        parked.set(vaddr >>> 0, tag >>> 0);
        return;
      }
      mustBeBacked(vaddr, "setPageTag");
      backed.set(vaddr >>> 0, tag >>> 0);
    },
    pageBacked: (vaddr) => (backed.has(vaddr >>> 0) ? 1 : 0),
    parkPage: (vaddr, tag) => {
      if (backed.has(vaddr >>> 0) || parked.has(vaddr >>> 0)) throw new Error(`page double: parkPage of ${hex(vaddr)}, which is in use`);
      if (tag === 0 || (tag & 3) !== 0) throw new Error(`page double: parkPage with tag ${hex(tag)}, not a record`);
      if (parked.size >= parkLimit) return 0;
      parked.set(vaddr >>> 0, tag >>> 0);
      return 1;
    },
    unparkPage: (vaddr) => {
      if (!parked.has(vaddr >>> 0)) throw new Error(`page double: unparkPage of ${hex(vaddr)}, which is not parked`);
      parked.delete(vaddr >>> 0);
    },
    backParkedPage: (vaddr, writable) => {
      if (!parked.has(vaddr >>> 0)) throw new Error(`page double: backParkedPage of ${hex(vaddr)}, which is not parked`);
      if (backed.size >= pageLimit) return 0;
      backed.set(vaddr >>> 0, parked.get(vaddr >>> 0));
      parked.delete(vaddr >>> 0);
      if (!writable) readOnly.add(vaddr >>> 0);
      return 1;
    },
    parkedPages: () => parked.size,
    pageReadOnly: (vaddr) => (readOnly.has(vaddr >>> 0) ? 1 : 0),
    setParkLimit: (limit) => {
      parkLimit = limit >>> 0 === 0xffffffff ? Infinity : limit >>> 0;
    },
    backedPages: () => backed.size,
    setPageLimit: (limit) => {
      pageLimit = limit >>> 0 === 0xffffffff ? Infinity : limit >>> 0;
    },
    resetPages: () => {
      backed.clear();
      parked.clear();
      readOnly.clear();
      pageLimit = Infinity;
      parkLimit = Infinity;
    },
  },
};

function hardwareImports(binary) {
  const imports = { cpu: {}, layout: {}, host: {} };
  for (const { module, name, kind } of WebAssembly.Module.imports(new WebAssembly.Module(binary))) {
    if (kind === "function" && module in STAND_INS) imports[module][name] = STAND_INS[module][name] ?? (() => 0);
  }
  return imports;
}

// tools/test.sh names the spec files to run in TEST_UNIT_FILES (separated by
// spaces); without it, every spec runs. (as-pect adds files given on its
// command line to these entries, so the selection has to be made here.)
const ENTRIES = process.env.TEST_UNIT_FILES?.split(" ").filter(Boolean) ?? [];

export default {
  entries: ENTRIES.length ? ENTRIES : ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const result = await instantiate(binary, createImports({ env: { memory }, ...hardwareImports(binary) }));
    testMemory = result.instance?.exports.memory ?? result.exports?.memory ?? memory;
    return result;
  },
  outputBinary: false,
};
