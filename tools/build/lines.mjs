// tools/build/lines.mjs: TypeScript source lines for the generated C, so that the
// kernel's DWARF (GDB, the kernel's own line table) speaks kernel/**/*.ts.
//
//   node tools/build/lines.mjs wasm KERNEL.wasm KERNEL.wasm.map OUT.wasm OUT.json
//   node tools/build/lines.mjs c build/gen/kernel.c LINES.json build/gen/wasm-rt.h [OTHER.c|.h|.asm...]
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
//    pushes, so the value stack is as it was at every instruction. The
//    instructions binaryen inlined from another file before a function's
//    first line of its own count as that line, so that GDB's `break NAME`
//    names the function's file and line.
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
//    the wasm-rt.h it is compiled with); one of type string or of a class
//    is declared with a typedef of u32 of that name, for GDB's printers. In
//    the DEBUG=1 image, which binaryen does not optimize, the name section
//    names every local, and w2c_NAME becomes NAME on the same terms. Each
//    kernel function with a unique short name is called by it
//    (tools/lib/short-names.mjs), where no C or assembly of the image uses
//    it. wasm2c's export wrappers (Z_kernelZ_kmain) take the first line and
//    the names of the function they call.
//
// Paths are relative to the repository root, where clang runs; the
// AssemblyScript library (~lib/...) lives under node_modules.

import { readFileSync, writeFileSync } from "node:fs";
import {
  SECTION, parseModule, instructionsStart, sectionBytes, vectorBytes, uleb, sleb, nameBytes, cursor, customSection,
} from "../lib/wasm.mjs";
import { uniqueShortNames } from "../lib/short-names.mjs";

export const MARKER_NAME = "line_marker";
const MARKER_C_NAME = "w2c_" + MARKER_NAME;
const I32 = 0x7f;
const OP_I32_CONST = 0x41;
const OP_CALL = 0x10;
const OP_END = 0x0b;
const NAME_FUNCTIONS = 1;
const NAME_LOCALS = 2;
const LIBRARY_PREFIX = "~lib/";
const LIBRARY_PATH = "node_modules/assemblyscript/std/assembly/";


const C_RESERVED = new Set(`auto break case char const continue default do double else enum extern float for goto if
  inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
  volatile while _Bool bool true false NULL instance`.split(/\s+/));

