// tools/build/lines.mjs: TypeScript source lines for the generated C, so that the
// kernel's DWARF (GDB, the kernel's own line table) speaks kernel/**/*.ts.
//
//   node tools/build/lines.mjs wasm KERNEL.wasm KERNEL.wasm.map OUT.wasm OUT.json
//   node tools/build/lines.mjs c build/gen/kernel.c LINES.json build/gen/wasm-rt.h
//
// wabt's wasm2c emits no line information, so the locations travel through
// it as code and come out as #line directives:
//
// 1. `wasm`, after binaryen has optimized: asc's source map gives a
//    (file, line) for the start of many instructions. Before each one where
//    the location changes within a function, this step inserts the pair
//    `i32.const ID; call line_marker`, ID numbering the location. line_marker
//    is a new, empty function (i32) -> () appended after every other function,
//    so no function index moves and no import is added; the pair pops what it
//    pushes, so the value stack is as it was at every instruction.
// 2. wasm2c prints each pair as two lines, `w2c_iN = ID;` and the call.
// 3. `c`: each pair is removed and every following C line of the function
//    gets its own `#line N "kernel/....ts"` (a directive numbers the physical
//    lines after it, so one per line); after each function the file's own
//    numbering is restored. The compiled code is what it was without this
//    step: the markers are gone before clang sees them.
//    wasm2c's static inline helpers (i32_load, ...) are marked nodebug, so
//    their inlined instructions belong to the TypeScript line that uses them.
//    Parameters w2c_p0, w2c_p1, ... get their TypeScript names, read from the
//    function's signature in the source (binaryen keeps parameters but not
//    local names at -O3), where that name is free in the function and no
//    macro the function uses refers to it (the macros of the C file and of
//    the wasm-rt.h it is compiled with). wasm2c's export wrappers
//    (Z_kernelZ_kmain) take the first line and the names of the function
//    they call.
//
// Paths are relative to the repository root, where clang runs; the
// AssemblyScript library (~lib/...) lives under node_modules.

import { readFileSync, writeFileSync } from "node:fs";
import {
  SECTION, parseModule, instructionsStart, sectionBytes, vectorBytes, uleb, sleb, nameBytes, cursor,
} from "../lib/wasm.mjs";

export const MARKER_NAME = "line_marker";
const MARKER_C_NAME = "w2c_" + MARKER_NAME;
const I32 = 0x7f;
const OP_I32_CONST = 0x41;
const OP_CALL = 0x10;
const OP_END = 0x0b;
const NAME_FUNCTIONS = 1;
const LIBRARY_PREFIX = "~lib/";
const LIBRARY_PATH = "node_modules/assemblyscript/std/assembly/";


const C_RESERVED = new Set(`auto break case char const continue default do double else enum extern float for goto if
  inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
  volatile while _Bool bool true false NULL instance this`.split(/\s+/));

const [mode, ...args] = process.argv.slice(2);
if (mode === "wasm") markWasm(...args);
else if (mode === "c") rewriteC(...args);
else {
  console.error("usage: lines.mjs wasm IN.wasm IN.wasm.map OUT.wasm OUT.json | lines.mjs c FILE.c LINES.json WASM-RT.h");
  process.exit(2);
}

// --- step 1: markers in the wasm ---------------------------------------------------

