// kernel/core/multiboot.ts: what the boot loader tells the kernel (Multiboot 0.6.96).
//
// The loader leaves EAX = MULTIBOOT_BOOTLOADER_MAGIC and EBX = the physical
// address of the information structure below; kmain receives both. A field
// is valid only when its bit in `flags` is set (spec section 3.3).

/** The value in EAX when a Multiboot-compliant loader started the kernel. */
@inline export const MULTIBOOT_BOOTLOADER_MAGIC: u32 = 0x2BADB002;

// flags bits (spec 3.3)
@inline export const MULTIBOOT_INFO_MEMORY: u32 = 1 << 0;       // memLower, memUpper
@inline export const MULTIBOOT_INFO_CMDLINE: u32 = 1 << 2;      // cmdline
@inline export const MULTIBOOT_INFO_MEM_MAP: u32 = 1 << 6;      // mmapLength, mmapAddr
@inline export const MULTIBOOT_INFO_LOADER_NAME: u32 = 1 << 9;  // bootLoaderName

/**
 * The multiboot information structure, as far as the kernel reads it.
 * Every field is a u32, so the class layout is the spec's byte layout
 * (offsets 0, 4, ..., 64; tests/unit/multiboot.spec.ts checks them).
 */
@unmanaged export class MultibootInfo {
  /** Which of the fields below are valid. */
  flags: u32;
  /** KiB of memory below 1 MiB. */
  memLower: u32;
  /** KiB of memory from 1 MiB up to the first hole. */
  memUpper: u32;
  bootDevice: u32;
  /** Physical address of the NUL-terminated command line. */
  cmdline: u32;
  modsCount: u32;
  modsAddr: u32;
  syms0: u32;
  syms1: u32;
  syms2: u32;
  syms3: u32;
  /** Byte length of the memory map buffer. */
  mmapLength: u32;
  /** Physical address of the first memory map entry. */
  mmapAddr: u32;
  drivesLength: u32;
  drivesAddr: u32;
  configTable: u32;
  /** Physical address of the loader's NUL-terminated name. */
  bootLoaderName: u32;
}

// A memory map entry (spec 3.3, "mmap_*"). `size` does not count itself, so
// the next entry starts at entry + size + 4. The 64-bit fields are at
// offsets 4 and 12, not 8-aligned, so they are read with named offsets.
//
//   +0  size      u32
//   +4  base_addr u64
//   +12 length    u64
//   +20 type      u32
@inline const MMAP_SIZE: usize = 0;
@inline const MMAP_BASE: usize = 4;
@inline const MMAP_LENGTH: usize = 12;
@inline const MMAP_TYPE: usize = 20;

// Region types.
@inline export const MMAP_AVAILABLE: u32 = 1;
@inline export const MMAP_RESERVED: u32 = 2;
@inline export const MMAP_ACPI_RECLAIMABLE: u32 = 3;
@inline export const MMAP_ACPI_NVS: u32 = 4;
@inline export const MMAP_BAD: u32 = 5;

@inline export function mmapBase(entry: usize): u64 { return load<u64>(entry + MMAP_BASE); }
@inline export function mmapLength(entry: usize): u64 { return load<u64>(entry + MMAP_LENGTH); }
@inline export function mmapType(entry: usize): u32 { return load<u32>(entry + MMAP_TYPE); }

/** The first memory map entry, or 0 when the loader gave no map. */
export function mmapFirst(info: MultibootInfo): usize {
  if ((info.flags & MULTIBOOT_INFO_MEM_MAP) == 0 || info.mmapLength == 0) return 0;
  return <usize>info.mmapAddr;
}

/** The entry after `entry`, or 0 past the end of the map. */
export function mmapNext(info: MultibootInfo, entry: usize): usize {
  const next = entry + <usize>load<u32>(entry + MMAP_SIZE) + sizeof<u32>();
  return next < <usize>info.mmapAddr + <usize>info.mmapLength ? next : 0;
}

/** A word for a region type. */
export function mmapTypeName(type: u32): string {
  switch (type) {
    case MMAP_AVAILABLE: return "available";
    case MMAP_RESERVED: return "reserved";
    case MMAP_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MMAP_ACPI_NVS: return "ACPI NVS";
    case MMAP_BAD: return "bad RAM";
    default: return "unknown";
  }
}
