// tools/lib/dwarf-lines.mjs: the line table of an ELF file's DWARF, decoded
// by llvm-dwarfdump (Debian's `llvm`).

import { execFileSync } from "node:child_process";

/**
 * [{ address, file, line }] sorted by address, from every line program of
 * `elfPath`; `file` is the path as the compiler saw it (relative to the
 * directory it ran in, when it was given so), and line 0 marks an address
 * with no line: the end of a sequence.
 */
export function dwarfLines(elfPath) {
  const text = execFileSync("llvm-dwarfdump", ["--debug-line", elfPath], { encoding: "utf8", maxBuffer: 1 << 28 });
  const rows = [];
  let dirs = [], files = [], file = null;
  const compileDir = (d) => (d === dirs[0] ? "" : d);
  for (const line of text.split("\n")) {
    let m;
    if (line.startsWith("debug_line[")) {
      dirs = [];
      files = [];
    } else if ((m = /^include_directories\[\s*(\d+)\] = "(.*)"$/.exec(line))) {
      dirs[Number(m[1])] = m[2];
    } else if ((m = /^file_names\[\s*(\d+)\]:$/.exec(line))) {
      file = files[Number(m[1])] = { name: "", dir: 0 };
    } else if (file && (m = /^\s+name: "(.*)"$/.exec(line))) {
      file.name = m[1];
    } else if (file && (m = /^\s+dir_index: (\d+)$/.exec(line))) {
      file.dir = Number(m[1]);
    } else if ((m = /^0x([0-9a-f]{16})\s+(\d+)\s+\d+\s+(\d+)\s.*?(end_sequence)?$/.exec(line))) {
      const f = files[Number(m[3])];
      const dir = f.name.startsWith("/") ? "" : compileDir(dirs[f.dir]);
      rows.push({
        address: parseInt(m[1], 16),
        file: dir ? `${dir}/${f.name}` : f.name,
        line: m[4] ? 0 : Number(m[2]),
      });
    }
  }
  return rows.sort((a, b) => a.address - b.address);
}
