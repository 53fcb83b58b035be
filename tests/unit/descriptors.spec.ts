// GDT and IDT descriptor encoding (kernel/core/gdt.ts, kernel/core/idt.ts)
// against the layouts of SDM vol. 3, figures 3-8 and 6-2.
import { descriptorBase, descriptorLimit, segmentDescriptor, SEG_GRANULARITY_4K, SEG_SIZE_32 } from "../../kernel/arch/x86/gdt";
import { gateDescriptor, gateOffset, GATE_INTERRUPT32, GATE_PRESENT, GATE_TASK } from "../../kernel/arch/x86/idt";
import { TaskStateSegment } from "../../kernel/arch/x86/tss";

describe("segmentDescriptor", () => {
  it("encodes the flat ring-0 code segment as the well-known 0x00CF9A000000FFFF", () => {
    expect(segmentDescriptor(0, 0xFFFFF, 0x9A, SEG_GRANULARITY_4K | SEG_SIZE_32)).toBe(0x00CF9A000000FFFF);
  });
  it("encodes the flat ring-0 data segment as 0x00CF92000000FFFF", () => {
    expect(segmentDescriptor(0, 0xFFFFF, 0x92, SEG_GRANULARITY_4K | SEG_SIZE_32)).toBe(0x00CF92000000FFFF);
  });
  it("splits the base over bits 16-39 and 56-63", () => {
    const d = segmentDescriptor(0x12345678, 0x67, 0x89, 0);
    expect(d).toBe(0x1200893456780067);
    expect(descriptorBase(d)).toBe(0x12345678);
  });
  it("reads a byte-granular limit back as is", () => {
    expect(descriptorLimit(segmentDescriptor(0, 0x67, 0x89, 0))).toBe(0x67);
  });
  it("scales a 4 KiB-granular limit to bytes", () => {
    expect(descriptorLimit(segmentDescriptor(0, 0xFFFFF, 0x9A, SEG_GRANULARITY_4K))).toBe(0xFFFFFFFF);
  });
});

describe("TaskStateSegment", () => {
  it("has the 32-bit TSS layout (SDM vol. 3, figure 7-2)", () => {
    expect(offsetof<TaskStateSegment>("esp0")).toBe(4);
    expect(offsetof<TaskStateSegment>("cr3")).toBe(28);
    expect(offsetof<TaskStateSegment>("eip")).toBe(32);
    expect(offsetof<TaskStateSegment>("esp")).toBe(56);
    expect(offsetof<TaskStateSegment>("es")).toBe(72);
    expect(offsetof<TaskStateSegment>("ldt")).toBe(96);
    expect(offsetof<TaskStateSegment>("iomapBase")).toBe(102);
    expect(offsetof<TaskStateSegment>()).toBe(104);
  });
});

describe("gateDescriptor", () => {
  it("splits the handler offset around the selector and attributes", () => {
    expect(gateDescriptor(0x00101234, 0x08, GATE_PRESENT | GATE_INTERRUPT32)).toBe(0x00108E0000081234);
  });
  it("reads the offset back", () => {
    expect(gateOffset(gateDescriptor(0xCAFEBABE, 0x08, GATE_PRESENT | GATE_INTERRUPT32))).toBe(0xCAFEBABE);
  });
  it("encodes a task gate with the TSS selector and no offset", () => {
    expect(gateDescriptor(0, 0x30, GATE_PRESENT | GATE_TASK)).toBe(0x0000850000300000);
  });
});
