// kernel/proc/syscall.ts: the system calls, in one table.
//
// A program in ring 3 raises int 0x80 (the gate of DPL 3, arch/x86/idt.ts)
// with the call's number in EAX and its arguments in EBX, ECX, EDX; the
// result comes back in EAX: 0 or more on success, a negative error
// otherwise. trap/dispatch.ts hands the interrupt frame here.
//
//   number  call    arguments            result          errors
//   0       exit    status               does not return
//   1       write   bytes, length        length written  EFAULT: a byte not in user space or not
//                   (to the console,                     mapped for ring 3; EINVAL: length over 64 KiB
//                   escaped but newlines)
//   2       getpid                       1 (one program at a time for now)
//   other                                                ENOSYS
//
// Every argument is hostile: a pointer is checked, page by page, against
// user space and the running space's page tables (present and user-
// accessible in both the PDE and the PTE, SDM vol. 3, 4.6) before the kernel
// reads a byte of it, so a bad pointer is an error code, never a kernel fault.

import { pdeAddress, pteAddress } from "../arch/x86/mirror";
import { InterruptFrame } from "../arch/x86/interrupt-frame";
import { PAGE_MASK, PTE_PRESENT, PTE_USER } from "../arch/x86/paging";
import { printChar, printEscaped } from "../core/console";
import { inUserSpace } from "../mm/regions";
import { userExit } from "./user";

/** Error results (negated), numbered as Linux numbers them. */
@inline export const EFAULT: i32 = 14;
@inline export const EINVAL: i32 = 22;
@inline export const ENOSYS: i32 = 38;

@inline export const SYS_EXIT: u32 = 0;
@inline export const SYS_WRITE: u32 = 1;
@inline export const SYS_GETPID: u32 = 2;

/** The most bytes one write takes. */
@inline export const WRITE_MAX: u32 = 64 * 1024;

/** A call from ring 3: its number in frame.eax, its result written back there. */
export function syscallDispatch(frame: InterruptFrame): void {
  const number = frame.eax;
  let result: i32 = -ENOSYS;
  if (number == SYS_EXIT) userExit(<i32>frame.ebx);
  else if (number == SYS_WRITE) result = sysWrite(frame.ebx, frame.ecx);
  else if (number == SYS_GETPID) result = 1;
  frame.eax = <u32>result;
}

function sysWrite(bytes: u32, length: u32): i32 {
  if (length > WRITE_MAX) return -EINVAL;
  if (!userReadable(bytes, length)) return -EFAULT;
  // Escaped as any text from outside is (core/console.ts printEscaped), lines kept.
  let from = bytes;
  for (let at = bytes; at < bytes + length; at++) {
    if (load<u8>(at) != 0x0A) continue;
    printEscaped(from, <i32>(at - from));
    printChar(0x0A);
    from = at + 1;
  }
  printEscaped(from, <i32>(bytes + length - from));
  return <i32>length;
}

/** Whether ring 3 may read all of [addr, addr + length): in user space, and every page mapped for it. */
export function userReadable(addr: u32, length: u32): bool {
  if (length == 0) return true;
  const last = addr + length - 1;
  if (last < addr || !inUserSpace(addr) || !inUserSpace(last)) return false;
  for (let page = addr & ~PAGE_MASK; page - (addr & ~PAGE_MASK) <= (last & ~PAGE_MASK) - (addr & ~PAGE_MASK); page += PAGE_MASK + 1) {
    const pde = load<u32>(pdeAddress(page));
    if ((pde & PTE_PRESENT) == 0) return false;
    const pte = load<u32>(pteAddress(page));
    if ((pde & pte & (PTE_PRESENT | PTE_USER)) != (PTE_PRESENT | PTE_USER)) return false;
  }
  return true;
}