const [mode, ...args] = process.argv.slice(2);
if (mode === "wasm") markWasm(...args);
else if (mode === "c") rewriteC(...args);
else {
  console.error("usage: lines.mjs wasm IN.wasm IN.wasm.map OUT.wasm OUT.json | lines.mjs c FILE.c LINES.json WASM-RT.h [OTHER.c|.h|.asm...]");
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

  const ownSource = new Map();
  for (const [index, wasmName] of module.functionNames) {
    const source = map.sources.indexOf(wasmName.slice(0, wasmName.lastIndexOf("/")) + ".ts");
    if (source >= 0) ownSource.set(index - module.importedFunctions, source);
  }

  let m = 0, markers = 0;
  const bodies = module.bodies.map((body, index) => {
    const first = instructionsStart(b, body);
    while (m < mappings.length && mappings[m].offset < first) m++;
    const parts = [b.subarray(body.start, first)];
    // The function's first line of its own file: what the instructions
    // before it, inlined by binaryen from another file, count as.
    const own = ownSource.get(index);
    let leading = null;
    for (let k = m; own !== undefined && k < mappings.length && mappings[k].offset < body.end; k++) {
      if (mappings[k].source === own) {
        leading = mappings[k];
        break;
      }
    }
    let at = first, previous = "", ownSeen = false;
    for (; m < mappings.length && mappings[m].offset < body.end; m++) {
      const { offset } = mappings[m];
      ownSeen ||= mappings[m].source === own;
      const { source, line } = ownSeen || !leading ? mappings[m] : leading;
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

  const params = {}, types = {};
  const classes = classNames(map);
  for (const [index, wasmName] of module.functionNames) {
    const declared = parameterNames(wasmName, map);
    const body = index - module.importedFunctions;
    if (!declared || body < 0) continue;
    const wasmParams = module.types[module.functionTypes[body]].params;
    if (declared.length !== wasmParams.length) continue;
    const c = "w2c_" + wasmName.replace(/[^A-Za-z0-9_]/g, "_");
    params[c] = declared.map((p) => p.name);
    // A string or a class instance is a pointer, an i32: its C type names the TypeScript type.
    types[c] = declared.map((p, n) => (wasmParams[n] === I32 && (p.type === "string" || classes.has(p.type)) ? p.type : null));
  }
  // Locals named in the name section (the debug image, which binaryen does
  // not optimize, keeps one per TypeScript local; the release image has none):
  // those whose name is a plain identifier, by C function.
  const locals = {};
  for (const [index, names] of localNames(module)) {
    const wasmName = module.functionNames.get(index);
    const plain = names.filter((n) => /^[A-Za-z_]\w*$/.test(n));
    if (wasmName && plain.length) locals["w2c_" + wasmName.replace(/[^A-Za-z0-9_]/g, "_")] = plain;
  }
  const names = Object.fromEntries(uniqueShortNames(module.functionNames.values()));
  writeFileSync(jsonPath, JSON.stringify({ marker: MARKER_C_NAME, sources: map.sources.map(repoPath), locations, params, types, locals, names }) + "\n");
  console.log(`lines: ${markers} line markers for ${locations.length} TypeScript lines in ${module.bodies.length} functions`);
}

/** Map from function index to the names of its locals (parameters first), from the name section. */
function localNames(module) {
  const out = new Map();
  const section = customSection(module, "name");
  if (!section) return out;
  const r = cursor(section);
  while (r.p < section.length) {
    const kind = section[r.p++];
    const next = r.u32() + r.p;
    if (kind === NAME_LOCALS) {
      for (let f = r.u32(); f > 0; f--) {
        const index = r.u32();
        const names = [];
        for (let n = r.u32(); n > 0; n--) {
          r.u32();
          names.push(r.name());
        }
        out.set(index, names);
      }
    }
    r.p = next;
  }
  return out;
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

/** The names of the classes the sources declare. */
function classNames(map) {
  const names = new Set();
  for (const text of map.sourcesContent ?? []) for (const [, name] of (text ?? "").matchAll(/\bclass\s+([A-Za-z_]\w*)/g)) names.add(name);
  return names;
}

/**
 * The parameter names of a function `file/name`, of an instance of a generic
 * one (`file/name<T>`: its declaration's), or of a method or constructor
 * (`file/Class#name`: `this`, then the declaration's), from the source, each
 * with its type's name where it is one word (`string`, `SlabDesc`); or null.
 */
function parameterNames(wasmName, map) {
  const plain = wasmName.replace(/<.*>$/, "");
  const slash = plain.lastIndexOf("/");
  if (slash < 0) return null;
  const member = plain.slice(slash + 1);
  const method = /^(\w+)#(\w+)$/.exec(member);
  if (!method && !/^\w+$/.test(member)) return null; // accessors, static methods, closures: left as wasm2c names them
  const source = map.sources.indexOf(plain.slice(0, slash) + ".ts");
  const text = map.sourcesContent?.[source];
  if (!text) return null;
  const declaration = method
    ? new RegExp(`\\bclass\\s+${method[1]}\\b[^{]*\\{[\\s\\S]*?^\\s*(?:(?:public|private|protected|static|readonly)\\s+)*${method[2]}\\s*(?:<[^>]*>)?\\s*\\(`, "m").exec(text)
    : new RegExp(`\\bfunction\\s+${member}\\s*(?:<[^>]*>)?\\s*\\(`).exec(text);
  if (!declaration) return null;
  let depth = 1, i = declaration.index + declaration[0].length;
  const start = i;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
  }
  const list = text.slice(start, i - 1).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  const names = method ? [{ name: "this", type: method[1] }] : [];
  if (!list.trim()) return names;
  let part = "", nesting = 0;
  for (const ch of list + ",") {
    if ("(<[{".includes(ch)) nesting++;
    if (")>]}".includes(ch) && !(ch === ">" && part.endsWith("="))) nesting--; // not a function type's =>
    if (ch === "," && nesting === 0) {
      if (!part.trim()) break; // after a trailing comma
      // A constructor's parameter may be a field too: `readonly name: string`.
      const found = /^\s*(?:(?:public|private|protected|readonly)\s+)*(\w+)\s*([?:=])([\s\S]*)$/.exec(part);
      if (!found) return null;
      const type = found[2] === ":" && /^\s*(\w+)\s*(?:\|\s*null\s*)?(?:=[\s\S]*)?$/.exec(found[3]);
      names.push({ name: found[1], type: type ? type[1] : null });
      part = "";
    } else {
      part += ch;
    }
  }
  return names;
}

// --- step 3: #line directives in the C -----------------------------------------------

function rewriteC(cPath, jsonPath, runtimeHeaderPath, ...otherPaths) {
  const { marker, sources, locations, params, types, locals, names } = JSON.parse(readFileSync(jsonPath, "utf8"));
  const text = readFileSync(cPath, "utf8");
  const macros = macroIdentifiers([text, readFileSync(runtimeHeaderPath, "utf8")]);
  // (An assembly file's comments run from ';' to the end of the line.)
  const others = [runtimeHeaderPath, ...otherPaths].map((p) => readFileSync(p, "utf8").replace(p.endsWith(".asm") ? /;.*$/gm : /$^/, ""));
  const used = identifiers([text, ...others]);
  // The TypeScript types parameters take in C, as typedefs of u32 (GDB's
  // pretty-printers in tools/gdb/kernel.py know them by name): those whose
  // name is free in the C.
  const typeNames = [...new Set(Object.values(types ?? {}).flat().filter(Boolean))]
    .filter((t) => !used.has(t) && !C_RESERVED.has(t) && !macros.has(t)).sort();
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const out = [];
  const pairStart = /^\s*(w2c_i\d+) = (\d+)u;$/;
  let removed = 0, helpers = 0, renamed = 0, typed = 0, localsNamed = 0, functions = 0, inFunctions = false;
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
    if (!inFunctions) {
      out.push("/* TypeScript types of parameters (tools/build/lines.mjs): what GDB prints them as. */");
      for (const t of typeNames) out.push(`typedef u32 ${t};`);
    }
    inFunctions = true;
    let end = i;
    while (lines[end] !== "}") end++;
    let body = lines.slice(i, end + 1);
    i = end;
    // The marker's call, with wasm2c's instance argument or without it
    // (tools/build/wasm2c-rewrite.mjs takes it out).
    const markerCall = (id) => [`${marker}(instance, ${id});`, `${marker}(${id});`];
    body = nameParameters(body, params[opens[1]], macros, () => renamed++);
    body = nameLocals(body, locals?.[opens[1]], macros, () => localsNamed++);
    body[0] = typeParameters(body[0], params[opens[1]], types?.[opens[1]], new Set(typeNames), () => typed++);
    if (!body.some((l) => l.includes(marker + "(instance,") || l.includes(marker + "(w2c_i"))) {
      out.push(...body);
      continue;
    }
    functions++;

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
  const [result, named] = nameFunctions(out.join("\n") + "\n", names, macros, others);
  writeFileSync(cPath, result);
  console.log(`lines: ${removed} markers became #line in ${functions} functions; ${renamed} parameters named, ${typed} typed; ${localsNamed} locals named; ${named} functions named; ${helpers} helpers nodebug`);
}

/** The identifiers of C or assembly texts: not the words of their comments, strings, #line's and #include's paths. */
function identifiers(texts) {
  const used = new Set();
  for (const c of texts) {
    const code = c.replace(/\/\*[\s\S]*?\*\/|\/\/.*$|^\s*#\s*include\b.*$/gm, " ").replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
    for (const w of code.match(/\b[A-Za-z_]\w*\b/g) ?? []) used.add(w);
  }
  return used;
}

/** A function's first line with each named parameter of a known TypeScript type declared with it (`SlabDesc d`). */
function typeParameters(line, names, types, known, count) {
  if (!names || !types) return line;
  return line.replace(/\bu32 (\w+)(?=[,)])/g, (whole, name) => {
    const type = types[names.indexOf(name)];
    if (!type || !known.has(type)) return whole;
    count();
    return `${type} ${name}`;
  });
}

/**
 * The C file with each kernel function of a unique TypeScript name called
 * by that name (alloc for w2c_kernel_mm_alloc_alloc; tools/lib/short-names.mjs),
 * so that its symbol and its DWARF name are the TypeScript one: GDB's stop
 * lines, `frame` and `break` show and take it. (An asm label keeping wasm2c's
 * symbol would not do: clang then writes it as the DWARF linkage name, and
 * GDB names a C function by that.) A name already used anywhere in the file
 * or in the C and headers it is built with (a parameter, a macro, a C
 * function) is left as wasm2c wrote it.
 */
function nameFunctions(text, names, macros, others) {
  const used = identifiers([text, ...others]);
  const rename = new Map();
  for (const [cName, short] of Object.entries(names ?? {})) {
    if (!used.has(cName) || used.has(short) || C_RESERVED.has(short) || macros.has(short)) continue;
    rename.set(cName, short);
  }
  const lines = text.split("\n").map((line) => line.replace(/\bw2c_\w+\b/g, (name) => rename.get(name) ?? name));
  return [lines.join("\n"), rename.size];
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

/**
 * The words the function's lines use, and a test of whether a TypeScript
 * name may be given in it: not a C keyword or macro, not a word a macro it
 * uses expands to, not already a word of it.
 */
function namesFree(body, macros) {
  const used = new Set(body.join("\n").match(/\b[A-Za-z_]\w*\b/g));
  const macroWords = macroWordsUsed(used, macros);
  const free = (name) => !C_RESERVED.has(name) && !macros.has(name) && !macroWords.has(name) && !used.has(name);
  return { used, free };
}

/** The function's lines with wasm2c's w2c_NAME of each named local (and parameter) renamed NAME, where NAME is free in it. */
function nameLocals(body, names, macros, count) {
  if (!names) return body;
  const { used, free } = namesFree(body, macros);
  const rename = new Map();
  for (const name of names) {
    if (!free(name) || !used.has(`w2c_${name}`)) continue;
    rename.set(`w2c_${name}`, name);
    count();
  }
  if (rename.size === 0) return body;
  return body.map((l) => l.replace(/\bw2c_\w+\b/g, (n) => rename.get(n) ?? n));
}

/** The function's lines with w2c_pN renamed to the TypeScript parameter names that are free in it. */
function nameParameters(body, names, macros, count) {
  if (!names) return body;
  const { used, free } = namesFree(body, macros);
  const chosen = new Set();
  const rename = new Map();
  names.forEach((name, n) => {
    if (!free(name) || chosen.has(name)) return;
    if (!used.has(`w2c_p${n}`)) return;
    chosen.add(name);
    rename.set(`w2c_p${n}`, name);
  });
  if (rename.size === 0) return body;
  for (let n = 0; n < rename.size; n++) count();
  return body.map((l) => l.replace(/\bw2c_p\d+\b/g, (p) => rename.get(p) ?? p));
}