/** [{ offset, source, line }] from a wasm source map: the generated column is the byte offset. */
function decodeMappings(mappings) {
  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const out = [];
  let offset = 0, source = 0, line = 0, column = 0;
  for (const segment of mappings.split(/[,;]/)) {
    if (!segment) continue;
    const fields = [];
    let value = 0, shift = 0;
    for (const ch of segment) {
      const digit = BASE64.indexOf(ch);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = shift = 0;
      }
    }
    offset += fields[0];
    if (fields.length < 4) continue;
    source += fields[1];
    line += fields[2];
    column += fields[3];
    out.push({ offset, source, line: line + 1 });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function repoPath(source) {
  return source.startsWith(LIBRARY_PREFIX) ? LIBRARY_PATH + source.slice(LIBRARY_PREFIX.length) : source;
}

function markWasm(wasmPath, mapPath, outPath, jsonPath) {
  const b = readFileSync(wasmPath);
  const map = JSON.parse(readFileSync(mapPath, "utf8"));
  const module = parseModule(b);
  const mappings = decodeMappings(map.mappings);

  // The marker's type: an existing (i32) -> () or a new one at the end.
  let markerType = module.types.findIndex((t) => t.params.length === 1 && t.params[0] === I32 && t.results.length === 0);
  const addType = markerType < 0;
  if (addType) markerType = module.types.length;
  const markerIndex = module.importedFunctions + module.bodies.length;
  const markerCall = [OP_CALL, ...uleb(markerIndex)];

  const locations = [];
  const locationIds = new Map();
  const locationId = (source, line) => {
    const key = `${source}:${line}`;
    if (!locationIds.has(key)) {
      locationIds.set(key, locations.length);
      locations.push([source, line]);
    }
    return locationIds.get(key);
  };

  let m = 0, markers = 0;
  const bodies = module.bodies.map((body) => {
    const first = instructionsStart(b, body);
    while (m < mappings.length && mappings[m].offset < first) m++;
    const parts = [b.subarray(body.start, first)];
    let at = first, previous = "";
    for (; m < mappings.length && mappings[m].offset < body.end; m++) {
      const { offset, source, line } = mappings[m];
      const key = `${source}:${line}`;
      if (key === previous) continue;
      previous = key;
      parts.push(b.subarray(at, offset), Buffer.from([OP_I32_CONST, ...sleb(locationId(source, line)), ...markerCall]));
      at = offset;
      markers++;
    }
    parts.push(b.subarray(at, body.end));
    const contents = Buffer.concat(parts);
    return Buffer.concat([Buffer.from(uleb(contents.length)), contents]);
  });
  const markerBody = [0 /* no locals */, OP_END];
  bodies.push(Buffer.from([...uleb(markerBody.length), ...markerBody]));

  const out = [b.subarray(0, 8)];
  for (const s of module.sections) {
    const contents = b.subarray(s.start, s.end);
    const r = cursor(b, s.start);
    if (s.id === SECTION.type && addType) {
      r.u32();
      out.push(sectionBytes(s.id, [...uleb(module.types.length + 1), ...b.subarray(r.p, s.end), 0x60, 1, I32, 0]));
    } else if (s.id === SECTION.function) {
      out.push(sectionBytes(s.id, vectorBytes([...module.functionTypes, markerType].map((t) => uleb(t)))));
    } else if (s.id === SECTION.code) {
      out.push(sectionBytes(s.id, Buffer.concat([Buffer.from(uleb(bodies.length)), ...bodies])));
    } else if (s.id === SECTION.custom) {
      const name = r.name();
      if (name === "name") out.push(sectionBytes(s.id, nameSection(b, r.p, s.end, markerIndex)));
      else if (name !== "sourceMappingURL") out.push(sectionBytes(s.id, contents));
    } else {
      out.push(sectionBytes(s.id, contents));
    }
  }
  writeFileSync(outPath, Buffer.concat(out));

  const params = {};
  for (const [index, wasmName] of module.functionNames) {
    const names = parameterNames(wasmName, map);
    const body = index - module.importedFunctions;
    if (!names || body < 0) continue;
    if (names.length !== module.types[module.functionTypes[body]].params.length) continue;
    params["w2c_" + wasmName.replace(/[^A-Za-z0-9_]/g, "_")] = names;
  }
  writeFileSync(jsonPath, JSON.stringify({ marker: MARKER_C_NAME, sources: map.sources.map(repoPath), locations, params }) + "\n");
  console.log(`lines: ${markers} line markers for ${locations.length} TypeScript lines in ${module.bodies.length} functions`);
}

/** The name section with line_marker's name added (the function names subsection is in index order). */
function nameSection(b, from, end, markerIndex) {
  const out = [...nameBytes("name")];
  const r = cursor(b, from);
  while (r.p < end) {
    const kind = b[r.p++];
    const size = r.u32();
    const next = r.p + size;
    let contents = b.subarray(r.p, next);
    if (kind === NAME_FUNCTIONS) {
      const count = r.u32();
      contents = Buffer.concat([Buffer.from(uleb(count + 1)), b.subarray(r.p, next), Buffer.from([...uleb(markerIndex), ...nameBytes(MARKER_NAME)])]);
    }
    out.push(kind, ...uleb(contents.length), ...contents);
    r.p = next;
  }
  return out;
}

/** The parameter names of a plain function `file/name`, from its declaration in the source, or null. */
function parameterNames(wasmName, map) {
  const slash = wasmName.lastIndexOf("/");
  if (slash < 0) return null;
  const name = wasmName.slice(slash + 1);
  if (!/^\w+$/.test(name)) return null; // methods, accessors, closures: left as wasm2c names them
  const source = map.sources.indexOf(wasmName.slice(0, slash) + ".ts");
  const text = map.sourcesContent?.[source];
  if (!text) return null;
  const declaration = new RegExp(`\\bfunction\\s+${name}\\s*(?:<[^>]*>)?\\s*\\(`).exec(text);
  if (!declaration) return null;
  let depth = 1, i = declaration.index + declaration[0].length;
  const start = i;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
  }
  const list = text.slice(start, i - 1).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  if (!list.trim()) return [];
  const names = [];
  let part = "", nesting = 0;
  for (const ch of list + ",") {
    if ("(<[{".includes(ch)) nesting++;
    if (")>]}".includes(ch)) nesting--;
    if (ch === "," && nesting === 0) {
      const found = /^\s*(\w+)\s*[?:=]/.exec(part);
      if (!found) return null;
      names.push(found[1]);
      part = "";
    } else {
      part += ch;
    }
  }
  return names;
}

