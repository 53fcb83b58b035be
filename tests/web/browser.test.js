// The page in a real browser (Debian's Chromium, headless, through
// playwright-core): it boots test=alloc and the suite passes in #serial;
// the presets include test=demand, and it passes; the default RAM is
// make run's 128 MiB; the panels show the page directory through the
// mirror entry; typed into the terminal, `alloc 64` reaches the monitor and
// the slab panel shows the block; a lazy area's pages show parked until
// touched, the areas bar tells the kinds apart, each region is named; the
// terminal wraps long lines at spaces; the grids work from the keyboard. A
// screenshot of the page goes to build/web/screenshot.png and to
// docs/web.png, the picture the README shows.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { openSite } from "./browser.js";
import { WEB } from "./v86.js";

const BOOT_TIMEOUT_MS = 120_000;
let site;
before(async () => { site = await openSite(); });
after(async () => { await site?.close(); });

/** Boots the page with `cmdline` and waits until the run ends; returns the status line's state and text. */
async function bootAndWait(page, cmdline) {
  await page.fill("#cmdline", cmdline);
  await page.click("#boot");
  await page.waitForFunction(() => document.getElementById("status").dataset.state !== "running", null, { timeout: BOOT_TIMEOUT_MS });
  return { state: await page.getAttribute("#status", "data-state"), text: await page.textContent("#status") };
}

test("browser: the page boots test=alloc and the suite's pass line appears in #serial", async () => {
  const { page, errors } = site;
  const status = await bootAndWait(page, "test=alloc");
  const serial = await page.textContent("#serial");
  assert.equal(status.state, "passed", `${status.text}\n${serial}`);
  assert.match(status.text, /^kernel halted cleanly \(exit code 0x10\)/);
  const [, passed] = /^suite alloc: (\d+) passed, 0 failed\r?$/m.exec(serial) ?? assert.fail(`no pass line in #serial:\n${serial}`);
  assert.ok(Number(passed) > 0);
  assert.match(serial, /^ok   alloc: 1,000,000 random operations/m);
  assert.deepEqual(errors, [], "no script error on the page");
});

test("browser: the presets hold every in-kernel suite, test=demand among them, and test=demand passes", async () => {
  const { page, errors } = site;
  const presets = await page.$$eval("#preset option:not([hidden])", (options) => options.map((o) => o.value));
  for (const suite of ["paging", "alloc", "cpu", "console", "demand"]) assert.ok(presets.includes(`test=${suite}`), `test=${suite} in ${presets}`);
  await page.selectOption("#preset", "test=demand");
  assert.equal(await page.inputValue("#cmdline"), "test=demand", "the preset fills the command line");
  await page.click("#boot");
  await page.waitForFunction(() => document.getElementById("status").dataset.state !== "running", null, { timeout: BOOT_TIMEOUT_MS });
  const serial = await page.textContent("#serial");
  assert.equal(await page.getAttribute("#status", "data-state"), "passed", `${await page.textContent("#status")}\n${serial}`);
  const [, passed] = /^suite demand: (\d+) passed, 0 failed\r?$/m.exec(serial) ?? assert.fail(`no pass line in #serial:\n${serial}`);
  assert.ok(Number(passed) > 0);
  assert.deepEqual(errors, [], "no script error on the page");
});

test("browser: the page boots with 128 MiB by default, as make run does, and the kernel finds them", async () => {
  const { page } = site;
  await page.reload();
  assert.equal(await page.inputValue("#memory"), "128");
  const status = await bootAndWait(page, "");
  assert.equal(status.state, "passed", status.text);
  assert.match(status.text, / with 128 MiB$/);
  const serial = await page.textContent("#serial");
  const [, ram] = /^mem: ([\d.]+) MiB of RAM/m.exec(serial) ?? assert.fail(serial);
  assert.ok(Number(ram) > 127 && Number(ram) <= 128, `the kernel found ${ram} MiB`);
});

test("browser: a failing run says so in the status line", async () => {
  const status = await bootAndWait(site.page, "fault=0xdead0000");
  assert.equal(status.state, "failed", status.text);
  assert.match(status.text, /^kernel stopped on a failure \(exit code 0x11\)/);
  assert.match(await site.page.textContent("#serial"), /KERNEL FAULT: page fault/);
});

