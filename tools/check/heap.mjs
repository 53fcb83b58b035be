// tools/check/heap.mjs: prove, in the compiled module, that the code which
// must run without AssemblyScript's own heap never reaches it.
//
//   node tools/check/heap.mjs build/kernel.wasm
//
// The memory managers and paging (kernel/mm/), the CPU's own code
// (kernel/arch/x86/), the fault path (everything reachable from the entries boot/ calls on a fault:
// interruptDispatch, doubleFault, wasmTrap, and kernelAbort, asc's abort) and
// the panic path (panic, panicAt) run while the heap may be broken, or are
// what the heap itself would stand on. None of them may call the runtime's
// allocator: __new, __alloc, __renew and __realloc, the blocks under them,
// and __newArray/__newBuffer. String concatenation, String.UTF8 decoding,
// toString() and arrays made at run time all end there, so the check reads
// the call graph of build/kernel.wasm (binaryen, asc's own dependency, turns
// it into text) and follows every `call` from each root. When a root reaches
// the heap, the build fails naming the chain, root first:
//
//   check-heap: kernel/core/panic/panicAt reaches AssemblyScript's heap:
//     kernel/core/panic/panicAt -> ~lib/string/String#concat -> ~lib/rt/tcms/__new
//
// A call_indirect reaches the functions of the table whose type is the one
// the instruction names (wasm traps on any other), so the check follows it
// to each of them: the IRQ handlers (which take their line number) are the
// only (i32) -> () functions in the kernel's table, apart from the commands,
// injectors and suites (() -> ()), which allocate and which no root reaches.
//
// The optimiser inlines: a root inlined into kmain would leave its calls
// under kmain's name, out of sight of a check of the final module. So the
// check runs twice: as an asc transform (the default export, given with
// --transform) over the module before asc optimises it, where every
// function is still whole, and from the command line over the final
// build/kernel.wasm, which is what runs.

import { readFileSync } from "node:fs";

/** Functions that must not reach the heap: exact names, and name prefixes (a whole directory). */
export const ROOTS = [
  "kernel/trap/dispatch/interruptDispatch",
  "kernel/trap/dispatch/doubleFault",
  "kernel/core/wasm-trap/wasmTrap",
  "kernel/core/wasm-trap/kernelAbort",
  "kernel/core/panic/panic",
  "kernel/core/panic/panicAt",
];
export const ROOT_PREFIXES = ["kernel/mm/", "kernel/arch/x86/"];

/** The runtime's allocator (asc's "minimal" runtime: tcms over tlsf; the others for a changed runtime). */
const HEAP = /^~lib\/rt\/(?:(?:tcms|itcms|stub|tlsf)\/(?:__new|__alloc|__renew|__realloc|allocateBlock|reallocateBlock)|__newArray|__newBuffer)$/;

// The value types of a signature, from `(param $0 i32) (param i32 i32) (result i32)`.
function signature(text) {
  const part = (kind) => [...text.matchAll(new RegExp(`\\(${kind}((?:\\s+(?:\\$\\S+\\s+)?(?:i32|i64|f32|f64|v128|funcref|externref))+)\\)`, "g"))]
    .flatMap((m) => m[1].trim().split(/\s+/).filter((t) => !t.startsWith("$")));
  return `${part("param").join(" ")} -> ${part("result").join(" ")}`;
}

