// tools/lib/wasm-module.mjs: a wasm binary taken apart into sections and put
// back together, for build steps that edit a module after binaryen.
//
// Only what those steps touch is decoded: function types, the function
// section, the code section's bodies (as byte ranges, never as
// instructions), and the "name" custom section's subsections. Everything
// else is copied byte for byte.

export const SECTION = { custom: 0, type: 1, import: 2, function: 3, code: 10 };
const FUNC_TYPE = 0x60;
const IMPORT_FUNCTION = 0;

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
  return c;
}

/** Encodes a name as the binary format does: length, UTF-8 bytes. */
export function nameBytes(text) {
  const bytes = Buffer.from(text, "utf8");
  return [...uleb(bytes.length), ...bytes];
}

/**
 * The module at `b` as { sections: [{ id, start, end }] } (start..end is the
 * contents) plus what the editing steps need: types [{ params, results }],
 * importedFunctions, functionTypes (type index per defined function),
 * bodies [{ start, end }] (each body's bytes after its size), and the name
 * section's function names by index.
 */
export function parseModule(b) {
  if (b.readUInt32BE(0) !== 0x0061736d) throw new Error("not a wasm module");
  const sections = [];
  const c = cursor(b, 8);
  while (c.p < b.length) {
    const id = b[c.p++];
    const size = c.u32();
    sections.push({ id, start: c.p, end: c.p + size });
    c.p += size;
  }
  const module = { bytes: b, sections, types: [], importedFunctions: 0, functionTypes: [], bodies: [], functionNames: new Map() };
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
        if (kind !== IMPORT_FUNCTION) throw new Error("import section: only function imports are read");
        r.u32();
        module.importedFunctions++;
      }
    } else if (s.id === SECTION.function) {
      for (let n = r.u32(); n > 0; n--) module.functionTypes.push(r.u32());
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
        if (kind === 1) for (let n = r.u32(); n > 0; n--) module.functionNames.set(r.u32(), r.name());
        r.p = next;
      }
    }
  }
  return module;
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
