// tools/run/web.mjs: `make web`. Serves the site tools/build/web-site.mjs
// assembled (build/web) on a free port of 127.0.0.1; tests/web serves it
// the same way (serveDirectory).
//
//   node tools/run/web.mjs OUT                serve OUT on a free port of 127.0.0.1
//
// It sends .wasm as application/wasm, as any static file server serving the
// site must.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

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
  try {
    await serve(process.argv[2]);
  } catch (error) {
    console.error(`web: ${error.message}`);
    process.exit(1);
  }
}
