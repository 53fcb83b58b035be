// Every markdown file renders as it reads (tools/check/markdown.mjs): fences
// balanced, relative links resolve; and the check fails, naming the file
// and line, on an unclosed fence and on a broken link or anchor.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anchorOf, markdownFiles, markdownProblems } from "../../tools/check/markdown.mjs";

const files = markdownFiles();

test("markdown: the tree's files are found (README.md, docs/, bench/)", () => {
  for (const f of ["README.md", "docs/memory.md", "bench/README.md"]) assert.ok(files.includes(f), `${f} not found`);
});

for (const file of files) {
  test(`markdown: ${file} has balanced fences and links that resolve`, () => {
    assert.deepEqual(markdownProblems(file), []);
  });
}

test("markdown: an unclosed fence, a missing file and a missing heading are each reported with their line", () => {
  const dir = mkdtempSync(join(tmpdir(), "tskernel-md-"));
  try {
    const doc = join(dir, "doc.md");
    writeFileSync(join(dir, "other.md"), "# Other page\n\n## A section\n");
    writeFileSync(doc, [
      "# Doc", "", "[fine](other.md#a-section) and [fine too](#doc)", "[gone](missing.md)",
      "[no such heading](other.md#nowhere)", "", "```text", "never closed", "",
    ].join("\n"));
    const problems = markdownProblems(doc);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.match(problems[0], /doc\.md:7: code fence ``` is never closed/);
    assert.match(problems[1], /doc\.md:4: link to missing\.md: no such file/);
    assert.match(problems[2], /doc\.md:5: link to other\.md#nowhere: .* has no heading #nowhere/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("markdown: anchors are GitHub's (lower case, punctuation dropped, spaces to hyphens)", () => {
  assert.equal(anchorOf("Memory and paging"), "memory-and-paging");
  assert.equal(anchorOf("What `make bench` measures: figures"), "what-make-bench-measures-figures");
});
