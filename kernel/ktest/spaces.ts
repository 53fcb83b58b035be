// kernel/ktest/spaces.ts: `test=spaces`, address spaces on real paging: the
// kernel's part shared by every directory, user space each space's own, the
// mirror following CR3 (mm/space.ts, mm/directories.ts).

import { check, checkEqual, framesFreeBesidesRecords, refused, suite } from "./harness";
import { readCr3 } from "../arch/x86/cpu";
import { MIRROR_INDEX, mirrorDirectory } from "../arch/x86/mirror";
import { ENTRIES_PER_TABLE, pdeIndex, PDE_SHIFT, PTE_ADDRESS, PTE_PRESENT, PTE_WRITABLE } from "../arch/x86/paging";
import { probeLoad, probeValue } from "../arch/x86/probe";
import { allocTrim } from "../mm/alloc";
import { directoryCount } from "../mm/directories";
import { frameAlloc, frameRelease, framesFree } from "../mm/frames";
import { pageMap, pageUnmap } from "../mm/pages";
import { HAND_MAP_BASE, HAND_MAP_END, isKernelTable, USER_BASE, USER_END } from "../mm/regions";
import { kernelSpace, spaceActivate, spaceCreate, spaceDestroy, spaceFrame, spaceRunning } from "../mm/space";

// A user page and a kernel page, each under a directory entry with no table
// in the kernel's space (found when the suite starts: the monitor's map may
// have used some).
let USER_PAGE: u32 = 0;
let kernelPage: u32 = 0;
@inline const MANY_SPACES: u32 = 100;
const many = memory.data(<i32>MANY_SPACES * 4);

function spacesSuite(): void {
  allocTrim();
  const freeAtStart = framesFreeBesidesRecords();
  kernelPage = emptyTable(HAND_MAP_BASE, HAND_MAP_END);
  USER_PAGE = emptyTable(USER_BASE, USER_END) + 0x1000;
  check("directory entries without a table in the window mapped by hand and in user space", kernelPage != 0 && USER_PAGE != 0x1000);
  if (kernelPage == 0 || USER_PAGE == 0x1000) return;
  kernelSpaceIsTheBootDirectory();
  const b = spaceCreate();
  check("spaceCreate returns a space", b != 0);
  if (b == 0) return;
  newDirectory(b);
  switching(b);
  sharedAndPrivate(b);
  tablesComeAndGo(b);
  sameAddressTwoSpaces(b);
  refusals(b);
  spaceDestroy(b);
  manySpaces();
  allocTrim(); // the records' slabs, kept empty
  checkEqual("every frame is back once the spaces are destroyed", framesFreeBesidesRecords(), freeAtStart);
  checkEqual("...and the kernel's space runs", spaceRunning(), kernelSpace());
}

// The first page of [from, to) under an entry with no table, or 0.
function emptyTable(from: u32, to: u32): u32 {
  for (let i = pdeIndex(from); i < pdeIndex(to); i++) {
    if ((load<u32>(mirrorDirectory() + i * 4) & PTE_PRESENT) == 0) return i << PDE_SHIFT;
  }
  return 0;
}

function kernelSpaceIsTheBootDirectory(): void {
  check("the kernel's space runs at first", kernelSpace() != 0 && spaceRunning() == kernelSpace());
  checkEqual("its frame is the directory in CR3", spaceFrame(kernelSpace()), readCr3());
  checkEqual("its view shows the directory the mirror shows", memory.compare(kernelSpace(), mirrorDirectory(), 4096), 0);
}

function newDirectory(b: u32): void {
  let shared = true;
  let empty = true;
  for (let i: u32 = 0; i < ENTRIES_PER_TABLE; i++) {
    const entry = load<u32>(b + i * 4);
    if (isKernelTable(i)) shared = shared && entry == load<u32>(mirrorDirectory() + i * 4);
    else if (i != MIRROR_INDEX) empty = empty && entry == 0;
  }
  check("a new space holds the kernel's directory entries, every one", shared);
  check("...its user entries and entry 1022 are empty", empty);
  checkEqual("...and its entry 1023 names its own directory: its own mirror", load<u32>(b + MIRROR_INDEX * 4) & PTE_ADDRESS, spaceFrame(b));
  check("...a frame of its own", spaceFrame(b) != spaceFrame(kernelSpace()));
}

function switching(b: u32): void {
  spaceActivate(b);
  checkEqual("spaceActivate loads the space's directory into CR3", readCr3(), spaceFrame(b));
  checkEqual("the mirror then shows that directory", load<u32>(mirrorDirectory() + MIRROR_INDEX * 4) & PTE_ADDRESS, spaceFrame(b));
  checkEqual("...the same bytes as its view", memory.compare(b, mirrorDirectory(), 4096), 0);
  spaceActivate(kernelSpace());
  checkEqual("back in the kernel's space, CR3 is the boot directory again", readCr3(), spaceFrame(kernelSpace()));
}

