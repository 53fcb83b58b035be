// tools/check/import-circles.mjs: prove that imports run one way: no file
// reaches itself through relative imports.
//
//   node tools/check/import-circles.mjs [DIR...]     (default: kernel tools web bench tests)
//
// Reads every .ts, .mjs and .js file under the folders (not node_modules,
// not build) and the relative imports in them: `import ... from "./x"`,
// `export ... from "./x"`, `import "./x"` and `import("./x")` with a literal
// path. An AssemblyScript import names no extension ("../mm/alloc"): it is
// tried as it is, then with .ts, .mjs and .js, then as a folder's index.ts.
// Imports of files outside the folders, and of packages, are not followed.
//
// Each group of files that import one another in a circle is reported once,
// as the shortest circle through its first file, with the rest of the group
// when it is larger:
//
//   import-circles: kernel/mm/alloc.ts -> kernel/mm/area.ts -> kernel/mm/alloc.ts
//
// and the check fails. tests/tools/import-circles.test.js runs it in make test.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_ROOTS = ["kernel", "tools", "web", "bench", "tests"];
const SOURCE = /\.(ts|mjs|js)$/;
const SKIPPED_DIRS = new Set(["node_modules", "build"]);
const EXTENSIONS = ["", ".ts", ".mjs", ".js", "/index.ts"];

// A statement that starts a line: `import [... from] "x"`, `export ... from "x"`.
const STATIC_IMPORT = /^[ \t]*(?:import\s*(?:[^;'"`]*?\bfrom\s*)?|export\s[^;'"`]*?\bfrom\s*)["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The source files under `roots` (relative to `cwd`), as absolute paths. */
function sourceFiles(roots, cwd) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(path);
      } else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(path);
      }
    }
  };
  for (const root of roots) {
    const dir = resolve(cwd, root);
    if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir);
  }
  return files.sort();
}

/** Map file -> [files it imports], over `files` only. */
function importGraph(files) {
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = new Set();
    for (const match of [...text.matchAll(STATIC_IMPORT), ...text.matchAll(DYNAMIC_IMPORT)]) {
      const spec = match[1];
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const base = resolve(dirname(file), spec);
      const target = EXTENSIONS.map((e) => base + e).find((candidate) => known.has(candidate));
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The strongly connected components of `graph` that hold a circle (Tarjan's algorithm). */
function circularGroups(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v).includes(v)) groups.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The shortest circle from `start` back to it, within `group`: [start, ..., start]. */
function shortestCircle(graph, group, start) {
  const inGroup = new Set(group);
  const parent = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = parent.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  throw new Error(`no circle through ${start}`); // cannot be: the group is strongly connected
}

/**
 * The import circles among the files under `roots`: { files, circles: [{
 * circle: [a, b, ..., a], group: [every file of the group] }] }, paths
 * relative to `cwd`.
 */
export function importCircles(roots = DEFAULT_ROOTS, cwd = process.cwd()) {
  const files = sourceFiles(roots, cwd);
  const graph = importGraph(files);
  const rel = (f) => relative(cwd, f);
  const circles = circularGroups(graph).map((group) => ({
    circle: shortestCircle(graph, group, group[0]).map(rel),
    group: group.map(rel),
  }));
  return { files: files.length, circles };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_ROOTS;
  const { files, circles } = importCircles(roots);
  for (const { circle, group } of circles) {
    const rest = group.filter((f) => !circle.includes(f));
    console.error(`import-circles: ${circle.join(" -> ")}${rest.length ? ` (and, in the same tangle: ${rest.join(", ")})` : ""}`);
  }
  const where = `${files} files under ${roots.join(" ")}`;
  if (circles.length) {
    console.error(`import-circles: ${circles.length} circle${circles.length === 1 ? "" : "s"} among ${where}: imports must run one way`);
    process.exit(1);
  }
  console.log(`import-circles: no circle among ${where}`);
}
