// tools/web.mjs: the static site that boots the kernel in the browser.
//
//   node tools/web.mjs build KERNEL.elf OUT     assemble the site in OUT (build/web)
//   node tools/web.mjs serve OUT                serve OUT on a free port of 127.0.0.1
//
// The site is plain files with relative URLs: the page (web/), the emulator
// (v86's libv86.mjs and v86.wasm), the terminal (@xterm/xterm), SeaBIOS and
// its VGA BIOS from Debian's `seabios` package, the kernel, and
// kernel-symbols.json (written beside it by tools/web-symbols.mjs). Any static
// file server can serve it as it is, provided it sends .wasm as
// application/wasm, as this one does.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
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
  if (!kernel || !out) throw new Error("usage: node tools/web.mjs build KERNEL.elf OUT");
  for (const [name, source] of siteFiles(kernel)) {
    const from = resolve(ROOT, source);
    if (!existsSync(from)) throw new Error(`${source} is missing (seabios: apt-get install seabios; node_modules: npm ci)`);
    mkdirSync(dirname(join(out, name)), { recursive: true });
    copyFileSync(from, join(out, name));
  }
  console.log(`web: site in ${out}/`);
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

/** Serves the files under `dir` (GET and HEAD only) on 127.0.0.1:`port` (0: a free one). Resolves to { server, url }. */
export function serveDirectory(dir, port = 0) {
  const root = resolve(dir);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    const fail = (status, text) => response.writeHead(status, { "content-type": "text/plain" }).end(text + "\n");
    if (request.method !== "GET" && request.method !== "HEAD") return fail(405, "only GET and HEAD");
    if (file !== root && !file.startsWith(root + sep)) return fail(403, "outside the site");
    if (!existsSync(file) || !statSync(file).isFile()) return fail(404, `no ${path}`);
    const body = readFileSync(file);
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  return new Promise((done, failed) => {
    server.once("error", failed);
    server.listen(port, "127.0.0.1", () => done({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

async function serve(dir) {
  if (!dir || !existsSync(join(dir, "index.html"))) throw new Error(`no site in ${dir}: run make web`);
  const { url } = await serveDirectory(dir);
  console.log(`web: serving ${dir}/ at ${url}  (Ctrl-C stops it)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  try {
    if (command === "build") build(...args);
    else if (command === "serve") await serve(...args);
    else throw new Error("usage: node tools/web.mjs build KERNEL.elf OUT | serve OUT");
  } catch (error) {
    console.error(`web: ${error.message}`);
    process.exit(1);
  }
}
