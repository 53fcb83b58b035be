// kernel/mm/slab.ts: a slab: pages cut into blocks of one size, with an
// intrusive free list. The size classes of alloc/free (mm/alloc.ts) and the
// area allocator's record cache (mm/area.ts) are both made of slabs; this
// file is what they share, and it allocates nothing itself.
//
// A slab of P pages (SlabDesc.slabPages), `capacity` blocks, then the header
// in the last SLAB_HEADER_BYTES of the last page:
//
//   base                                        base + P x 4096
//   | block 0 | block 1 | ... | block cap-1 | (slack) | header |
//
// The header (SlabEntry):
//   +0  freeEl   u32      first free block, 0 when full
//   +4  inUse    u32      blocks handed out
//   +8  next     u32      next slab on its class's partial or full list
//   +12 prev     u32      previous slab, 0 at the head
//   +16 desc     u32      its SlabDesc
//   +20 base     u32      block 0
//   +24 area     u32      the MemArea record of the slab's pages
//   +28 mask     u32      block size - 1
//   +32 shift    u16      log2 of the block size
//   +34 capacity u16      blocks in the slab
//   +40 used     u32[16]  bit i set: block i is handed out (512 bits)
//
// Free blocks form a list through their own first word (freeEl, then each
// free block holds the next one's address). Blocks start at the slab's first
// byte, which is page aligned, so a block of 2^k bytes is aligned to 2^k
// (up to a page). A class (SlabDesc) keeps slabs with free blocks (partial)
// apart from full ones, so finding room is O(1). Every page of a slab is
// tagged with its header's address plus SLAB_TAG (mm/backing.ts), so the
// slab of any block is found from the block's address alone.
//
// Debug builds (make DEBUG=1: KERNEL_DEBUG) fill free blocks with POISON and
// check it when a block is handed out again, so a write after free shows.

import { bitTestAndReset, bitTestAndSet } from "../arch/x86/cpu";
import { PAGE_SHIFT } from "../arch/x86/paging";
import { panicAt } from "../core/panic";

@inline export const SLAB_HEADER_BYTES: u32 = 104;
@inline export const SLAB_BITMAP: usize = 40;
@inline const SLAB_MAX_BLOCKS: u32 = (SLAB_HEADER_BYTES - <u32>SLAB_BITMAP) * 8;
/** Added to a slab header's address to make its pages' tag (headers are 8-byte aligned, records 32). */
@inline export const SLAB_TAG: u32 = 1;
/** Empty slabs a class keeps instead of giving them back. */
@inline export const EMPTY_SLABS_KEPT: u32 = 1;
/** The pattern free blocks hold in debug builds. */
@inline export const POISON: u32 = 0xDEADDEAD;

/** A slab's header, at the end of its pages (layout above). */
@unmanaged export class SlabEntry {
  freeEl: usize;
  inUse: u32;
  next: usize;
  prev: usize;
  desc: usize;
  base: usize;
  area: usize;
  mask: u32;
  shift: u16;
  capacity: u16;
}

/** A size class (or the record cache): its geometry and lists. */
@unmanaged export class SlabDesc {
  /** Block size, 1 << shift. */
  size: u32;
  shift: u32;
  /** Pages per slab, and blocks per slab. */
  slabPages: u32;
  capacity: u32;
  /** Slabs with at least one free block, and slabs with none. */
  partial: usize;
  full: usize;
  /** Slabs of the class. */
  slabs: u32;
  /** The empty slab kept instead of being given back, or 0 (it may since have been used). */
  kept: usize;
  /** Free blocks; kept up to date for the record cache only (mm/area.ts recordAlloc needs it). */
  spare: u32;

  /** Blocks handed out, counted over the lists. */
  get inUse(): u32 { return this.slabs * this.capacity - this.freeBlocks; }
  /** Free blocks over all slabs (the full list has none). */
  get freeBlocks(): u32 {
    let n: u32 = 0;
    for (let slab = this.partial; slab != 0; slab = slabOf(slab).next) n += this.capacity - slabOf(slab).inUse;
    return n;
  }
  /** Slabs with no block handed out. */
  get emptySlabs(): u32 {
    let n: u32 = 0;
    for (let slab = this.partial; slab != 0; slab = slabOf(slab).next) if (slabOf(slab).inUse == 0) n++;
    return n;
  }
}
@inline export const DESC_BYTES: usize = 64;

@inline export function slabOf(entry: usize): SlabEntry { return changetype<SlabEntry>(entry); }

// Pages per slab: one for blocks up to 512 bytes, then enough for 7 blocks
// and the header (1 KiB: 2 pages, 2 KiB: 4, 4 KiB: 8).
function slabPagesFor(shift: u32): u32 {
  return shift <= 9 ? 1 : 1 << (shift - 9);
}

/** Sets up `d` as an empty class of blocks of 1 << `shift` bytes. */
export function descInit(d: SlabDesc, shift: u32): void {
  d.size = 1 << shift;
  d.shift = shift;
  d.slabPages = slabPagesFor(shift);
  d.capacity = min(((d.slabPages << PAGE_SHIFT) - SLAB_HEADER_BYTES) >> shift, SLAB_MAX_BLOCKS);
  d.partial = d.full = d.kept = 0;
  d.slabs = d.spare = 0;
}

/**
 * Takes the first free block of `slab`, a slab of `d` with room. Inlined:
 * it is alloc's fast path.
 */
