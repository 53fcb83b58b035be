// tools/lib/wasm.mjs: the one reader (and writer) of wasm binaries for the
// build steps and checks.
//
// A module is taken apart into sections and can be put back together, for
// the steps that edit it after binaryen (tools/build/lines.mjs), and read
// for what the checks and tables need: function names (tools/build/symbols.mjs),
// the memory and its data segments (tools/check/layout.mjs).
//
// Only what those steps touch is decoded: function types, imports, the
// function section, the code section's bodies (as byte ranges, never as
// instructions), the memory section, the "name" custom section's function
// names, and (on demand) the data segments. Everything else is copied byte
// for byte.

import { readFileSync } from "node:fs";

export const SECTION = { custom: 0, type: 1, import: 2, function: 3, memory: 5, code: 10, data: 11 };
const FUNC_TYPE = 0x60;
const IMPORT = { function: 0, table: 1, memory: 2, global: 3 };
const LIMITS_HAS_MAX = 1;
const NAME_SUBSECTION_FUNCTIONS = 1;
const DATA_ACTIVE = 0;
const OP_I32_CONST = 0x41;
const OP_END = 0x0b;

/** Unsigned LEB128 bytes of `value`. */
export function uleb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 bytes of the i32 `value`. */
export function sleb(value) {
  const out = [];
  value |= 0;
  while (true) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A cursor over `b` from `p`: LEB128 numbers (u32, s32 as its unsigned bits) and names. */
export function cursor(b, p = 0) {
  const c = { p };
  // One LEB128 number; a signed one extends its last byte's sign bit.
  const leb = (signed) => {
    let result = 0, shift = 0, byte;
    do {
      byte = b[c.p++];
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (signed && shift < 32 && byte & 0x40) result |= -1 << shift;
    return result >>> 0;
  };
  c.u32 = () => leb(false);
  c.s32 = () => leb(true);
  c.name = () => {
    const length = c.u32();
    c.p += length;
    return b.toString("utf8", c.p - length, c.p);
  };
  /** Limits (of a memory or a table): { min, max } (max null when absent). */
  c.limits = () => {
    const flags = c.u32();
    const min = c.u32();
    return { min, max: flags & LIMITS_HAS_MAX ? c.u32() : null };
  };
  return c;
}

/** Encodes a name as the binary format does: length, UTF-8 bytes. */
export function nameBytes(text) {
  const bytes = Buffer.from(text, "utf8");
  return [...uleb(bytes.length), ...bytes];
}

/**
 * The module at `b` as { sections: [{ id, start, end }] } (start..end is the
 * contents) plus what the steps need: types [{ params, results }],
 * importedFunctions, functionTypes (type index per defined function),
 * bodies [{ start, end }] (each body's bytes after its size), memory
 * ({ initialPages, maximumPages } of the module's own memory, or null), and
 * the name section's function names by index (functionNames, in the
 * section's order).
 */
export function parseModule(b) {
  if (b.readUInt32BE(0) !== 0x0061736d) throw new Error("not a wasm module");
  const sections = [];
  const c = cursor(b, 8); // past magic and version
  while (c.p < b.length) {
    const id = b[c.p++];
    const size = c.u32();
    sections.push({ id, start: c.p, end: c.p + size });
    c.p += size;
  }
  const module = {
    bytes: b, sections, types: [], importedFunctions: 0, functionTypes: [], bodies: [], memory: null, functionNames: new Map(),
  };
  for (const s of sections) {
    const r = cursor(b, s.start);
    if (s.id === SECTION.type) {
      for (let n = r.u32(); n > 0; n--) {
        if (b[r.p++] !== FUNC_TYPE) throw new Error("type section: not a function type");
        const params = [], results = [];
        for (let k = r.u32(); k > 0; k--) params.push(b[r.p++]);
        for (let k = r.u32(); k > 0; k--) results.push(b[r.p++]);
        module.types.push({ params, results });
      }
    } else if (s.id === SECTION.import) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = b[r.p++];
        if (kind === IMPORT.function) {
          r.u32(); // type index
          module.importedFunctions++;
        } else if (kind === IMPORT.table) {
          r.p++; // reference type
          r.limits();
        } else if (kind === IMPORT.memory) {
          r.limits();
        } else if (kind === IMPORT.global) {
          r.p += 2; // value type, mutability
        } else {
          throw new Error(`import section: unknown import kind ${kind}`);
        }
      }
    } else if (s.id === SECTION.function) {
      for (let n = r.u32(); n > 0; n--) module.functionTypes.push(r.u32());
    } else if (s.id === SECTION.memory) {
      if (r.u32() > 0) {
        const { min, max } = r.limits();
        module.memory = { initialPages: min, maximumPages: max };
      }
    } else if (s.id === SECTION.code) {
      for (let n = r.u32(); n > 0; n--) {
        const size = r.u32();
        module.bodies.push({ start: r.p, end: r.p + size });
        r.p += size;
      }
    } else if (s.id === SECTION.custom && r.name() === "name") {
      while (r.p < s.end) {
        const kind = b[r.p++];
        const next = r.u32() + r.p;
        if (kind === NAME_SUBSECTION_FUNCTIONS) for (let n = r.u32(); n > 0; n--) module.functionNames.set(r.u32(), r.name());
        r.p = next;
      }
    }
  }
  return module;
}

