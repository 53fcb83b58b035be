// The docs say what the build prints: every transcript in README.md and
// docs/*.md is made again from the current kernel (tools/build/docs.mjs)
// and compared, one test per transcript; and the comparison itself fails on
// a transcript edited by hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { comparable, docFiles, make, transcripts } from "../../tools/build/docs.mjs";

const all = docFiles().flatMap((file) => transcripts(file));

test("docs: README.md and docs/ hold transcripts", () => {
  assert.ok(all.length >= 10, `only ${all.length} transcripts found`);
  for (const file of ["README.md", "docs/command-line.md", "docs/monitor.md", "docs/debugging.md"]) {
    assert.ok(all.some((t) => t.file === file), `${file} has no transcript`);
  }
});

for (const t of all) {
  test(`docs: ${t.file}:${t.line} "${t.spec}" is what the build prints (make docs rewrites it)`, async () => {
    const was = readFileSync(t.file, "utf8").split("\n").slice(t.start, t.end).join("\n");
    const now = await make(t.spec);
    assert.equal(comparable(was, t.vary), comparable(now, t.vary));
  });
}

test("docs: a transcript edited by hand fails the check, naming the file and line", () => {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-docs-"));
  try {
    const doc = join(dir, "edited.md");
    const body = spawnSync("node", ["tools/build/docs.mjs", "--check", "README.md"], { encoding: "utf8" });
    assert.equal(body.status, 0, `README.md itself must pass first:\n${body.stderr}`);
    // The README with one word of its first transcript changed, outside any address.
    const text = readFileSync("README.md", "utf8");
    const edited = text.replace("kernel halted cleanly\n", "kernel halted happily\n");
    assert.notEqual(edited, text);
    writeFileSync(doc, edited);
    const run = spawnSync("node", ["tools/build/docs.mjs", "--check", doc], { encoding: "utf8" });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`${doc.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: transcript "run" is not what the build prints now`));
    assert.match(run.stderr, /doc: {3}kernel halted happily/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("docs: an address in a transcript that says addresses vary may differ, a word may not", () => {
  assert.equal(comparable("areas over 0x00341000-0xbfffffff", true), comparable("areas over 0x00351000-0xbfffffff", true));
  assert.notEqual(comparable("areas over 0x00341000", false), comparable("areas over 0x00351000", false));
  assert.equal(comparable("kernel/main.ts:63 commandLineRun+0x62a", true), comparable("kernel/main.ts:63 commandLineRun+0x5f1", true));
  assert.notEqual(comparable("kernel/main.ts:63 commandLineRun", true), comparable("kernel/main.ts:64 commandLineRun", true));
  assert.notEqual(comparable("1 used area", true), comparable("2 used areas", true));
});
