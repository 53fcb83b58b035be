// kernel/mm/frames.ts: the frame allocator: physical memory in 4 KiB frames.
//
// One descriptor per frame, from address 0 up to the highest available
// byte below 4 GiB, in one array (mm/memmap.ts decides where it lies and
// which frames are RAM). A frame is free only if the memory map calls it
// available and nothing reserves it; reserved frames are never handed out.
// Free frames form a stack linked through their descriptors, so frameAlloc
// and frameRelease are O(1).
//
// Each frame has a reference count: frameAlloc hands one out with one
// reference, frameRetain adds one (a second mapping), frameRelease drops one
// and frees the frame at zero. Misuse (releasing a free, reserved or unknown
// frame) stops the kernel; running out returns 0. frameAlloc and
// frameRelease refuse to run in interrupt context (core/context.ts).
//
// A descriptor (8 bytes):
//   +0 refCount u16   references held; 0 when free or reserved
//   +2 flags    u16   FRAME_AVAILABLE | FRAME_RESERVED | FRAME_FREE
//   +4 link     u32   free: the index of the next free frame (NO_FRAME ends the stack)
//                     in use: the tag of the page it backs (mm/backing.ts)

import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE } from "../arch/x86/paging";
import { panicAt, refuseInInterrupt } from "../core/panic";

/** Frames at or above 4 GiB cannot be described with 32-bit addresses. */
@inline export const ADDRESS_SPACE_END: u64 = 1 << 32;

@inline export const FRAME_AVAILABLE: u16 = 1 << 0;  // the memory map says RAM
@inline export const FRAME_RESERVED: u16 = 1 << 1;   // never handed out
@inline export const FRAME_FREE: u16 = 1 << 2;       // on the free stack
@inline const NO_FRAME: u32 = 0xFFFFFFFF;

@unmanaged export class FrameDescriptor {
  refCount: u16;
  flags: u16;
  link: u32;
}
@inline export const FRAME_DESCRIPTOR_BYTES: u32 = 8;
/** The most references a frame can hold (its count is a u16). */
@inline export const FRAME_MAX_REFERENCES: u16 = 0xFFFF;

// The whole state of the frame allocator.
let descriptors: usize = 0;      // the array
let frameCount: u32 = 0;         // frames described, from address 0
let freeHead: u32 = NO_FRAME;    // top of the free stack
let freeFrames: u32 = 0;
let reservedFrames: u32 = 0;

@inline function descriptor(frame: u32): FrameDescriptor {
  return changetype<FrameDescriptor>(descriptors + <usize>frame * FRAME_DESCRIPTOR_BYTES);
}

@inline export function alignDown(value: u64, alignment: u64): u64 { return value & ~(alignment - 1); }
@inline export function alignUp(value: u64, alignment: u64): u64 { return (value + alignment - 1) & ~(alignment - 1); }

/** Frames described (total), free, reserved (never handed out), and in use. */
export function framesTotal(): u32 { return frameCount; }
export function framesFree(): u32 { return freeFrames; }
export function framesReserved(): u32 { return reservedFrames; }
export function framesInUse(): u32 { return frameCount - freeFrames - reservedFrames; }
/** The descriptor array: [frameDescriptors(), frameDescriptorsEnd()). */
export function frameDescriptors(): usize { return descriptors; }
export function frameDescriptorsEnd(): usize { return descriptors + <usize>frameCount * FRAME_DESCRIPTOR_BYTES; }

// ---------------------------------------------------------------------------
// Set-up, in three steps that mm/memmap.ts and the host tests share:
// framesSetup (every frame unavailable), then any number of
// framesAddAvailable and framesReserve in any order, then framesFinish
// (build the free stack, count).

/** Starts describing `count` frames with the array at `array`; every frame starts unavailable. */
export function framesSetup(array: usize, count: u32): void {
  descriptors = array;
  frameCount = count;
  memory.fill(array, 0, <usize>count * FRAME_DESCRIPTOR_BYTES);
}

/** Marks the frames entirely inside [start, end) as RAM. Partial frames at the edges are not. */
export function framesAddAvailable(start: u64, end: u64): void {
  const first = alignUp(start, PAGE_SIZE) >> PAGE_SHIFT;
  const last = min(alignDown(min(end, ADDRESS_SPACE_END), PAGE_SIZE) >> PAGE_SHIFT, <u64>frameCount);
  for (let frame = first; frame < last; frame++) descriptor(<u32>frame).flags |= FRAME_AVAILABLE;
}

/** Marks every frame that [start, end) touches as reserved. */
export function framesReserve(start: u64, end: u64): void {
  if (end <= start) return;
  const first = start >> PAGE_SHIFT;
  const last = min(alignUp(min(end, ADDRESS_SPACE_END), PAGE_SIZE) >> PAGE_SHIFT, <u64>frameCount);
  for (let frame = first; frame < last; frame++) descriptor(<u32>frame).flags |= FRAME_RESERVED;
}

