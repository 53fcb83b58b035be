// tools/lib/elf.mjs: the symbols of a 32-bit little-endian ELF file.

import { readFileSync } from "node:fs";

const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4;
export const STT_NOTYPE = 0;
export const STT_FUNC = 2;

/**
 * Map of symbol name -> { value, size, type, code } from the file's .symtab;
 * `code` is true for symbols in an executable section.
 */
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
    return {
      type: b.readUInt32LE(o + 4),
      flags: b.readUInt32LE(o + 8),
      offset: b.readUInt32LE(o + 16),
      size: b.readUInt32LE(o + 20),
      link: b.readUInt32LE(o + 24),
    };
  };
  const symbols = new Map();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_SYMTAB) continue;
    const strtab = section(s.link);
    for (let o = s.offset; o < s.offset + s.size; o += 16) {
      const nameOffset = strtab.offset + b.readUInt32LE(o);
      const name = b.toString("latin1", nameOffset, b.indexOf(0, nameOffset));
      const shndx = b.readUInt16LE(o + 14);
      const code = shndx > 0 && shndx < shnum && (section(shndx).flags & SHF_EXECINSTR) !== 0;
      if (name) symbols.set(name, { value: b.readUInt32LE(o + 4), size: b.readUInt32LE(o + 8), type: b[o + 12] & 0xf, code });
    }
  }
  return symbols;
}

/** The file's sections: [{ name, address, size, type, flags }]. */
export function elfSections(path) {
  const b = readFileSync(path);
  const shoff = b.readUInt32LE(0x20);
  const shentsize = b.readUInt16LE(0x2e);
  const shnum = b.readUInt16LE(0x30);
  const shstrndx = b.readUInt16LE(0x32);
  const header = (i) => shoff + i * shentsize;
  const names = b.readUInt32LE(header(shstrndx) + 16);
  const sections = [];
  for (let i = 1; i < shnum; i++) {
    const o = header(i);
    const nameAt = names + b.readUInt32LE(o);
    sections.push({
      name: b.toString("latin1", nameAt, b.indexOf(0, nameAt)),
      type: b.readUInt32LE(o + 4),
      flags: b.readUInt32LE(o + 8),
      address: b.readUInt32LE(o + 12),
      size: b.readUInt32LE(o + 20),
    });
  }
  return sections;
}