/** { calls: Map(name -> Set(callee)) } of the module's text, call_indirect resolved by type over the table. */
export function callGraph(text) {
  const calls = new Map();
  const types = new Map();       // type name -> signature
  const signatures = new Map();  // function name -> signature
  const table = [];
  const indirect = [];           // [function, type name]
  let current = null;
  for (const line of text.split("\n")) {
    const type = /^ \(type \$(\S+) \(func(.*)\)\)\s*$/.exec(line);
    if (type) types.set(type[1], signature(type[2]));
    const elem = /^ \(elem \S*\s*(?:\(i32\.const \d+\)|\(table \$\S+\) \(i32\.const \d+\) func)?\s*(.*)\)\s*$/.exec(line);
    if (elem) table.push(...[...elem[1].matchAll(/\$([^\s()]+)/g)].map((m) => m[1]));
    const func = /^ \(func \$(\S+)(.*)$/.exec(line);
    if (func) {
      current = func[1];
      calls.set(current, new Set());
      signatures.set(current, signature(func[2]));
      continue;
    }
    if (current === null) continue;
    // Folded text, `(call $f ...)` (binaryen's emitText), or flat, one
    // instruction a line, `call $f` (the text file asc writes).
    for (const call of line.matchAll(/(?:\(|^\s*)(?:return_)?call \$([^\s()]+)/g)) calls.get(current).add(call[1]);
    const viaTable = /(?:\(|^\s*)(?:return_)?call_indirect\b[^(]*(?:\(type \$([^\s()]+)\))?/.exec(line);
    if (viaTable) indirect.push([current, viaTable[1]]);
    if (/(?:\(|^\s*)(?:return_)?call_ref\b/.test(line)) indirect.push([current, null]);
  }
  for (const [caller, typeName] of indirect) {
    const wanted = typeName === undefined || typeName === null ? null : types.get(typeName);
    // A call whose type cannot be read may reach any function of the table.
    for (const target of table) if (wanted == null || signatures.get(target) === wanted) calls.get(caller).add(target);
  }
  return { calls };
}

/** The shortest chain from `root` to a heap function, or null. */
export function chainToHeap({ calls }, root) {
  const parent = new Map([[root, null]]);
  const queue = [root];
  while (queue.length > 0) {
    const name = queue.shift();
    if (HEAP.test(name)) {
      const chain = [];
      for (let n = name; n !== null; n = parent.get(n)) chain.unshift(n);
      return chain;
    }
    for (const callee of calls.get(name) ?? []) {
      if (!parent.has(callee)) {
        parent.set(callee, name);
        queue.push(callee);
      }
    }
  }
  return null;
}

/** The problems found in a module's text: roots missing, and every chain from a root to the heap. */
export function heapProblems(text, what, optimised = false) {
  const graph = callGraph(text);
  const problems = [];
  const roots = [];
  for (const name of ROOTS) {
    if (graph.calls.has(name)) roots.push(name);
    else problems.push(`${name} is not in ${what}: the check would not see its path (renamed? inlined?)`);
  }
  for (const prefix of ROOT_PREFIXES) {
    const found = [...graph.calls.keys()].filter((name) => name.startsWith(prefix));
    // In the final module a whole directory may be inlined into its callers
    // (arch/x86/ is); the module before optimisation has every function.
    if (found.length === 0 && !optimised) problems.push(`no function under ${prefix} in ${what}`);
    roots.push(...found);
  }
  for (const root of roots) {
    const chain = chainToHeap(graph, root);
    if (chain) problems.push(`${root} reaches AssemblyScript's heap:\n    ${chain.join(" -> ")}`);
  }
  return { problems, roots: roots.length };
}

function report({ problems, roots }, what) {
  if (problems.length === 0) {
    console.log(`check-heap: ${what}: ${roots} functions (mm/, paging, fault and panic paths) never reach the heap`);
    return true;
  }
  for (const problem of problems) console.error(`check-heap: ${what}: ${problem}`);
  console.error("check-heap: mm/, paging, the fault and panic paths must not allocate (see tools/check/heap.mjs)");
  return false;
}

/** The asc transform: the module before optimisation, every function whole. */
export default class CheckHeap {
  afterCompile(module) {
    // asc's module object wraps binaryen's; emitText is the same text format.
    const what = "the module before optimisation";
    if (report(heapProblems(module.emitText(), what), what)) return;
    // asc prints the error's stack: make it the one line that matters.
    const error = new Error("check-heap: the build stops here (see above)");
    error.stack = error.message;
    throw error;
  }
}

// From the command line: a .wat is read as it is; asc writes the final
// module's text next to the binary (--textFile) from the same module, so the
// build reads that rather than decoding build/kernel.wasm and printing it
// again (half a second of every build). Any other file is read as a binary.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const file = process.argv[2];
  let text;
  if (file.endsWith(".wat")) {
    text = readFileSync(file, "utf8");
  } else {
    const { default: binaryen } = await import("binaryen");
    const module = binaryen.readBinary(readFileSync(file));
    text = module.emitText();
    module.dispose();
  }
  if (!report(heapProblems(text, file, true), file)) process.exit(1);
}
