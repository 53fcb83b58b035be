// kernel/ktest/ring3.ts: `test=ring3`, code in ring 3 and the way back:
// the system-call gate, hostile arguments, exceptions in ring 3 that end
// the code and not the kernel (proc/user.ts, proc/syscall.ts).
//
// The programs are a few instructions of machine code each, written into a
// fresh address space's user pages; the listing beside each is its source
// (NASM, bits 32, org 0x40000000). User programs written in TypeScript come
// with the user runtime; these test the ring change underneath them.

import { check, checkEqual, framesFreeBesidesRecords, suite } from "./harness";
import { PAGE_SIZE, PTE_USER, PTE_WRITABLE } from "../arch/x86/paging";
import { allocTrim } from "../mm/alloc";
import { frameAlloc, frameRelease } from "../mm/frames";
import { pageMap, pageSetFlags, pageUnmap } from "../mm/pages";
import { USER_BASE } from "../mm/regions";
import { kernelSpace, spaceActivate, spaceCreate, spaceDestroy } from "../mm/space";
import { EFAULT, EINVAL, ENOSYS } from "../proc/syscall";
import { userFaulted, userRun, userRunning } from "../proc/user";

@inline const CODE: u32 = USER_BASE;                  // read-only, user
@inline const DATA: u32 = USER_BASE + PAGE_SIZE;      // writable, user: the message
@inline const STACK_TOP: u32 = USER_BASE + 3 * PAGE_SIZE;  // one writable page below it

// mov eax, 2; int 0x80              getpid
// mov esi, eax
// mov eax, 1; mov ebx, DATA; mov ecx, 18; int 0x80    write(DATA, 18)
// lea ebx, [esi + 40]; xor eax, eax; int 0x80          exit(pid + 40)
// jmp $
const HELLO = memory.data<u8>([
  0xb8, 0x02, 0x00, 0x00, 0x00, 0xcd, 0x80, 0x89, 0xc6, 0xb8, 0x01, 0x00,
  0x00, 0x00, 0xbb, 0x00, 0x10, 0x00, 0x40, 0xb9, 0x12, 0x00, 0x00, 0x00,
  0xcd, 0x80, 0x8d, 0x5e, 0x28, 0x31, 0xc0, 0xcd, 0x80, 0xeb, 0xfe,
]);
@inline const HELLO_BYTES: u32 = 35;
const MESSAGE = "hello from ring 3\n";   // 18 bytes, written as ASCII into DATA

// mov eax, 1; mov ebx, 0x00100000; mov ecx, 4; int 0x80   write(kernel text, 4)
// mov edi, eax
// mov eax, 999; int 0x80                                    no such call
// lea ebx, [eax + edi]; xor eax, eax; int 0x80             exit(sum of both results)
// jmp $
const HOSTILE = memory.data<u8>([
  0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x00, 0x10, 0x00, 0xb9, 0x04,
  0x00, 0x00, 0x00, 0xcd, 0x80, 0x89, 0xc7, 0xb8, 0xe7, 0x03, 0x00, 0x00,
  0xcd, 0x80, 0x8d, 0x1c, 0x38, 0x31, 0xc0, 0xcd, 0x80, 0xeb, 0xfe,
]);
@inline const HOSTILE_BYTES: u32 = 35;

// mov eax, 1; mov ebx, 0x40002ffe; mov ecx, 4; int 0x80  write across the stack's end
// mov edi, eax
// mov eax, 1; mov ebx, 0x50000000; mov ecx, 1; int 0x80  write of an unmapped user page
// add edi, eax
// mov eax, 1; mov ebx, DATA; mov ecx, 0x7fffffff; int 0x80  write of too much
// lea ebx, [eax + edi]; xor eax, eax; int 0x80           exit(the sum)
// jmp $
const UNMAPPED = memory.data<u8>([
  0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0xfe, 0x2f, 0x00, 0x40, 0xb9, 0x04,
  0x00, 0x00, 0x00, 0xcd, 0x80, 0x89, 0xc7, 0xb8, 0x01, 0x00, 0x00, 0x00,
  0xbb, 0x00, 0x00, 0x00, 0x50, 0xb9, 0x01, 0x00, 0x00, 0x00, 0xcd, 0x80,
  0x01, 0xc7, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x10, 0x00, 0x40,
  0xb9, 0xff, 0xff, 0xff, 0x7f, 0xcd, 0x80, 0x8d, 0x1c, 0x38, 0x31, 0xc0,
  0xcd, 0x80, 0xeb, 0xfe,
]);
@inline const UNMAPPED_BYTES: u32 = 64;

