// tools/lib/wasm.mjs: the parts of a wasm binary the build checks read.

import { readFileSync } from "node:fs";

const SECTION_MEMORY = 5;
const SECTION_DATA = 11;
const OP_I32_CONST = 0x41;
const OP_END = 0x0b;

/** { initialPages, segments: [{ offset, size }] } of the module at `path` (active data segments only). */
export function wasmMemoryLayout(path) {
  const b = readFileSync(path);
  let p = 8; // magic and version
  const u32 = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = b[p++];
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return result >>> 0;
  };
  const s32 = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = b[p++];
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 32 && byte & 0x40) result |= -1 << shift;
    return result >>> 0;
  };
  let initialPages = 0;
  const segments = [];
  while (p < b.length) {
    const id = b[p++];
    const size = u32();
    const end = p + size;
    if (id === SECTION_MEMORY) {
      u32(); // count (1)
      const flags = u32();
      initialPages = u32();
      if (flags & 1) u32();
    } else if (id === SECTION_DATA) {
      for (let n = u32(); n > 0; n--) {
        const mode = u32();
        if (mode !== 0) throw new Error(`${path}: data segment mode ${mode} is not an active segment of memory 0`);
        if (b[p++] !== OP_I32_CONST) throw new Error(`${path}: data segment offset is not an i32.const`);
        const offset = s32();
        if (b[p++] !== OP_END) throw new Error(`${path}: data segment offset expression too long`);
        const length = u32();
        segments.push({ offset, size: length });
        p += length;
      }
    }
    p = end;
  }
  return { initialPages, segments };
}
