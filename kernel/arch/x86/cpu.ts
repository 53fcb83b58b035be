// kernel/arch/x86/cpu.ts: the CPU instructions AssemblyScript cannot express.
//
// Each is implemented in boot/cpu.c as one instruction and imported here from
// the "cpu" import module. They carry no policy: callers decide when to use
// them. A pointer argument is a linear address (the wasm memory base is 0).

/** Reads a byte from an I/O port (IN). */
@external("cpu", "inb") export declare function inb(port: u16): u8;
/** Writes a byte to an I/O port (OUT). */
@external("cpu", "outb") export declare function outb(port: u16, value: u8): void;
/** Reads a 16-bit word from an I/O port. */
@external("cpu", "inw") export declare function inw(port: u16): u16;
/** Writes a 16-bit word to an I/O port. */
@external("cpu", "outw") export declare function outw(port: u16, value: u16): void;

/** Sets bit `bit` of the bit string at `base` (BTS) and returns what it was; `bit` may exceed 31. */
@external("cpu", "bitTestAndSet") export declare function bitTestAndSet(base: usize, bit: u32): bool;
/** Clears bit `bit` of the bit string at `base` (BTR) and returns what it was; `bit` may exceed 31. */
@external("cpu", "bitTestAndReset") export declare function bitTestAndReset(base: usize, bit: u32): bool;

/** CR0: protection, paging and write-protect enables (SDM vol. 3, 2.5). */
@external("cpu", "readCr0") export declare function readCr0(): u32;
@external("cpu", "writeCr0") export declare function writeCr0(value: u32): void;
/** CR2: the linear address of the last page fault. */
@external("cpu", "readCr2") export declare function readCr2(): u32;
/** CR3: physical address of the page directory; writing it flushes the TLB. */
@external("cpu", "readCr3") export declare function readCr3(): u32;
@external("cpu", "writeCr3") export declare function writeCr3(value: u32): void;
/** CR4: architectural extensions (PSE, PAE, PGE, ...). */
@external("cpu", "readCr4") export declare function readCr4(): u32;
@external("cpu", "writeCr4") export declare function writeCr4(value: u32): void;

/** Drops the TLB entry for the page containing `addr` (INVLPG). */
@external("cpu", "invlpg") export declare function invlpg(addr: usize): void;
/** Loads GDTR from the 6-byte pseudo-descriptor at `addr` (LGDT). */
@external("cpu", "lgdt") export declare function lgdt(addr: usize): void;
/** Loads IDTR from the 6-byte pseudo-descriptor at `addr` (LIDT). */
@external("cpu", "lidt") export declare function lidt(addr: usize): void;

/** Masks maskable interrupts (CLI). */
@external("cpu", "cli") export declare function cli(): void;
/** Unmasks maskable interrupts (STI). */
@external("cpu", "sti") export declare function sti(): void;
/** Waits for the next interrupt (HLT). */
@external("cpu", "hlt") export declare function hlt(): void;
/** STI then HLT: unmasks interrupts and waits for the next one, with no gap between the two. */
@external("cpu", "stiHlt") export declare function stiHlt(): void;

/** The time-stamp counter (RDTSC). Under `qemu -icount shift=0` it counts guest instructions. */
@external("cpu", "rdtsc") export declare function rdtsc(): u64;

/** Loads CS (by a far return) and DS, ES, FS, GS, SS with the given selectors. */
@external("cpu", "loadSegments") export declare function loadSegments(code: u16, data: u16): void;
/** Loads the task register with a TSS selector (LTR). */
@external("cpu", "ltr") export declare function ltr(selector: u16): void;
/** The current segment selectors and task register. */
@external("cpu", "readCs") export declare function readCs(): u16;
@external("cpu", "readDs") export declare function readDs(): u16;
@external("cpu", "readSs") export declare function readSs(): u16;
@external("cpu", "readTr") export declare function readTr(): u16;
/** Stores GDTR / IDTR as a 6-byte pseudo-descriptor at `addr` (SGDT, SIDT). */
@external("cpu", "sgdt") export declare function sgdt(addr: usize): void;
@external("cpu", "sidt") export declare function sidt(addr: usize): void;

/** The frame pointer (EBP) of the function that calls this: where a backtrace starts. */
@external("cpu", "callerFrame") export declare function callerFrame(): usize;

/** DIV done by the CPU itself: #DE when `divisor` is 0 (no wasm check). */
@external("cpu", "divide") export declare function divide(dividend: u32, divisor: u32): u32;
/** UD2: raises #UD, the invalid-opcode exception. */
@external("cpu", "ud2") export declare function ud2(): void;
/** INT3: raises #BP, the breakpoint exception; execution continues after it. */
@external("cpu", "int3") export declare function int3(): void;

/** Reads the u32 at `addr` into `out` and returns 1, or returns 0 if the read faulted (arch/x86/probe.ts). */
@external("cpu", "probeRead") export declare function probeRead(addr: usize, out: usize): u32;
/** Writes `value` to `addr` and returns 1, or returns 0 if the write faulted (arch/x86/probe.ts). */
@external("cpu", "probeWrite") export declare function probeWrite(addr: usize, value: u32): u32;

/** Enters ring 3 at `eip` with stack `esp`, storing the kernel's ESP at `esp0` (TSS.esp0) first (boot/user.asm). Does not return. */
@external("cpu", "userEnter") export declare function userEnter(eip: u32, esp: u32, esp0: usize): void;
/** Saves a resume point in the 7-word `buffer`; returns 0, or 1 when resumeJump comes back (boot/resume.asm). */
@external("cpu", "resumeSave") export declare function resumeSave(buffer: usize): u32;
/** Returns 1 from the resumeSave that filled `buffer`, whose caller must still be running. */
@external("cpu", "resumeJump") export declare function resumeJump(buffer: usize): void;