// --- step 3: #line directives in the C -----------------------------------------------

function rewriteC(cPath, jsonPath, runtimeHeaderPath) {
  const { marker, sources, locations, params } = JSON.parse(readFileSync(jsonPath, "utf8"));
  const text = readFileSync(cPath, "utf8");
  const macros = macroIdentifiers([text, readFileSync(runtimeHeaderPath, "utf8")]);
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const out = [];
  const pairStart = /^\s*(w2c_i\d+) = (\d+)u;$/;
  let removed = 0, helpers = 0, renamed = 0, functions = 0, inFunctions = false;
  const firstLocation = new Map();

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const thunk = /^\S.*\bZ_kernelZ_\w+\(.*\) \{$/.test(line) && /^\s+(?:return )?(w2c_\w+)\(/m.exec(lines.slice(i, i + 4).join("\n"));
    if (thunk && firstLocation.has(thunk[1])) {
      // An export's wrapper: its lines are the first line of the function it calls.
      const [source, at] = firstLocation.get(thunk[1]);
      let end = i;
      while (lines[end] !== "}") end++;
      const body = nameParameters(lines.slice(i, end + 1), params[thunk[1]], macros, () => renamed++);
      for (const c of body) out.push(`#line ${at} "${sources[source]}"`, c);
      out.push(`#line ${out.length + 2} "${cPath}"`);
      i = end;
      continue;
    }
    const opens = /^\S.*\b(w2c_\w+)\(.*\) \{$/.exec(line);
    if (!opens) {
      // Before the first function: the helpers wasm2c defines, kept out of the line table.
      if (!inFunctions && /^\s*static inline /.test(line)) {
        out.push(line.replace(/static inline /, "__attribute__((nodebug)) static inline "));
        helpers++;
      } else {
        out.push(line);
      }
      continue;
    }
    inFunctions = true;
    let end = i;
    while (lines[end] !== "}") end++;
    let body = lines.slice(i, end + 1);
    i = end;
    // The marker's call, with wasm2c's instance argument or without it
    // (tools/build/wasm2c-rewrite.mjs takes it out).
    const markerCall = (id) => [`${marker}(instance, ${id});`, `${marker}(${id});`];
    if (!body.some((l) => l.includes(marker + "(instance,") || l.includes(marker + "(w2c_i"))) {
      out.push(...body);
      continue;
    }
    functions++;
    body = nameParameters(body, params[opens[1]], macros, () => renamed++);

    // The location of each C line: the marker before it; lines before the first marker take the first.
    const kept = [];
    let location = null;
    for (let k = 0; k < body.length; k++) {
      const pair = pairStart.exec(body[k]);
      if (pair && markerCall(pair[1]).includes(body[k + 1]?.trim())) {
        location = locations[Number(pair[2])];
        if (!location) throw new Error(`${cPath}: line marker ${pair[2]} names no location`);
        for (const earlier of kept) earlier.location ??= location;
        removed++;
        k++;
        continue;
      }
      kept.push({ text: body[k], location });
    }
    firstLocation.set(opens[1], kept[0].location);
    for (const { text: c, location: [source, line] } of kept) {
      out.push(`#line ${line} "${sources[source]}"`, c);
    }
    out.push(`#line ${out.length + 2} "${cPath}"`);
  }

  const left = out.filter((l) => l.includes(marker + "(instance,") || l.includes(marker + "(w2c_i")).length;
  if (left > 0) {
    console.error(`${cPath}: ${left} line marker call(s) not in the expected two-line form; wasm2c output changed`);
    process.exit(1);
  }
  if (removed === 0 || helpers < 20) {
    console.error(`${cPath}: ${removed} line markers, ${helpers} static inline helpers found; wasm2c output changed`);
    process.exit(1);
  }
  writeFileSync(cPath, out.join("\n") + "\n");
  console.log(`lines: ${removed} markers became #line in ${functions} functions; ${renamed} parameters named; ${helpers} helpers nodebug`);
}

/** Map from each macro's name to the identifiers its expansion refers to (its body's, less its parameters). */
function macroIdentifiers(texts) {
  const macros = new Map();
  for (const text of texts) {
    for (const [, name, params, body] of text.matchAll(/^#\s*define\s+(\w+)(\([^)]*\))?((?:[^\n]*\\\n)*[^\n]*)/gm)) {
      const own = new Set(params?.match(/\w+/g) ?? []);
      const free = macros.get(name) ?? new Set();
      for (const word of body.match(/\b[A-Za-z_]\w*\b/g) ?? []) if (!own.has(word)) free.add(word);
      macros.set(name, free);
    }
  }
  return macros;
}

/** The names a parameter of this function must not take: the macros it uses and what they expand to refer to. */
function macroWordsUsed(used, macros) {
  const words = new Set();
  const pending = [...used].filter((w) => macros.has(w));
  while (pending.length) {
    const name = pending.pop();
    if (words.has(name)) continue;
    words.add(name);
    for (const w of macros.get(name)) {
      if (macros.has(w)) pending.push(w);
      else words.add(w);
    }
  }
  return words;
}

/** The function's lines with w2c_pN renamed to the TypeScript parameter names that are free in it. */
function nameParameters(body, names, macros, count) {
  if (!names) return body;
  const text = body.join("\n");
  const used = new Set(text.match(/\b[A-Za-z_]\w*\b/g));
  const macroWords = macroWordsUsed(used, macros);
  const chosen = new Set();
  const rename = new Map();
  names.forEach((name, n) => {
    if (C_RESERVED.has(name) || macros.has(name) || macroWords.has(name) || used.has(name) || chosen.has(name)) return;
    if (!used.has(`w2c_p${n}`)) return;
    chosen.add(name);
    rename.set(`w2c_p${n}`, name);
  });
  if (rename.size === 0) return body;
  for (let n = 0; n < rename.size; n++) count();
  return body.map((l) => l.replace(/\bw2c_p\d+\b/g, (p) => rename.get(p) ?? p));
}
