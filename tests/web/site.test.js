// The site in build/web as a static host would serve it: every file the page
// asks for is there under a relative URL, .wasm goes out as application/wasm,
// and kernel-symbols.json holds addresses inside kernel_instance.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serveDirectory } from "../../tools/run/web.mjs";
import { WEB, symbols } from "./v86.js";

let server, url;
before(async () => ({ server, url } = await serveDirectory(WEB)));
after(() => server?.close());

test("site: the page refers to its files by relative URLs, and each is served", async () => {
  const html = readFileSync(join(WEB, "index.html"), "utf8");
  const app = readFileSync(join(WEB, "app.mjs"), "utf8");
  const refs = [
    ...[...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]),
    ...[...app.matchAll(/from "\.\/([^"]+)"/g)].map((m) => m[1]),
    ...[...app.matchAll(/fetch(?:Buffer)?\("([^"]+)"\)/g)].map((m) => m[1]),
    ...[...app.matchAll(/wasmPath: "([^"]+)"/g)].map((m) => m[1]),
  ];
  assert.ok(refs.length >= 10, `found the page's references: ${refs.join(" ")}`);
  for (const ref of refs) {
    assert.doesNotMatch(ref, /^(\/|[a-z]+:)/, `${ref} is relative`);
    const response = await fetch(new URL(ref, url));
    assert.equal(response.status, 200, ref);
  }
});

test("site: .wasm is served as application/wasm, .mjs as JavaScript", async () => {
  assert.equal((await fetch(url + "v86.wasm")).headers.get("content-type"), "application/wasm");
  assert.match((await fetch(url + "app.mjs")).headers.get("content-type"), /^text\/javascript/);
  assert.equal((await fetch(url)).status, 200, "/ is index.html");
});

test("site: nothing outside the directory is served", async () => {
  const response = await fetch(url + "..%2f..%2fpackage.json");
  assert.ok(response.status === 403 || response.status === 404, `status ${response.status}`);
  assert.equal((await fetch(url + "no-such-file")).status, 404);
});

test("site: kernel-symbols.json names globals inside kernel_instance, one u32 each", () => {
  const { address, size } = symbols.instance;
  const addresses = Object.values(symbols.globals);
  assert.ok(addresses.length >= 10);
  for (const [name, at] of Object.entries(symbols.globals)) {
    assert.ok(at >= address && at + 4 <= address + size && at % 4 === 0, `${name} at ${at}`);
  }
  assert.equal(new Set(addresses).size, addresses.length, "no two globals share an address");
});
