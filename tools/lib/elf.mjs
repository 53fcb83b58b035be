// tools/lib/elf.mjs: the symbols of a 32-bit little-endian ELF file.

import { readFileSync } from "node:fs";

const SHT_SYMTAB = 2;

/** Map of symbol name -> { value, size, type } from the file's .symtab. */
export function elfSymbols(path) {
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 1 || b[5] !== 1) {
    throw new Error(`${path}: not a 32-bit little-endian ELF file`);
  }
  const shoff = b.readUInt32LE(0x20);
  const shentsize = b.readUInt16LE(0x2e);
  const shnum = b.readUInt16LE(0x30);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), offset: b.readUInt32LE(o + 16), size: b.readUInt32LE(o + 20), link: b.readUInt32LE(o + 24) };
  };
  const symbols = new Map();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_SYMTAB) continue;
    const strtab = section(s.link);
    for (let o = s.offset; o < s.offset + s.size; o += 16) {
      const nameOffset = strtab.offset + b.readUInt32LE(o);
      const name = b.toString("latin1", nameOffset, b.indexOf(0, nameOffset));
      if (name) symbols.set(name, { value: b.readUInt32LE(o + 4), size: b.readUInt32LE(o + 8), type: b[o + 12] & 0xf });
    }
  }
  return symbols;
}
