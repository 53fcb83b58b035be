// tests/unit/host.ts: what the host test harness (as-pect.config.js) offers specs.

/** How many times the kernel code under test has halted (cpu.hlt); a panic halts once. */
@external("host", "haltCount") export declare function haltCount(): u32;
