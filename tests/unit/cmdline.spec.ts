// kernel/lib/cmdline.ts on the host, over command lines held in test memory.
import {
  cmdlineCheck, cmdlineFind, cmdlineProblemStart, cmdlineValue, cmdlineWordEnd, cmdlineWordsStart, cstringLength, parseNumber,
  CMDLINE_OK, CMDLINE_REPEATED, CMDLINE_UNKNOWN, CMDLINE_VALUE_MISSING, CMDLINE_VALUE_REFUSED,
} from "../../kernel/lib/cmdline";

// A NUL-terminated copy of `s`, as a boot loader would leave it.
// Kept referenced, so that the collector leaves them where they are.
const kept: ArrayBuffer[] = [];
function cstring(s: string): usize {
  const buffer = String.UTF8.encode(s, true);
  kept.push(buffer);
  return changetype<usize>(buffer);
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

const KNOWN: StaticArray<string> = ["test=", "trap=", "bench"];

let problemWord = "";

// cmdlineCheck's answer for `line`, and the word it refused in problemWord.
function check(line: string): i32 {
  const text = cstring(line);
  const length = cstringLength(text);
  const problem = cmdlineCheck(text, length, KNOWN);
  const start = cmdlineProblemStart();
  problemWord = start < 0 ? "" : String.UTF8.decodeUnsafe(text + <usize>start, <usize>(cmdlineWordEnd(text, length, start) - start));
  return problem;
}

describe("cmdlineCheck", () => {
  it("accepts known keys with and without values", () => {
    expect(check("bench trap=gpf test=paging")).toBe(CMDLINE_OK);
    expect(problemWord).toBe("");
  });
  it("accepts an empty line", () => {
    expect(check("")).toBe(CMDLINE_OK);
    expect(check("   ")).toBe(CMDLINE_OK);
  });
  it("refuses the first word whose key is unknown, whole", () => {
    expect(check("test=cpu tests=paging hello")).toBe(CMDLINE_UNKNOWN);
    expect(problemWord).toBe("tests=paging");
  });
  it("does not take a key for one it only begins", () => {
    expect(check("benchmark")).toBe(CMDLINE_UNKNOWN);
    expect(problemWord).toBe("benchmark");
    expect(check("tes=1")).toBe(CMDLINE_UNKNOWN);
    expect(problemWord).toBe("tes=1");
  });
  it("reads every word: the kernel's path is no longer skipped here", () => {
    expect(check("build/kernel.elf test=paging")).toBe(CMDLINE_UNKNOWN);
    expect(problemWord).toBe("build/kernel.elf");
  });
  it("refuses a repeated key, naming the second word", () => {
    expect(check("test=console trap=gpf test=bogus")).toBe(CMDLINE_REPEATED);
    expect(problemWord).toBe("test=bogus");
    expect(check("bench bench")).toBe(CMDLINE_REPEATED);
  });
  it("refuses a value for a word that takes none", () => {
    expect(check("bench=nonsense")).toBe(CMDLINE_VALUE_REFUSED);
    expect(problemWord).toBe("bench=nonsense");
    expect(check("bench=")).toBe(CMDLINE_VALUE_REFUSED);
  });
  it("refuses a key without its value", () => {
    expect(check("trap=gpf test")).toBe(CMDLINE_VALUE_MISSING);
    expect(problemWord).toBe("test");
  });
});

function wordsAfter(line: string, loader: string): string {
  const text = cstring(line);
  const length = cstringLength(text);
  const start = cmdlineWordsStart(text, length, cstring(loader));
  return String.UTF8.decodeUnsafe(text + <usize>start, <usize>(length - start));
}

describe("cmdlineWordsStart", () => {
  it("skips the kernel's path when the loader is QEMU", () => {
    expect(wordsAfter("build/kernel.elf test=paging", "qemu")).toBe(" test=paging");
  });
  it("skips a path with '=' in it whole", () => {
    expect(wordsAfter("build/test=x/kernel.elf bench", "qemu")).toBe(" bench");
  });
  it("skips nothing under another loader (GRUB passes only the words)", () => {
    expect(wordsAfter("tset=paging", "GRUB 2.12")).toBe("tset=paging");
    expect(wordsAfter("test=paging", "")).toBe("test=paging");
  });
  it("is not fooled by a loader name that only begins with qemu", () => {
    expect(wordsAfter("test=paging", "qemu-like")).toBe("test=paging");
  });
  it("copes with an empty line under QEMU", () => {
    expect(wordsAfter("", "qemu")).toBe("");
  });
});

describe("cmdlineFind", () => {
  it("finds where a key's word starts, or -1", () => {
    const text = cstring("bench  test=paging");
    expect(cmdlineFind(text, cstringLength(text), "test")).toBe(7);
    expect(cmdlineFind(text, cstringLength(text), "bench")).toBe(0);
    expect(cmdlineFind(text, cstringLength(text), "trap")).toBe(-1);
  });
});
