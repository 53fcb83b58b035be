// The page in a real browser (Debian's Chromium, headless, through
// playwright-core): it boots test=alloc and the suite passes in #serial;
// the panels show the page directory through the mirror entry; typed into
// the terminal, `alloc 64` reaches the monitor and the slab panel shows the
// block. A screenshot of the page goes to build/web/screenshot.png and to
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
  // The picture the README and docs/web.md show, of the page as it is now.
  await page.screenshot({ path: join(WEB, "screenshot.png"), fullPage: true });
  copyFileSync(join(WEB, "screenshot.png"), "docs/web.png");
  assert.deepEqual(errors, [], "no script error on the page");
});
