// kernel/monitor/words.ts on the host: splitting a typed line and reading numbers in place.
import { NOT_A_NUMBER, TOO_LARGE, wordCount, wordIs, wordLength, wordNumber, wordsSplit, WORDS_MAX } from "../../kernel/monitor/words";

// Splits `line` as the monitor does (the bytes stay in test memory).
function split(line: string): void {
  const bytes = String.UTF8.encode(line);
  wordsSplit(changetype<usize>(bytes), bytes.byteLength);
}

describe("wordsSplit", () => {
  it("finds words between runs of spaces", () => {
    split("  map   0xd0000000 0x345000 ");
    expect(wordCount()).toBe(3);
    expect(wordIs(0, "map")).toBe(true);
    expect(wordIs(1, "0xd0000000")).toBe(true);
    expect(wordLength(2)).toBe(8);
  });
  it("gives no word for an empty or blank line", () => {
    split("");
    expect(wordCount()).toBe(0);
    split("    ");
    expect(wordCount()).toBe(0);
  });
  it("counts words beyond WORDS_MAX without keeping them", () => {
    split("a b c d e f");
    expect(wordCount()).toBe(6);
    expect(WORDS_MAX).toBe(4);
    expect(wordIs(3, "d")).toBe(true);
  });
  it("compares whole words only", () => {
    split("allocate alloc");
    expect(wordIs(0, "alloc")).toBe(false);
    expect(wordIs(1, "alloc")).toBe(true);
    expect(wordIs(1, "allocate")).toBe(false);
  });
});

describe("wordNumber", () => {
  it("reads decimal and 0x hex in either case", () => {
    split("4096 0x1000 0XdeadBEEF 0");
    expect(wordNumber(0)).toBe(4096);
    expect(wordNumber(1)).toBe(0x1000);
    expect(wordNumber(2)).toBe(0xdeadbeef);
    expect(wordNumber(3)).toBe(0);
  });
  it("refuses what is not a number with NOT_A_NUMBER", () => {
    split("12x 0x -1 0xg 0x1ffffffffzz");
    for (let i = 0; i < 5; i++) expect(wordNumber(i)).toBe(NOT_A_NUMBER);
  });
  it("refuses a number past 32 bits with TOO_LARGE", () => {
    split("0x100000000 4294967296 99999999999");
    for (let i = 0; i < 3; i++) expect(wordNumber(i)).toBe(TOO_LARGE);
  });
  it("reads the largest 32-bit values", () => {
    split("4294967295 0xffffffff");
    expect(wordNumber(0)).toBe(4294967295);
    expect(wordNumber(1)).toBe(4294967295);
  });
});
