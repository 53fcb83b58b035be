// tools/build/web-site.mjs: the static site that boots the kernel in the browser.
//
//   node tools/build/web-site.mjs KERNEL.elf OUT     assemble the site in OUT (build/web)
//
// The site is plain files with relative URLs: the page (web/), the emulator
// (v86's libv86.mjs and v86.wasm), the terminal (@xterm/xterm), SeaBIOS and
// its VGA BIOS from Debian's `seabios` package, the kernel, and
// kernel-symbols.json (written beside it by tools/build/web-symbols.mjs). Any
// static file server can serve it as it is, provided it sends .wasm as
// application/wasm, as tools/run/web.mjs does.

import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SEABIOS = "/usr/share/seabios";

/**
 * Site file <- source file. The VGA BIOS is SeaBIOS's PCI "stdvga" build: v86's VGA is
 * a PCI device, and with the ISA build (vgabios-isavga.bin) the DAC palette stays
 * black, so text mode shows nothing.
 */
function siteFiles(kernel) {
  const files = [
    ["kernel.elf", kernel],
    ["libv86.mjs", "node_modules/v86/build/libv86.mjs"],
    ["v86.wasm", "node_modules/v86/build/v86.wasm"],
    ["xterm.mjs", "node_modules/@xterm/xterm/lib/xterm.mjs"],
    ["xterm.css", "node_modules/@xterm/xterm/css/xterm.css"],
    ["bios/bios.bin", `${SEABIOS}/bios.bin`],
    ["bios/vgabios.bin", `${SEABIOS}/vgabios-stdvga.bin`],
  ];
  for (const name of readdirSync(join(ROOT, "web"))) files.push([name, `web/${name}`]);
  return files;
}

function build(kernel, out) {
  if (!kernel || !out) throw new Error("usage: node tools/build/web-site.mjs KERNEL.elf OUT");
  for (const [name, source] of siteFiles(kernel)) {
    const from = resolve(ROOT, source);
    if (!existsSync(from)) throw new Error(`${source} is missing (seabios: apt-get install seabios; node_modules: npm ci)`);
    mkdirSync(dirname(join(out, name)), { recursive: true });
    copyFileSync(from, join(out, name));
  }
  console.log(`web: site in ${out}/`);
}

try {
  build(...process.argv.slice(2));
} catch (error) {
  console.error(`web: ${error.message}`);
  process.exit(1);
}
