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

/** The time-stamp counter (RDTSC). Under `qemu -icount shift=0` it counts guest instructions. */
@external("cpu", "rdtsc") export declare function rdtsc(): u64;