test("browser: the mirror entry opens the page directory itself, at CR3's frame", async () => {
  const { page } = site;
  const status = await bootAndWait(page, "");
  assert.equal(status.state, "passed", status.text);
  const serial = await page.textContent("#serial");
  const [, directory] = /^paging: on; directory (0x[0-9a-f]{8}) visible/m.exec(serial) ?? assert.fail(serial);
  assert.match(await page.textContent("#cpu"), new RegExp(`CR3 ${directory}`));

  await page.click('#directory .cell[data-index="1023"]');
  assert.equal(await page.getAttribute('#directory .cell[data-index="1023"]', "class"), "cell mirror selected");
  const info = await page.textContent("#table-info");
  assert.match(info, /^PDE 1023 = /);
  assert.equal(await page.getAttribute("#table-info", "data-frame"), directory, info);
  assert.match(info, new RegExp(`page table is at frame ${directory} = CR3: the page directory itself`));
  // The table shown is the directory: its entry 1023 is the mirror again, entry 0 the identity map's table.
  assert.equal(await page.getAttribute('#table .cell[data-index="1023"]', "class"), "cell mirror");
  await page.click('#table .cell[data-index="1023"]');
  assert.equal(await page.getAttribute("#page-info", "data-frame"), directory);
  assert.match(await page.textContent("#page-info"), /^page 0xfffff000 \(PDE 1023, PTE 1023\) → frame 0x[0-9a-f]{8} \(the page directory\)/);

  // A plain entry: PDE 0's table maps the kernel image to itself.
  await page.click('#directory .cell[data-index="0"]');
  assert.notEqual(await page.getAttribute("#table-info", "data-frame"), directory);
  await page.click('#table .cell[data-index="256"]');
  assert.match(await page.textContent("#page-info"), /^page 0x00100000 \(PDE 0, PTE 256\) → frame 0x00100000 \(identity/);
});

// The monitor (the `monitor` command-line word): keys typed into the terminal
// reach the kernel's serial port, and `alloc 64` shows in the slab panel.
const PROMPT = "tsk> ";
/** Waits until #serial holds `count` prompts. */
const prompts = (page, count) => page.waitForFunction(
  ([prompt, n]) => document.getElementById("serial").textContent.split(prompt).length - 1 >= n, [PROMPT, count], { timeout: BOOT_TIMEOUT_MS });
/** The 64-byte class's blocks in use, as the slab panel shows it now. */
const inUse64 = async (page) => Number(await page.textContent('#slabs tr[data-size="64"] .in-use'));

test("browser: typed into the terminal, alloc 64 reaches the monitor and shows as one more 64-byte block", async () => {
  const { page, errors } = site;
  await page.fill("#cmdline", "monitor");
  await page.click("#boot");
  await prompts(page, 1);
  assert.equal(await page.getAttribute("#status", "data-state"), "running");
  await page.waitForSelector('#slabs tr[data-size="64"]');
  const before = await inUse64(page);

  await page.click("#terminal");
  await page.keyboard.type("alloc 64");
  await page.keyboard.press("Enter");
  await prompts(page, 2);
  const serial = await page.textContent("#serial");
  const [, address] = /^tsk> alloc 64\r?\nalloc: (0x[0-9a-f]{8})\r?\ntsk> $/m.exec(serial) ?? assert.fail(`no address after alloc 64:\n${serial}`);

  // The panel is redrawn just after the kernel writes; wait for that redraw, then check it.
  await page.waitForFunction((n) => Number(document.querySelector('#slabs tr[data-size="64"] .in-use').textContent) !== n, before, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await inUse64(page), before + 1, "one more 64-byte block in use");

  // The block's page, found through the grids: present, and not the identity map.
  const va = Number(address);
  await page.click(`#directory .cell[data-index="${va >>> 22}"]`);
  await page.click(`#table .cell[data-index="${(va >>> 12) & 1023}"]`);
  assert.match(await page.textContent("#page-info"), new RegExp(`^page ${address.slice(0, 7)}000 .*→ frame 0x[0-9a-f]{8}\\. PTE 0x[0-9a-f]{8}: present, writable`));
  assert.deepEqual(errors, [], "no script error on the page");
});

// The same monitor session from here on: each test types its commands.
const PAGE = 4096;
const hex = (n) => "0x" + (n >>> 0).toString(16).padStart(8, "0");
/** Types `line` at the monitor and returns what the kernel printed for it (up to the next prompt). */
async function monitor(page, line) {
  const count = (await page.textContent("#serial")).split(PROMPT).length - 1;
  await page.click("#terminal");
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
  await prompts(page, count + 1);
  const serial = (await page.textContent("#serial")).replace(/\r\n/g, "\n");
  return serial.slice(serial.lastIndexOf(`${PROMPT}${line}\n`) + PROMPT.length + line.length + 1, serial.lastIndexOf(PROMPT));
}
/** Opens the page-table cell of `va` by clicking (its directory entry, then its entry); returns the cell's class. */
async function openPage(page, va) {
  await page.click(`#directory .cell[data-index="${va >>> 22}"]`);
  await page.click(`#table .cell[data-index="${(va >>> 12) & 1023}"]`);
  return page.getAttribute(`#table .cell[data-index="${(va >>> 12) & 1023}"]`, "class");
}
let lazyStart = 0;

test("browser: the terminal wraps a line longer than its width at a space, never inside a word", async () => {
  const { page } = site;
  await monitor(page, "help");
  const rows = await page.$$eval("#terminal .xterm-rows > div", (divs) => divs.map((d) => d.textContent.replace(/\s+$/, "")));
  const serial = (await page.textContent("#serial")).replace(/\r\n/g, "\n");
  const lines = serial.split("\n");
  const width = Math.max(...rows.map((r) => r.length));
  assert.ok(lines.slice(-rows.length).some((l) => l.length > width), `help prints a line longer than the terminal's ${width} columns`);
  // The rows on screen, word by word, are the last words the kernel wrote: no word is cut in two.
  const words = (text) => text.split(/\s+/).filter(Boolean);
  const shown = words(rows.join(" "));
  const written = words(serial);
  assert.deepEqual(shown, written.slice(written.length - shown.length), `the terminal shows:\n${rows.join("\n")}`);
});

test("browser: a lazy area's pages show as parked, not as absent, until touched: lazy 4, a poke into one page, 3 parked and 1 present", async () => {
  const { page } = site;
  const [, lazy] = /^lazy: (0x[0-9a-f]{8})$/m.exec(await monitor(page, "lazy 4")) ?? assert.fail("no address from lazy 4");
  lazyStart = Number(lazy);
  assert.match(await monitor(page, `poke ${hex(lazyStart + PAGE)} 0x1234`), /^poke: 0x[0-9a-f]{8} = 0x00001234$/m);
  // The kernel's own word for it: one page of four backed.
  assert.match(await monitor(page, "areas"), new RegExp(`^    ${lazy}-0x[0-9a-f]{8}  4 pages  \\(lazy, 1 backed\\)$`, "m"));
  const classes = [];
  for (let k = 0; k < 4; k++) classes.push(await openPage(page, lazyStart + k * PAGE));
  assert.deepEqual(classes, ["cell parked selected", "cell lazy selected", "cell parked selected", "cell parked selected"]);
  assert.match(await page.textContent("#page-info"), new RegExp(`^page ${hex(lazyStart + 3 * PAGE)} .*parked: not present, reserved for the lazy area ${lazy}-0x[0-9a-f]{8} \\(4 pages, 1 backed\\)`));
  const title = await page.getAttribute(`#table .cell[data-index="${(lazyStart >>> 12) & 1023}"]`, "title");
  assert.match(title, /parked \(not present, reserved for the lazy area/);
  // An entry no one uses is still plain "not present": parked and absent differ.
  const absent = (lazyStart + 64 * PAGE) >>> 0;
  if (absent >>> 22 === lazyStart >>> 22) {
    assert.equal(await openPage(page, absent), "cell selected");
    assert.match(await page.textContent("#page-info"), /not present: an access faults\.$/);
  }
  assert.match(await page.textContent("#table-info"), /\b3 parked\b/);
  assert.match(await page.textContent("#paging-legend"), /parked: reserved for a lazy area, not backed yet/);
});

test("browser: each region has its own name and colour: identity map, areas, mapped by hand, the mirror", async () => {
  const { page } = site;
  assert.match(await monitor(page, "map 0xd0000000"), /^map: 0xd0000000/m);
  assert.equal(await openPage(page, 0xd0000000), "cell hand selected");
  assert.equal(await page.getAttribute('#directory .cell[data-index="832"]', "class"), "cell hand selected");
  assert.match(await page.getAttribute('#directory .cell[data-index="832"]', "title"), /^PDE 832: 0xd0000000-0xd03fffff, mapped by hand\n/);
  assert.match(await page.textContent("#page-info"), /Region: mapped by hand\.$/);
  assert.equal(await openPage(page, 0x00100000), "cell identity read-only selected");
  assert.match(await page.getAttribute('#directory .cell[data-index="0"]', "title"), /^PDE 0: 0x00000000-0x003fffff, identity map and areas\n/);
  const legend = await page.$$eval("#paging-legend li", (items) => items.map((li) => li.textContent));
  assert.ok(legend.includes("mapped by hand (0xc0000000 up)"), legend.join(" | "));
  assert.ok(!legend.some((text) => /areas \(mapped elsewhere\)/.test(text)), "the hand-mapped window is not called areas");
  // The region's colours differ from each other.
  const colour = (cls) => page.$eval(`#paging-legend .cell.${cls}`, (i) => getComputedStyle(i).backgroundColor);
  const colours = await Promise.all(["identity", "area", "hand", "mirror"].map(colour));
  assert.equal(new Set(colours).size, 4, colours.join(" "));
});

test("browser: the areas bar tells slab, plain and lazy areas apart, and a lazy area's backed pages from its parked ones", async () => {
  const { page } = site;
  const [, plain] = /^area: (0x[0-9a-f]{8})$/m.exec(await monitor(page, "area 3")) ?? assert.fail("no address from area 3");
  const dump = await monitor(page, "areas");
  const [, slab] = /^    (0x[0-9a-f]{8})-0x[0-9a-f]{8}  \d+ pages?  \(slab, \d+ backed\)$/m.exec(dump) ?? assert.fail(dump);
  await page.waitForFunction(() => /\b1 plain\b/.test(document.getElementById("areas-kinds").textContent), null, { timeout: 5000 });
  assert.match(await page.textContent("#areas-kinds"), /: \d+ slab, 1 plain, 1 lazy \(1 of 4 pages backed\)$/);
  // The colour of the bar in the middle of a page, and the legend's colour of each kind.
  const barColour = (va) => page.$eval("#areas-low", (bar, va) => {
    const from = Number(bar.dataset.from);
    const x = Math.floor(((va + 2048 - from) * bar.width) / (Number(bar.dataset.to) - from));
    const [r, g, b] = bar.getContext("2d").getImageData(x, bar.height >> 1, 1, 1).data;
    return `rgb(${r}, ${g}, ${b})`;
  }, va);
  const legend = Object.fromEntries(await page.$$eval("#areas-legend li", (items) =>
    items.map((li) => [li.textContent, getComputedStyle(li.querySelector(".cell")).backgroundColor])));
  const kinds = ["slab", "plain area", "lazy area: backed page", "lazy area: parked page", "free"];
  assert.deepEqual(Object.keys(legend), kinds);
  assert.equal(new Set(Object.values(legend)).size, kinds.length, "each kind its own colour");
  assert.equal(await barColour(Number(slab)), legend.slab, "a slab");
  assert.equal(await barColour(Number(plain)), legend["plain area"], "the plain area");
  assert.equal(await barColour(lazyStart + PAGE), legend["lazy area: backed page"], "the lazy area's touched page");
  for (const k of [0, 2, 3]) assert.equal(await barColour(lazyStart + k * PAGE), legend["lazy area: parked page"], `the lazy area's page ${k}`);
  const title = await page.getAttribute("#areas-low", "title");
  assert.match(title, new RegExp(`^${hex(lazyStart)}-0x[0-9a-f]{8}  4 pages  \\(lazy, 1 backed\\)$`, "m"));
  assert.match(title, new RegExp(`^${plain}-0x[0-9a-f]{8}  3 pages  \\(plain, 3 backed\\)$`, "m"));
});

test("browser: keys typed on the VGA screen go to the PS/2 keyboard and reach the monitor; elsewhere they do not", async () => {
  const { page } = site;
  const count = (await page.textContent("#serial")).split(PROMPT).length - 1;
  await page.click("#screen");
  await page.keyboard.type("mem");
  await page.keyboard.press("Enter");
  await prompts(page, count + 1);
  assert.match(await page.textContent("#serial"), /tsk> mem\r?\nmem: frames: \d+ free/);
  // Off the screen (on the page directory), the same keys stay with the page.
  await page.click('#directory .cell[data-index="0"]');
  await page.keyboard.type("mem");
  await page.keyboard.press("Escape");
  await page.waitForTimeout(300);
  assert.doesNotMatch((await page.textContent("#serial")).split(PROMPT).pop(), /t/, "nothing typed at the prompt");
});

test("browser: the grids work from the keyboard: Tab reaches each grid, arrows move, Enter opens what a click opens", async () => {
  const { page, errors } = site;
  // What the mouse shows for PDE 0 and its page 256.
  await page.click('#directory .cell[data-index="0"]');
  const tableByClick = await page.textContent("#table-info");
  await page.click('#table .cell[data-index="256"]');
  const pageByClick = await page.textContent("#page-info");
  await page.click('#directory .cell[data-index="1023"]');
  assert.notEqual(await page.textContent("#table-info"), tableByClick);

  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { grid: e.closest(".grid")?.id ?? null, index: e.dataset.index, role: e.getAttribute("role"), label: e.getAttribute("aria-label"), visible: e.matches(":focus-visible"), outline: getComputedStyle(e).outlineWidth };
  });
  // From the Boot button, Tab passes the terminal and reaches the directory's one Tab stop.
  await page.focus("#boot");
  for (let n = 0; n < 6 && (await focused()).grid !== "directory"; n++) await page.keyboard.press("Tab");
  assert.equal((await focused()).grid, "directory", "Tab reaches the page directory");
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  let now = await focused();
  assert.equal(now.index, "34", "right, right, down from entry 0");
  assert.equal(now.role, "gridcell");
  assert.match(now.label, /^PDE 34: 0x08800000-0x08bfffff, areas; /);
  assert.ok(now.visible && now.outline === "2px", `the focused cell is outlined (${now.outline})`);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Enter");
  assert.equal((await focused()).index, "0");
  assert.equal(await page.textContent("#table-info"), tableByClick, "Enter on PDE 0 opens what a click opens");
  assert.equal(await page.getAttribute('#directory .cell[data-index="0"]', "aria-selected"), "true");

  // Tab again: the page table; PageDown goes 8 rows down, to entry 256.
  await page.keyboard.press("Tab");
  assert.equal((await focused()).grid, "table", "the next Tab stop is the page table");
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("PageDown");
  assert.equal((await focused()).index, "256");
  await page.keyboard.press("Enter");
  assert.equal(await page.textContent("#page-info"), pageByClick, "Enter on a page opens what a click opens");
  assert.equal(await page.$$eval("#directory > [role=row]", (rows) => rows.length), 32);
  assert.equal(await page.$$eval("#table [role=row] > [role=gridcell]", (cells) => cells.length), 1024);

  // For the picture: the lazy area's first page, parked, chosen with Space.
  const lazyIndex = (lazyStart >>> 12) & 1023;
  await page.keyboard.press("Control+Home");
  for (let n = 0; n < lazyIndex >> 5; n++) await page.keyboard.press("ArrowDown");
  for (let n = 0; n < (lazyIndex & 31); n++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press(" ");
  assert.match(await page.textContent("#page-info"), /parked: not present, reserved for the lazy area/);
  // The picture the README and docs/web.md show, of the page as it is now (the mouse off the grids).
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(WEB, "screenshot.png"), fullPage: true });
  copyFileSync(join(WEB, "screenshot.png"), "docs/web.png");
  assert.deepEqual(errors, [], "no script error on the page");
});
