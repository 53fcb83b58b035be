// The page in a real browser (Debian's Chromium, headless, through
// playwright-core): it boots test=alloc and the suite passes in #serial;
// the panels show the page directory through the mirror entry; a screenshot
// of the page goes to build/web/screenshot.png.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
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
  await page.click('#directory .cell[data-index="1023"]');
  await page.screenshot({ path: join(WEB, "screenshot.png"), fullPage: true });
});
