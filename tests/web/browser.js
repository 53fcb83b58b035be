// tests/web/browser.js: Debian's Chromium, headless, driven by Playwright
// (playwright-core: no browser of its own is downloaded), on the site in
// build/web served by tools/run/web.mjs on a free port.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveDirectory } from "../../tools/run/web.mjs";
import { WEB } from "./v86.js";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

// Headless, and quiet on the network: without the background-networking
// switches Chromium keeps trying to reach Google's services.
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Serves build/web, starts Chromium with a fresh profile (--user-data-dir), opens the page. Returns { page, url, close }. */
export async function openSite() {
  const { server, url } = await serveDirectory(WEB);
  const profile = mkdtempSync(join(tmpdir(), "tskernel-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1600, height: 1100 },
  }).catch((error) => { server.close(); throw error; });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  return {
    page, url, errors,
    close: async () => {
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