/** The contents of the custom section `name` of `module` (a Buffer), or null. */
export function customSection(module, name) {
  for (const s of module.sections.filter((s) => s.id === SECTION.custom)) {
    const r = cursor(module.bytes, s.start);
    if (r.name() === name) return module.bytes.subarray(r.p, s.end);
  }
  return null;
}

/** The module in the file at `path` (see parseModule). */
export function readModule(path) {
  return parseModule(readFileSync(path));
}

/**
 * The active data segments of `module`: [{ offset, size }]. Throws, naming
 * `what`, for a segment the kernel's layout cannot have (passive, another
 * memory, an offset that is not one i32.const).
 */
export function dataSegments(module, what = "module") {
  const b = module.bytes;
  const segments = [];
  for (const s of module.sections.filter((s) => s.id === SECTION.data)) {
    const r = cursor(b, s.start);
    for (let n = r.u32(); n > 0; n--) {
      const mode = r.u32();
      if (mode !== DATA_ACTIVE) throw new Error(`${what}: data segment mode ${mode} is not an active segment of memory 0`);
      if (b[r.p++] !== OP_I32_CONST) throw new Error(`${what}: data segment offset is not an i32.const`);
      const offset = r.s32();
      if (b[r.p++] !== OP_END) throw new Error(`${what}: data segment offset expression too long`);
      const size = r.u32();
      segments.push({ offset, size });
      r.p += size;
    }
  }
  return segments;
}

/** { initialPages, segments: [{ offset, size }] } of the module at `path` (active data segments only). */
export function wasmMemoryLayout(path) {
  const module = readModule(path);
  return { initialPages: module.memory?.initialPages ?? 0, segments: dataSegments(module, path) };
}

/** The function names of the module's "name" section, as asc --debug wrote them (kernel/main/kmain). */
export function wasmFunctionNames(path) {
  return [...readModule(path).functionNames.values()];
}

/** Where a body's instructions start: past its local declarations. */
export function instructionsStart(b, body) {
  const r = cursor(b, body.start);
  for (let n = r.u32(); n > 0; n--) {
    r.u32();
    r.p++;
  }
  return r.p;
}

/** A section as bytes: id, size, contents. */
export function sectionBytes(id, contents) {
  return Buffer.from([id, ...uleb(contents.length), ...contents]);
}

/** A vector as bytes: count, then each item's bytes. */
export function vectorBytes(items) {
  return Buffer.concat([Buffer.from(uleb(items.length)), ...items.map((i) => Buffer.from(i))]);
}