// mov eax, [0x00100000]; jmp $      a read of kernel memory
const TOUCH_KERNEL = memory.data<u8>([0xa1, 0x00, 0x00, 0x10, 0x00, 0xeb, 0xfe]);
// xor eax, eax; mov ds, eax; mov es, eax     null selectors: allowed to load, not to use
// mov eax, 2; int 0x80; mov ebx, eax; xor eax, eax; int 0x80   exit(getpid())
// jmp $
const NULL_SEGMENTS = memory.data<u8>([
  0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0, 0xb8, 0x02, 0x00, 0x00, 0x00, 0xcd,
  0x80, 0x89, 0xc3, 0x31, 0xc0, 0xcd, 0x80, 0xeb, 0xfe,
]);
@inline const NULL_SEGMENTS_BYTES: u32 = 21;
// cli; jmp $                        a privileged instruction (IOPL 0)
const PRIVILEGED = memory.data<u8>([0xfa, 0xeb, 0xfe]);
// mov dword [0x40000000], 0; jmp $  a write to its own read-only text
const WRITE_TEXT = memory.data<u8>([0xc7, 0x05, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0xeb, 0xfe]);

function ring3Suite(): void {
  allocTrim();
  const freeAtStart = framesFreeBesidesRecords();
  const space = spaceCreate();
  check("an address space for the programs", space != 0);
  if (space == 0) return;
  spaceActivate(space);
  mapPage(CODE, PTE_WRITABLE | PTE_USER);
  mapPage(DATA, PTE_WRITABLE | PTE_USER);
  mapPage(STACK_TOP - PAGE_SIZE, PTE_WRITABLE | PTE_USER);
  for (let i = 0; i < MESSAGE.length; i++) store<u8>(DATA + <u32>i, <u8>MESSAGE.charCodeAt(i));

  checkEqual("getpid, write and exit from ring 3: the exit status is getpid's 1 + 40", run(HELLO, HELLO_BYTES), 41);
  check("...and userRun has returned: no code runs in ring 3", !userRunning() && !userFaulted());
  checkEqual("write of kernel memory is EFAULT and an unknown call ENOSYS: exit(-14 + -38)", run(HOSTILE, HOSTILE_BYTES), -(EFAULT + ENOSYS));
  checkEqual("write across a mapped page's end, of an unmapped user page, of too much: EFAULT, EFAULT, EINVAL", run(UNMAPPED, UNMAPPED_BYTES), -(EFAULT + EFAULT + EINVAL));
  check("a read of kernel memory from ring 3 ends the program, not the kernel", faults(TOUCH_KERNEL, 7));
  check("cli in ring 3 (a #GP) ends it", faults(PRIVILEGED, 3));
  check("a write to its own read-only text ends it", faults(WRITE_TEXT, 12));
  check("null selectors in DS and ES, then a system call: the kernel loads its own", run(NULL_SEGMENTS, NULL_SEGMENTS_BYTES) == 1 && !userFaulted());
  checkEqual("...and a program runs after them as before", run(HELLO, HELLO_BYTES), 41);

  pageUnmap(CODE);
  pageUnmap(DATA);
  pageUnmap(STACK_TOP - PAGE_SIZE);
  spaceActivate(kernelSpace());
  spaceDestroy(space);
  allocTrim();
  checkEqual("every frame is back once the space is destroyed", framesFreeBesidesRecords(), freeAtStart);
}

// Runs the code; whether an exception ended it.
function faults(code: usize, bytes: u32): bool {
  run(code, bytes);
  return userFaulted();
}

function mapPage(vaddr: u32, flags: u32): void {
  const frame = frameAlloc();
  pageMap(vaddr, frame, flags);
  frameRelease(frame); // the mapping holds it
}

// Writes `bytes` of machine code at CODE, makes the page read-only for ring
// 3, and runs it.
function run(code: usize, bytes: u32): i32 {
  pageSetFlags(CODE, PTE_WRITABLE | PTE_USER);
  memory.copy(CODE, code, bytes);
  pageSetFlags(CODE, PTE_USER);
  return userRun(CODE, STACK_TOP);
}

// The suites of this file (kernel/ktest/harness.ts), registered last.
suite("ring3", "ring 3 and back: system calls, hostile arguments, exceptions that end the program", ring3Suite);