/** Builds the free stack (lowest frame on top) and the counters. */
export function framesFinish(): void {
  freeHead = NO_FRAME;
  freeFrames = 0;
  reservedFrames = 0;
  for (let frame = frameCount; frame-- > 0;) {
    const d = descriptor(frame);
    if ((d.flags & FRAME_AVAILABLE) == 0) d.flags |= FRAME_RESERVED;
    if ((d.flags & FRAME_RESERVED) != 0) {
      reservedFrames++;
      continue;
    }
    d.flags |= FRAME_FREE;
    d.link = freeHead;
    freeHead = frame;
    freeFrames++;
  }
}

// ---------------------------------------------------------------------------
// Allocation.

/** A free frame with one reference, or 0 when none is left (frame 0 is never free). */
export function frameAlloc(): u32 {
  refuseInInterrupt("frameAlloc", 0);
  if (freeHead == NO_FRAME) return 0;
  const frame = freeHead;
  const d = descriptor(frame);
  freeHead = d.link;
  freeFrames--;
  d.flags &= ~FRAME_FREE;
  d.refCount = 1;
  d.link = 0;
  return frame << PAGE_SHIFT;
}

/** Adds a reference to the frame at `paddr`, which must be in use. */
export function frameRetain(paddr: u32): void {
  frameRetainInUse(checkedFrame("frameRetain", paddr) << PAGE_SHIFT);
}

/** Drops a reference to the frame at `paddr`; the last one frees it. */
export function frameRelease(paddr: u32): void {
  refuseInInterrupt("frameRelease", paddr);
  frameReleaseInUse(checkedFrame("frameRelease", paddr) << PAGE_SHIFT);
}

/**
 * frameRetain and frameRelease without their check, for a caller that has
 * just made sure with frameIsInUse (paging does, before changing anything).
 */
@inline export function frameRetainInUse(paddr: u32): void {
  const d = descriptor(paddr >> PAGE_SHIFT);
  if (d.refCount == FRAME_MAX_REFERENCES) panicAt("frameRetain", "too many references to the frame", paddr);
  d.refCount++;
}

@inline export function frameReleaseInUse(paddr: u32): void {
  const frame = paddr >> PAGE_SHIFT;
  const d = descriptor(frame);
  if (--d.refCount != 0) return;
  d.flags |= FRAME_FREE;
  d.link = freeHead;
  freeHead = frame;
  freeFrames++;
}

/** The references held on the frame at `paddr` (0 for free and reserved frames). */
export function frameRefCount(paddr: u32): u32 {
  const frame = paddr >> PAGE_SHIFT;
  return frame < frameCount ? descriptor(frame).refCount : 0;
}

/** The flags of the frame at `paddr`, 0 beyond the described range. */
export function frameFlags(paddr: u32): u16 {
  const frame = paddr >> PAGE_SHIFT;
  return frame < frameCount ? descriptor(frame).flags : 0;
}

/**
 * The tag of the page a frame backs: no check, because a present entry
 * always refers to a frame in use (pageMap checks it and the mapping's
 * reference keeps it so). The allocators' free path uses it.
 */
@inline export function frameTag(paddr: u32): u32 { return descriptor(paddr >> PAGE_SHIFT).link; }
/** Sets the tag of a frame in use. */
export function frameSetTag(paddr: u32, tag: u32): void {
  descriptor(checkedFrame("frameSetTag", paddr)).link = tag;
}

/** frameIsInUse for an address the caller has checked is page aligned. */
@inline export function frameIsInUseAligned(paddr: u32): bool {
  const frame = paddr >> PAGE_SHIFT;
  return frame < frameCount && (descriptor(frame).flags & (FRAME_RESERVED | FRAME_FREE)) == 0;
}

/**
 * Whether `paddr` is a frame in use: aligned, described, neither reserved
 * nor free. Everything that takes a frame from a caller checks this first
 * and changes nothing when it fails.
 */
export function frameIsInUse(paddr: u32): bool {
  return (paddr & PAGE_MASK) == 0 && frameIsInUseAligned(paddr);
}

function checkedFrame(functionName: string, paddr: u32): u32 {
  if ((paddr & PAGE_MASK) != 0) panicAt(functionName, "unaligned physical address", paddr);
  const frame = paddr >> PAGE_SHIFT;
  if (frame >= frameCount) panicAt(functionName, "physical address beyond RAM", paddr);
  const flags = descriptor(frame).flags;
  if ((flags & FRAME_RESERVED) != 0) panicAt(functionName, "reserved frame", paddr);
  if ((flags & FRAME_FREE) != 0) panicAt(functionName, "frame is free (double release?)", paddr);
  return frame;
}
