// The kernel in v86 under node (no browser): the in-kernel suites pass there
// as under QEMU, and what the page's memory panels read (web/memory.mjs: the
// page walk from CR3, the regions, the area lists with their kinds and backed
// pages, parked entries, the slab classes) agrees with what the kernel itself
// prints, at boot and after monitor commands.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { explain, judgeSuite } from "../kernel/kernel.js";
import { STATUS_FAILURE, STATUS_SUCCESS } from "../../tools/run/qemu.mjs";
import { bootInV86, memoryModule, startInV86, symbols } from "./v86.js";

const { PAGE, entryFrame } = memoryModule;
const { MIRROR_INDEX } = symbols.layout.constants;

const runs = [];
after(() => runs.forEach((run) => run.stop()));
async function boot(cmdline, options) {
  const run = await bootInV86(cmdline, options);
  runs.push(run);
  return run;
}

test("v86: in-kernel suite paging passes", async () => {
  const run = judgeSuite("paging", await boot("test=paging"));
  assert.ok(run.ok, explain(run));
});

test("v86: in-kernel suite alloc passes, a million random operations included", async (t) => {
  const run = judgeSuite("alloc", await boot("test=alloc"));
  assert.ok(run.ok, explain(run));
  assert.ok(run.cases.some((c) => /^1,000,000 random operations/.test(c.text)), "the million-operation workload ran");
  t.diagnostic(`test=alloc took ${run.seconds.toFixed(1)} s in v86`);
});

