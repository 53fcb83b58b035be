// as-pect: host unit tests over the kernel's own AssemblyScript sources.
// Specs import modules from kernel/ directly; only modules that touch no
// hardware (no "cpu" imports) can run here.
export default {
  entries: ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
