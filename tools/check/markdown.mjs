// tools/check/markdown.mjs: every markdown file of the tree renders as it
// reads: its code fences are balanced, and each relative link names a file
// that exists (and, with #anchor, a heading of that file).
//
//   node tools/check/markdown.mjs [FILE...]   default: every *.md outside
//                                             node_modules/ and build/
//
// Exits 1 with one line per problem, FILE:LINE first.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const SKIP = new Set(["node_modules", "build", ".git"]);

/** The markdown files under `dir`. */
export function markdownFiles(dir = ".") {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(path));
    else if (entry.name.endsWith(".md")) files.push(relative(".", path));
  }
  return files.sort();
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export const anchorOf = (heading) =>
  heading.trim().toLowerCase().replace(/`/g, "").replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");

/** The lines of `text` outside code fences, with { fenceProblem } when a fence is left open. */
function proseLines(text) {
  const lines = text.split("\n");
  const prose = [];
  let open = null; // the opening fence: { marker, line }
  lines.forEach((line, i) => {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      if (fence && fence[1][0] === open.marker[0] && fence[1].length >= open.marker.length && line.trim() === fence[1]) open = null;
    } else if (fence) {
      open = { marker: fence[1], line: i + 1 };
    } else {
      prose.push({ line: i + 1, text: line });
    }
  });
  return { prose, open };
}

/** The headings' anchors of the markdown file at `path`. */
function anchors(path) {
  const seen = new Map();
  const result = new Set();
  for (const { text } of proseLines(readFileSync(path, "utf8")).prose) {
    const m = /^#{1,6}\s+(.*)$/.exec(text);
    if (!m) continue;
    const base = anchorOf(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n ? `${base}-${n}` : base);
  }
  return result;
}

/** The problems of one file: ["FILE:LINE: ..."]. */
export function markdownProblems(file) {
  const problems = [];
  const { prose, open } = proseLines(readFileSync(file, "utf8"));
  if (open) problems.push(`${file}:${open.line}: code fence ${open.marker} is never closed`);
  for (const { line, text } of prose) {
    const withoutCode = text.replace(/`[^`]*`/g, "");
    for (const m of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split("#");
      const resolved = path ? join(dirname(file), decodeURIComponent(path)) : file;
      if (!existsSync(resolved)) {
        problems.push(`${file}:${line}: link to ${target}: no such file ${resolved}`);
      } else if (anchor && resolved.endsWith(".md") && statSync(resolved).isFile() && !anchors(resolved).has(anchor)) {
        problems.push(`${file}:${line}: link to ${target}: ${resolved} has no heading #${anchor}`);
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : markdownFiles();
  const problems = files.flatMap(markdownProblems);
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`markdown: ${files.length} files, fences balanced, relative links resolve`);
}