@inline export function slabTake(d: SlabDesc, slab: usize): usize {
  const s = slabOf(slab);
  const block = s.freeEl;
  if (isDefined(KERNEL_DEBUG)) poisonCheck(block, d.size);
  s.freeEl = <usize>load<u32>(block);
  bitTestAndSet(slab + SLAB_BITMAP, <u32>(block - s.base) >> <u32>s.shift);
  s.inUse++;
  if (s.freeEl == 0) listMove(d, slab, true);
  return block;
}

/**
 * Returns `ptr` to `slab`, after checking it is a live block's start (a
 * misuse stops the kernel naming free). Returns true when the slab is now
 * empty: the caller keeps it or gives it back (slabKeep). Inlined: it is
 * free's fast path. `ptr` lies in one of the slab's pages (its tag said so),
 * so below the header; the checks find where.
 */
@inline export function slabPut(slab: usize, ptr: usize): bool {
  const s = slabOf(slab);
  const offset = <u32>(ptr - s.base);
  if ((offset & s.mask) != 0) panicAt("free", "pointer inside a block, not at its start", ptr);
  const index = offset >> <u32>s.shift;
  if (index >= <u32>s.capacity) panicAt("free", "pointer past a slab's last block", ptr);
  if (!bitTestAndReset(slab + SLAB_BITMAP, index)) panicAt("free", "double free (the block is already free)", ptr);
  if (isDefined(KERNEL_DEBUG)) poisonFill(ptr, 1 << <u32>s.shift);
  const head = s.freeEl;
  store<u32>(ptr, <u32>head);
  s.freeEl = ptr;
  if (head == 0) listMove(changetype<SlabDesc>(s.desc), slab, false);
  return --s.inUse == 0;
}

/**
 * A slab of `d` just became empty: keeps it as the class's kept slab and
 * returns false, unless another empty slab is kept already; then returns
 * true, and the caller gives it back.
 */
export function slabKeep(d: SlabDesc, slab: usize): bool {
  const kept = d.kept;
  if (kept != 0 && kept != slab && slabOf(kept).inUse == 0) return true;
  d.kept = slab;
  return false;
}

/**
 * Cuts the pages at `start` (d.slabPages of them, backed) into a new,
 * empty slab of `d`, on its partial list; returns its header.
 */
export function slabSetup(d: SlabDesc, start: usize): usize {
  const slab = start + (<usize>d.slabPages << PAGE_SHIFT) - SLAB_HEADER_BYTES;
  const s = slabOf(slab);
  memory.fill(slab, 0, SLAB_HEADER_BYTES);
  s.desc = changetype<usize>(d);
  s.base = start;
  s.mask = d.size - 1;
  s.shift = <u16>d.shift;
  s.capacity = <u16>d.capacity;
  // Chain the blocks in address order: the lowest is handed out first.
  for (let i: u32 = 0; i < d.capacity; i++) {
    const block = start + (<usize>i << d.shift);
    if (isDefined(KERNEL_DEBUG)) poisonFill(block, d.size);
    store<u32>(block, i + 1 < d.capacity ? <u32>(block + d.size) : 0);
  }
  s.freeEl = start;
  listPush(d, slab, false);
  d.slabs++;
  d.spare += d.capacity;
  return slab;
}

/** Takes an empty `slab` off `d`'s lists and counts, before its pages are given back. */
export function slabRemove(d: SlabDesc, slab: usize): void {
  listRemove(d, slab, false);
  if (d.kept == slab) d.kept = 0;
  d.slabs--;
  d.spare -= d.capacity;
}

/** An empty slab of `d` whose removal leaves at least `keep` free blocks, or 0. */
export function slabEmpty(d: SlabDesc, keep: u32): usize {
  if (d.freeBlocks < d.capacity + keep) return 0;
  for (let slab = d.partial; slab != 0; slab = slabOf(slab).next) {
    if (slabOf(slab).inUse == 0) return slab;
  }
  return 0;
}

/** The lowest-addressed block of `slab` that is handed out, or 0. */
export function slabFirstLiveBlock(slab: usize): usize {
  const s = slabOf(slab);
  for (let w: u32 = 0; w < (<u32>s.capacity + 31) >> 5; w++) {
    const bits = load<u32>(slab + SLAB_BITMAP + <usize>w * 4);
    if (bits != 0) return s.base + ((<usize>(w * 32 + ctz(bits))) << <u32>s.shift);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// A class's two lists.

@inline function listHead(d: SlabDesc, full: bool): usize { return full ? d.full : d.partial; }

function listPush(d: SlabDesc, slab: usize, full: bool): void {
  const head = listHead(d, full);
  slabOf(slab).prev = 0;
  slabOf(slab).next = head;
  if (head != 0) slabOf(head).prev = slab;
  if (full) d.full = slab;
  else d.partial = slab;
}

function listRemove(d: SlabDesc, slab: usize, full: bool): void {
  const s = slabOf(slab);
  if (s.prev != 0) slabOf(s.prev).next = s.next;
  else if (full) d.full = s.next;
  else d.partial = s.next;
  if (s.next != 0) slabOf(s.next).prev = s.prev;
}

// Moves `slab` to the full list (toFull) or back to the partial list.
function listMove(d: SlabDesc, slab: usize, toFull: bool): void {
  listRemove(d, slab, !toFull);
  listPush(d, slab, toFull);
}

// ---------------------------------------------------------------------------
// Debug builds: poison.

function poisonFill(block: usize, size: u32): void {
  for (let i: u32 = 4; i < size; i += 4) store<u32>(block + i, POISON);
}

function poisonCheck(block: usize, size: u32): void {
  for (let i: u32 = 4; i < size; i += 4) {
    if (load<u32>(block + i) != POISON) panicAt("alloc", "a free block was written after free", block + i);
  }
}