test("v86: a failure is reported as one (fault=0xdead0000 exits with 0x11)", async () => {
  const run = await boot("fault=0xdead0000");
  assert.equal(run.status, STATUS_FAILURE, explain(run));
  assert.match(run.serial, /^\*\*\* KERNEL FAULT: page fault \(#PF, vector 0xe\)$/m);
});

test("v86: a triple fault ends the run as a crash of the emulated CPU, not a hang", async () => {
  // tests/tools/fixtures/reset.asm loads an empty IDT and raises a breakpoint.
  const run = await boot("", { kernel: "build/fixtures/reset.elf", timeoutMs: 30_000 });
  assert.equal(run.timedOut, false, "the run ended");
  assert.equal(run.status, 0, "no exit code: not a clean halt");
  assert.ok(run.exit.crash, JSON.stringify(run.exit));
});

test("v86: the regions the page reads are the ones the kernel reports at boot, and the RAM is make run's 128 MiB", async () => {
  const run = await boot("");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const [, ram] = /^mem: ([\d.]+) MiB of RAM/m.exec(run.serial) ?? assert.fail(explain(run));
  assert.ok(Number(ram) > 127 && Number(ram) <= 128, `the kernel found ${ram} MiB`);
  const [, identityLast] = /^paging: identity map 0x[0-9a-f]{8}-(0x[0-9a-f]{8})/m.exec(run.serial) ?? assert.fail(explain(run));
  const [, areasFrom, areasLast] = /^alloc: areas over (0x[0-9a-f]{8})-(0x[0-9a-f]{8});/m.exec(run.serial) ?? assert.fail(explain(run));
  const [, mirrorPde] = /^paging: on; directory 0x[0-9a-f]{8} visible at 0xfffff000 through PDE (\d+)$/m.exec(run.serial) ?? assert.fail(explain(run));
  const [, userFrom, userLast, views] = /^spaces: user space (0x[0-9a-f]{8})-(0x[0-9a-f]{8}), each space's own; every directory seen from (0x[0-9a-f]{8})/m.exec(run.serial) ?? assert.fail(explain(run));
  const regions = Object.fromEntries(run.memory.regions().map((r) => [r.name, [r.start, r.end]]));
  const pde = (n) => n * 4 * 1024 * 1024;
  assert.deepEqual(Object.keys(regions), ["identity", "areas", "user", "hand", "directories", "second", "mirror"]);
  assert.equal(regions.identity[1], Number(identityLast) + 1, "the identity map ends where the kernel says");
  assert.deepEqual(regions.areas, [Number(areasFrom), Number(areasLast) + 1], "the areas are the range the kernel manages");
  assert.deepEqual(regions.user, [Number(userFrom), Number(userLast) + 1], "user space as the kernel reports it, right after the areas");
  assert.equal(regions.user[0], regions.areas[1]);
  assert.deepEqual(regions.hand, [Number(userLast) + 1, Number(views)], "mapped by hand: from user space's end to the directories' window");
  assert.deepEqual(regions.directories, [Number(views), Number(views) + pde(1)], "the directories' window: one directory entry");
  assert.deepEqual(regions.second, [Number(views) + pde(1), pde(Number(mirrorPde))], "the entry kept for a second mirror");
  assert.deepEqual(regions.mirror, [pde(Number(mirrorPde)), 2 ** 32]);
});

test("v86: the page walk from CR3 finds the directory the kernel reports, and the mirror", async () => {
  const run = await boot("");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const [, reported] = /^paging: on; directory (0x[0-9a-f]{8}) visible at 0xfffff000/m.exec(run.serial) ?? assert.fail(explain(run));
  const { memory } = run;
  assert.ok(memory.pagingOn(), "CR0.PG is set");
  assert.equal(memory.directoryFrame(), Number(reported), "CR3's frame is the directory the kernel reported");
  assert.equal(memory.global("kernel/mm/pages/directoryPhysical"), Number(reported), "and the kernel's own global says so");
  const directory = memory.table(memory.directoryFrame());
  assert.equal(entryFrame(directory[MIRROR_INDEX]), Number(reported), "PDE 1023 points at the directory");
  assert.equal(memory.walk(0xfffff000).physical, Number(reported), "0xfffff000 is the directory");
  assert.equal(memory.walk(0xffc00000).physical, entryFrame(directory[0]), "0xffc00000 is page table 0");
  assert.equal(memory.walk(0x00100000).physical, 0x00100000, "the kernel image is identity mapped");
  assert.equal(memory.walk(0).physical, null, "page 0 is not mapped");
  assert.equal(memory.walk(0xdead0000).physical, null);
  assert.equal(PAGE, 4096);
});

test("v86: the areas and slab classes read from memory are the ones dump=alloc prints", async () => {
  const run = await boot("dump=alloc");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  const printed = [...run.serial.matchAll(/^ +(\d+|records) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$/gm)];
  assert.equal(printed.length, 11, explain(run));
  const header = /^ +class +size +in use +free +slabs +empty +pages$/m;
  assert.match(run.serial, header, "the dump's columns are class, size, in use, free, slabs, empty, pages");
  const read = run.memory.slabs();
  assert.deepEqual(
    read.map((r) => [r.name, r.size, r.inUse, r.free, r.slabs, r.emptySlabs, r.pages]),
    printed.map((m) => [m[1], ...m.slice(2).map(Number)]),
  );
  const areas = run.memory.areas();
  const [, used, usedPages, free, freePages] = /^areas: range 0x[0-9a-f]{8}-0x3fffffff, (\d+) used \((\d+) pages?\), (\d+) free \((\d+) pages?\)$/m.exec(run.serial) ?? assert.fail(explain(run));
  assert.deepEqual([areas.usedAreas, areas.usedPages, areas.freeAreas, areas.freePages].map(String), [used, usedPages, free, freePages]);
  const listed = (name) => {
    const block = new RegExp(`^  ${name}:\\n((?:    .*\\n)*)`, "m").exec(run.serial)[1];
    // A used area's row ends "(KIND, N backed)"; a free one's has none.
    return [...block.matchAll(/0x([0-9a-f]{8})-0x[0-9a-f]{8} +(\d+) pages?(?: +\((\w+), \d+ backed\))?/g)]
      .map((m) => [parseInt(m[1], 16), Number(m[2]), m[3] ?? "free"]);
  };
  assert.deepEqual(areas.used.map((a) => [a.start, a.pages, a.areaKind]), listed("used"));
  assert.ok(areas.used.every((a) => (a.slab !== 0) === (a.areaKind === "slab")), "a slab's area is the one with a slab");
  assert.deepEqual(areas.free.map((a) => [a.start, a.pages, "free"]), listed("free"));
});

const PROMPT = /tsk> $/;
test("v86: the monitor takes typed lines; alloc 64 shows in the slab class the page reads", async () => {
  const run = startInV86("monitor");
  runs.push(run);
  await run.waitFor(PROMPT);
  const before = run.memory.slabs().find((r) => r.size === 64);
  run.type("alloc 64\r");
  const [, address] = await run.waitFor(/^tsk> alloc 64\nalloc: (0x[0-9a-f]{8})\ntsk> $/m);
  run.memory.forget();
  const after64 = run.memory.slabs().find((r) => r.size === 64);
  assert.equal(after64.inUse, before.inUse + 1, "one more 64-byte block in use");
  const { physical } = run.memory.walk(Number(address));
  assert.notEqual(physical, null, `${address} is mapped`);

  run.type("slabs 3\r");
  const [row] = await run.waitFor(/^ +3 +64 +\d+ +\d+ +\d+ +\d+ +\d+$/m);
  const [, , inUse, free, slabs, empty, pages] = row.trim().split(/ +/).map(Number);
  assert.deepEqual([inUse, free, slabs, empty, pages], [after64.inUse, after64.free, after64.slabs, after64.emptySlabs, after64.pages], row);

  run.type("halt\r");
  const exit = await run.exited;
  assert.equal((exit.code << 1) | 1, STATUS_SUCCESS, run.serial());
});

test("v86: a lazy area's parked entries, its kind and its backed pages read as the kernel's pt and areas print them", async () => {
  const run = startInV86("monitor");
  runs.push(run);
  await run.waitFor(PROMPT);
  run.type("lazy 4\r");
  const [, lazy] = await run.waitFor(/^tsk> lazy 4\nlazy: (0x[0-9a-f]{8})\ntsk> $/m);
  const start = Number(lazy);
  const page = (k) => "0x" + (start + k * PAGE).toString(16).padStart(8, "0");
  run.type(`poke ${page(2)} 7\r`);
  await run.waitFor(/^poke: 0x[0-9a-f]{8} = 0x00000007\ntsk> $/m);
  run.type("area 2\r");
  await run.waitFor(/^area: 0x[0-9a-f]{8}\ntsk> $/m);
  run.type(`pt ${page(0)}\r`);
  const [, word] = await run.waitFor(/^    pte: +0x[0-9a-f]{8} at 0x[0-9a-f]{8} \(not present, parked: word (0x[0-9a-f]{8})\)\n/m);
  run.type("areas\r");
  const [dump] = await run.waitFor(/^areas: range [^]*?\ntsk> $/m);
  run.memory.forget();
  const { memory } = run;
  const ptes = [0, 1, 2, 3].map((k) => memory.walk(start + k * PAGE).pte);
  assert.deepEqual(ptes.map((e) => memory.parked(e)), [true, true, false, true], "three pages parked, the poked one not");
  assert.equal(memory.walk(start + 2 * PAGE).physical !== null, true, "the poked page is backed");
  assert.equal(memory.parkedWord(ptes[0]), Number(word), "the parked word is the one pt prints");
  assert.equal(memory.parked(memory.walk(0xdead0000).pte), false, "an entry no one uses is not parked");
  const used = /^  used:\n((?:    .*\n)*)/m.exec(dump)[1];
  const printed = [...used.matchAll(/^    0x([0-9a-f]{8})-0x[0-9a-f]{8} +(\d+) pages? +\((\w+), (\d+) backed\)$/gm)]
    .map((m) => [parseInt(m[1], 16), Number(m[2]), m[3], Number(m[4])]);
  assert.ok(printed.some(([, , kind, backed]) => kind === "lazy" && backed === 1), dump);
  assert.ok(printed.some(([, pages, kind]) => kind === "plain" && pages === 2), dump);
  assert.deepEqual(memory.areas().used.map((a) => [a.start, a.pages, a.areaKind, a.backedCount]), printed);
});

test("v86: test=ring3 passes, null selectors in DS and ES included (v86 checks them where QEMU's TCG does not)", async () => {
  const run = await boot("test=ring3");
  assert.equal(run.status, STATUS_SUCCESS, explain(run));
  assert.match(run.serial, /^ok   ring3: null selectors in DS and ES, then a system call: the kernel loads its own$/m, explain(run));
  assert.match(run.serial, /^suite ring3: \d+ passed, 0 failed$/m, explain(run));
});
