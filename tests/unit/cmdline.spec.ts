// kernel/lib/cmdline.ts on the host, over command lines held in test memory.
import { cmdlineUnknownWord, cmdlineValue, cstringLength, parseNumber } from "../../kernel/lib/cmdline";

// A NUL-terminated copy of `s`, as a boot loader would leave it.
function cstring(s: string): usize {
  return changetype<usize>(String.UTF8.encode(s, true));
}

function valueOf(line: string, key: string): string | null {
  const text = cstring(line);
  return cmdlineValue(text, cstringLength(text), key);
}

describe("cmdlineValue", () => {
  it("finds a key after QEMU's kernel file name", () => {
    expect(valueOf("build/kernel.elf test=console", "test")).toBe("console");
  });
  it("returns null for an absent key", () => {
    expect(valueOf("build/kernel.elf test=console", "trap")).toBeNull();
  });
  it("returns an empty string for a bare flag", () => {
    expect(valueOf("kernel bench", "bench")).toBe("");
  });
  it("does not take a longer key for a shorter one", () => {
    expect(valueOf("kernel testing=1 test=paging", "test")).toBe("paging");
  });
  it("does not match the key inside a value", () => {
    expect(valueOf("kernel fault=test=1", "test")).toBeNull();
  });
  it("takes the first of repeated keys", () => {
    expect(valueOf("kernel trap=gpf trap=divide", "trap")).toBe("gpf");
  });
  it("copes with repeated and trailing spaces", () => {
    expect(valueOf("  kernel   fault=0xdead0000   ", "fault")).toBe("0xdead0000");
  });
  it("finds nothing in an empty line", () => {
    expect(valueOf("", "test")).toBeNull();
  });
  it("keeps an empty value after '='", () => {
    expect(valueOf("kernel test=", "test")).toBe("");
  });
});

describe("cstringLength", () => {
  it("stops at the NUL", () => {
    expect(cstringLength(cstring("abc"))).toBe(3);
    expect(cstringLength(cstring(""))).toBe(0);
  });
});

describe("parseNumber", () => {
  it("reads decimal", () => {
    expect(parseNumber("4096")).toBe(4096);
  });
  it("reads hex with either case of prefix and digits", () => {
    expect(parseNumber("0xdead0000")).toBe(0xdead0000);
    expect(parseNumber("0XDEAD0000")).toBe(0xdead0000);
  });
  it("reads the largest u32", () => {
    expect(parseNumber("0xffffffff")).toBe(0xffffffff);
  });
  it("refuses values past 32 bits", () => {
    expect(parseNumber("0x100000000")).toBe(-1);
    expect(parseNumber("4294967296")).toBe(-1);
  });
  it("refuses junk, a bare prefix and the empty string", () => {
    expect(parseNumber("12a")).toBe(-1);
    expect(parseNumber("0xg")).toBe(-1);
    expect(parseNumber("0x")).toBe(-1);
    expect(parseNumber("")).toBe(-1);
  });
});

const KNOWN: StaticArray<string> = ["test", "trap", "bench"];

function unknownIn(line: string): string | null {
  const text = cstring(line);
  return cmdlineUnknownWord(text, cstringLength(text), KNOWN);
}

describe("cmdlineUnknownWord", () => {
  it("skips the first word, the kernel's file name", () => {
    expect(unknownIn("build/kernel.elf test=paging")).toBeNull();
  });
  it("knows keys with and without values", () => {
    expect(unknownIn("kernel bench trap=gpf")).toBeNull();
  });
  it("returns the first word whose key is unknown, whole", () => {
    expect(unknownIn("kernel test=cpu tests=paging hello")).toBe("tests=paging");
  });
  it("does not take a key for one it only begins", () => {
    expect(unknownIn("kernel benchmark")).toBe("benchmark");
    expect(unknownIn("kernel tes=1")).toBe("tes=1");
  });
  it("finds nothing in an empty line or a file name alone", () => {
    expect(unknownIn("")).toBeNull();
    expect(unknownIn("kernel")).toBeNull();
  });
});