function sharedAndPrivate(b: u32): void {
  spaceActivate(b);
  const k = frameAlloc();
  const u = frameAlloc();
  pageMap(kernelPage, k, PTE_WRITABLE);   // a new kernel table, made in b's directory
  pageMap(USER_PAGE, u, PTE_WRITABLE);    // a user table of b's own
  frameRelease(k);
  frameRelease(u);
  store<u32>(kernelPage, 0x5151);
  store<u32>(USER_PAGE, 0xB0B);
  spaceActivate(kernelSpace());
  check("a kernel page mapped while another space ran is seen in the kernel's", probeLoad(kernelPage) && probeValue() == 0x5151);
  check("...through the same table", (load<u32>(kernelSpace() + pdeIndex(kernelPage) * 4) & PTE_ADDRESS) == (load<u32>(b + pdeIndex(kernelPage) * 4) & PTE_ADDRESS));
  checkEqual("a user page of another space has no table here", load<u32>(mirrorDirectory() + pdeIndex(USER_PAGE) * 4) & PTE_PRESENT, 0);
  check("...and reading it faults", !probeLoad(USER_PAGE));
  spaceActivate(b);
  checkEqual("in its own space the user page reads what was written", load<u32>(USER_PAGE), 0xB0B);
}

function tablesComeAndGo(b: u32): void {
  pageUnmap(USER_PAGE);
  checkEqual("unmapping the user page frees its table, in its own space", load<u32>(mirrorDirectory() + pdeIndex(USER_PAGE) * 4) & PTE_PRESENT, 0);
  pageUnmap(kernelPage);
  checkEqual("unmapping the kernel page frees its table in every directory: the kernel's", load<u32>(kernelSpace() + pdeIndex(kernelPage) * 4), 0);
  checkEqual("...and this one", load<u32>(b + pdeIndex(kernelPage) * 4), 0);
  spaceActivate(kernelSpace());
}

// Two spaces with a user page at the same address: each its own frame, its
// own table, and its own count of the table's entries.
function sameAddressTwoSpaces(b: u32): void {
  const c = spaceCreate();
  check("a second space", c != 0);
  if (c == 0) return;
  const pages = [b, c];
  for (let i = 0; i < 2; i++) {
    spaceActivate(pages[i]);
    const frame = frameAlloc();
    pageMap(USER_PAGE, frame, PTE_WRITABLE);
    frameRelease(frame);
    store<u32>(USER_PAGE, 0xB0 + i);
  }
  spaceActivate(b);
  checkEqual("the same user address in two spaces: each reads its own page", load<u32>(USER_PAGE), 0xB0);
  spaceActivate(c);
  checkEqual("...in both", load<u32>(USER_PAGE), 0xB1);
  pageUnmap(USER_PAGE);
  checkEqual("unmapped in one, its table goes: the count is that space's own", load<u32>(mirrorDirectory() + pdeIndex(USER_PAGE) * 4) & PTE_PRESENT, 0);
  spaceActivate(b);
  checkEqual("...while the other's page stays", load<u32>(USER_PAGE), 0xB0);
  pageUnmap(USER_PAGE);
  checkEqual("...until it is unmapped there too", load<u32>(mirrorDirectory() + pdeIndex(USER_PAGE) * 4) & PTE_PRESENT, 0);
  spaceActivate(kernelSpace());
  spaceDestroy(c);
}

// Refused requests, each before anything changed.
let target: u32 = 0;
function destroyTarget(): void { spaceDestroy(target); }
function activateTarget(): void { spaceActivate(target); }

function refusals(b: u32): void {
  const frame = spaceFrame(b);
  const directories = directoryCount();
  target = kernelSpace();
  check("spaceDestroy of the running space is refused", refused(destroyTarget));
  spaceActivate(b);
  check("spaceDestroy of the kernel's space is refused, though another runs", refused(destroyTarget));
  spaceActivate(kernelSpace());
  target = b + 4;
  check("spaceActivate of an address that is no space is refused", refused(activateTarget));
  spaceActivate(b);
  const u = frameAlloc();
  pageMap(USER_PAGE, u, PTE_WRITABLE);
  frameRelease(u);
  spaceActivate(kernelSpace());
  target = b;
  check("spaceDestroy of a space whose user part is mapped is refused", refused(destroyTarget));
  spaceActivate(b);
  pageUnmap(USER_PAGE);
  spaceActivate(kernelSpace());
  check("...and the refusals left the spaces as they were", spaceFrame(b) == frame && directoryCount() == directories && spaceRunning() == kernelSpace());
}

function manySpaces(): void {
  const directories = directoryCount();
  const wanted = min(MANY_SPACES, framesFree() / 4);
  let made: u32 = 0;
  while (made < wanted) {
    const s = spaceCreate();
    if (s == 0) break;
    store<u32>(many + made * 4, s);
    made++;
  }
  checkEqual(wanted.toString() + " spaces at once", made, wanted);
  let distinct = true;
  for (let i: u32 = 1; i < made; i++) distinct = distinct && spaceFrame(load<u32>(many + i * 4)) != spaceFrame(load<u32>(many + (i - 1) * 4));
  check("...each with a directory of its own", distinct);
  for (let i: u32 = 0; i < made; i++) spaceDestroy(load<u32>(many + i * 4));
  checkEqual("...and all destroyed, the directories are as before", directoryCount(), directories);
}

// The suites of this file (kernel/ktest/harness.ts), registered last.
suite("spaces", "address spaces: the kernel's part shared, user space each one's own, the mirror following CR3", spacesSuite);
