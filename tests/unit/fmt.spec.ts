// kernel/lib/fmt.ts on the host: the same source the kernel prints with.
import { fmtDec, fmtDec64, fmtHex, fmtPadRight, fmtSize, fmtString, FMT_MAX_BYTES } from "../../kernel/lib/fmt";

const buf = memory.data(64);

function text(length: i32): string {
  return String.UTF8.decodeUnsafe(buf, <usize>length);
}

describe("fmtHex", () => {
  it("writes exactly the digits asked for, lowercase", () => {
    expect(text(fmtHex(buf, 0xDEADBEEF, 8))).toBe("deadbeef");
  });
  it("keeps leading zeros", () => {
    expect(text(fmtHex(buf, 0x1F, 4))).toBe("001f");
  });
  it("keeps only the low digits when asked for fewer", () => {
    expect(text(fmtHex(buf, 0x12345, 2))).toBe("45");
  });
  it("with 0 digits writes as many as the value needs", () => {
    expect(text(fmtHex(buf, 0, 0))).toBe("0");
    expect(text(fmtHex(buf, 0x1F, 0))).toBe("1f");
    expect(text(fmtHex(buf, 0x8000000000000000, 0))).toBe("8000000000000000");
  });
  it("writes all 16 digits of a 64-bit value", () => {
    expect(text(fmtHex(buf, 0xFEDCBA9876543210, 16))).toBe("fedcba9876543210");
  });
});

describe("fmtDec", () => {
  it("writes zero as one digit", () => {
    expect(text(fmtDec(buf, 0))).toBe("0");
  });
  it("writes powers of ten without losing zeros", () => {
    expect(text(fmtDec(buf, 1000000))).toBe("1000000");
  });
  it("writes the largest u32", () => {
    expect(text(fmtDec(buf, u32.MAX_VALUE))).toBe("4294967295");
  });
});

describe("fmtDec64", () => {
  it("agrees with fmtDec below 2^32", () => {
    expect(text(fmtDec64(buf, 123456789))).toBe("123456789");
  });
  it("writes 2^32 exactly", () => {
    expect(text(fmtDec64(buf, 1 << 32))).toBe("4294967296");
  });
  it("pads the low nine digits with zeros", () => {
    expect(text(fmtDec64(buf, 5_000_000_007))).toBe("5000000007");
  });
  it("writes the largest u64 within FMT_MAX_BYTES", () => {
    const n = fmtDec64(buf, u64.MAX_VALUE);
    expect(text(n)).toBe("18446744073709551615");
    expect(n).toBeLessThanOrEqual(FMT_MAX_BYTES);
  });
});

describe("fmtSize", () => {
  it("keeps bytes below 1 KiB in bytes", () => {
    expect(text(fmtSize(buf, 0))).toBe("0 B");
    expect(text(fmtSize(buf, 1023))).toBe("1023 B");
  });
  it("switches unit at exactly 1024", () => {
    expect(text(fmtSize(buf, 1024))).toBe("1 KiB");
  });
  it("shows one truncated decimal when there is a remainder", () => {
    expect(text(fmtSize(buf, 1536))).toBe("1.5 KiB");
    expect(text(fmtSize(buf, 2047))).toBe("1.9 KiB");
  });
  it("uses the unit of QEMU's memory map rows", () => {
    expect(text(fmtSize(buf, 0x9FC00))).toBe("639 KiB");
    expect(text(fmtSize(buf, 0x7EE0000))).toBe("126.8 MiB");
    expect(text(fmtSize(buf, <u64>3584 << 20))).toBe("3.5 GiB");
  });
  it("reaches EiB for the largest u64 within FMT_MAX_BYTES", () => {
    const n = fmtSize(buf, u64.MAX_VALUE);
    expect(text(n)).toBe("15.9 EiB");
    expect(n).toBeLessThanOrEqual(FMT_MAX_BYTES);
  });
});

describe("fmtString and fmtPadRight", () => {
  it("copies ASCII and replaces the rest with '?'", () => {
    expect(text(fmtString(buf, "a\u00e9b"))).toBe("a?b");
  });
  it("pads on the right up to the width", () => {
    expect(text(fmtPadRight(buf, fmtString(buf, "ab"), 5))).toBe("ab   ");
  });
  it("leaves text at or beyond the width alone", () => {
    expect(text(fmtPadRight(buf, fmtString(buf, "abcdef"), 3))).toBe("abcdef");
  });
});
