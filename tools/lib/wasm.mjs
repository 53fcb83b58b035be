// tools/lib/wasm.mjs: the parts of a wasm binary the build checks read.

import { readFileSync } from "node:fs";
import { cursor } from "./wasm-module.mjs";

const SECTION_MEMORY = 5;
const SECTION_DATA = 11;
const OP_I32_CONST = 0x41;
const OP_END = 0x0b;

/** A cursor over a wasm binary past its header (lib/wasm-module.mjs), with a walk over its sections. */
function reader(b) {
  const r = cursor(b, 8); // past magic and version
  /** Calls visit(id, end) for each section, positioned at its contents. */
  r.sections = (visit) => {
    while (r.p < b.length) {
      const id = b[r.p++];
      const size = r.u32();
      const end = r.p + size;
      visit(id, end);
      r.p = end;
    }
  };
  return r;
}

/** { initialPages, segments: [{ offset, size }] } of the module at `path` (active data segments only). */
export function wasmMemoryLayout(path) {
  const b = readFileSync(path);
  const r = reader(b);
  const { u32, s32 } = r;
  let initialPages = 0;
  const segments = [];
  r.sections((id) => {
    if (id === SECTION_MEMORY) {
      u32(); // count (1)
      const flags = u32();
      initialPages = u32();
      if (flags & 1) u32();
    } else if (id === SECTION_DATA) {
      for (let n = u32(); n > 0; n--) {
        const mode = u32();
        if (mode !== 0) throw new Error(`${path}: data segment mode ${mode} is not an active segment of memory 0`);
        if (b[r.p++] !== OP_I32_CONST) throw new Error(`${path}: data segment offset is not an i32.const`);
        const offset = s32();
        if (b[r.p++] !== OP_END) throw new Error(`${path}: data segment offset expression too long`);
        const length = u32();
        segments.push({ offset, size: length });
        r.p += length;
      }
    }
  });
  return { initialPages, segments };
}

const SECTION_CUSTOM = 0;
const NAME_SUBSECTION_FUNCTIONS = 1;

/** The function names of the module's "name" section, as asc --debug wrote them (kernel/main/kmain). */
export function wasmFunctionNames(path) {
  const b = readFileSync(path);
  const r = reader(b);
  const names = [];
  r.sections((id, end) => {
    if (id !== SECTION_CUSTOM || r.name() !== "name") return;
    while (r.p < end) {
      const kind = b[r.p++];
      const size = r.u32();
      const next = r.p + size;
      if (kind === NAME_SUBSECTION_FUNCTIONS) {
        for (let n = r.u32(); n > 0; n--) {
          r.u32(); // function index
          names.push(r.name());
        }
      }
      r.p = next;
    }
  });
  return names;
}
