// tests/unit/page-double.js: the host's stand-in for paging, behind
// kernel/mm/backing.ts when the kernel is built with HOST_TEST (the specs'
// "host" imports; tests/unit/host.ts declares those the specs call).
//
// It keeps which pages of the test arena are "backed", each with its tag,
// and a limit on how many may be, to exhaust memory on purpose. It refuses
// what paging would refuse: backing a page twice, or unbacking or tagging
// one that is not backed.
//
// Pages of lazy areas are "parked" instead (paging's not-present entries
// that keep a tag): a parked page has a tag and no frame, and
// backParkedPage turns it into a backed page with the same tag. A limit on
// parked pages stands for running out of page tables.

const backed = new Map();
const parked = new Map();
const readOnly = new Set();
let pageLimit = Infinity;
let parkLimit = Infinity;
const hex = (v) => "0x" + (v >>> 0).toString(16);
function mustBeBacked(vaddr, what) {
  if (!backed.has(vaddr >>> 0)) throw new Error(`page double: ${what} of ${hex(vaddr)}, which is not backed`);
}
/** u32.MAX_VALUE from the spec means no limit. */
const limitOf = (limit) => (limit >>> 0 === 0xffffffff ? Infinity : limit >>> 0);

/** The "host" imports kernel/mm/backing.ts and tests/unit/host.ts use, by name. */
export const pageDouble = {
  backPage: (vaddr) => {
    if (backed.has(vaddr >>> 0)) throw new Error(`page double: ${hex(vaddr)} is backed already`);
    if (parked.has(vaddr >>> 0)) throw new Error(`page double: backPage of ${hex(vaddr)}, which is parked`);
    if (backed.size >= pageLimit) return 0;
    backed.set(vaddr >>> 0, 0);
    return 1;
  },
  unbackPage: (vaddr) => {
    mustBeBacked(vaddr, "unbackPage");
    backed.delete(vaddr >>> 0);
    readOnly.delete(vaddr >>> 0);
  },
  pageTag: (vaddr) => backed.get(vaddr >>> 0) ?? parked.get(vaddr >>> 0) ?? 0,
  setPageTag: (vaddr, tag) => {
    if (parked.has(vaddr >>> 0)) {
      parked.set(vaddr >>> 0, tag >>> 0);
      return;
    }
    mustBeBacked(vaddr, "setPageTag");
    backed.set(vaddr >>> 0, tag >>> 0);
  },
  pageBacked: (vaddr) => (backed.has(vaddr >>> 0) ? 1 : 0),
  parkPage: (vaddr, tag) => {
    if (backed.has(vaddr >>> 0) || parked.has(vaddr >>> 0)) throw new Error(`page double: parkPage of ${hex(vaddr)}, which is in use`);
    if (tag === 0 || (tag & 3) !== 0) throw new Error(`page double: parkPage with tag ${hex(tag)}, not a record`);
    if (parked.size >= parkLimit) return 0;
    parked.set(vaddr >>> 0, tag >>> 0);
    return 1;
  },
  unparkPage: (vaddr) => {
    if (!parked.has(vaddr >>> 0)) throw new Error(`page double: unparkPage of ${hex(vaddr)}, which is not parked`);
    parked.delete(vaddr >>> 0);
  },
  backParkedPage: (vaddr, writable) => {
    if (!parked.has(vaddr >>> 0)) throw new Error(`page double: backParkedPage of ${hex(vaddr)}, which is not parked`);
    if (backed.size >= pageLimit) return 0;
    backed.set(vaddr >>> 0, parked.get(vaddr >>> 0));
    parked.delete(vaddr >>> 0);
    if (!writable) readOnly.add(vaddr >>> 0);
    return 1;
  },
  parkedPages: () => parked.size,
  pageReadOnly: (vaddr) => (readOnly.has(vaddr >>> 0) ? 1 : 0),
  setParkLimit: (limit) => {
    parkLimit = limitOf(limit);
  },
  backedPages: () => backed.size,
  setPageLimit: (limit) => {
    pageLimit = limitOf(limit);
  },
  resetPages: () => {
    backed.clear();
    parked.clear();
    readOnly.clear();
    pageLimit = Infinity;
    parkLimit = Infinity;
  },
};
