// Imports run one way (tools/check/import-circles.mjs): no import circle in
// kernel/, tools/, web/, bench/ or tests/, one test per folder so that a
// failure says where; and the check itself, on temporary copies with a
// circle planted, fails naming the files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ROOTS, importCircles } from "../../tools/check/import-circles.mjs";

const CHECK = join(process.cwd(), "tools/check/import-circles.mjs");

/** The check from the command line in `cwd` over `roots`: { status, output }. */
function check(roots = [], cwd = process.cwd()) {
  const run = spawnSync("node", [CHECK, ...roots], { cwd, encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

const { circles } = importCircles(DEFAULT_ROOTS);
/** A circle as the check prints it, with the rest of its tangle. */
const describe = ({ circle, group }) => {
  const rest = group.filter((file) => !circle.includes(file));
  return circle.join(" -> ") + (rest.length ? ` (and ${rest.join(", ")})` : "");
};

for (const root of DEFAULT_ROOTS) {
  test(`no import circle touches ${root}/`, () => {
    const touching = circles.filter(({ group }) => group.some((file) => file.startsWith(`${root}/`)));
    assert.deepEqual(touching.map(describe), [], `import circles through ${root}/ (tools/check/import-circles.mjs)`);
  });
}

/** A temporary directory holding a copy of `dirs` of the repository; removed by `done()`. */
function copyOf(dirs) {
  const root = mkdtempSync(join(tmpdir(), "tskernel-circles-"));
  for (const dir of dirs) cpSync(dir, join(root, dir), { recursive: true, filter: (p) => !/(^|\/)(node_modules|build)$/.test(p) });
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

test("a circle planted in a copy of tools/ fails the check, which names the files", () => {
  const copy = copyOf(["tools"]);
  try {
    assert.equal(check(["tools"], copy.root).status, 0, "the copy as it is has no circle");
    // tools/check/layout.mjs imports ../lib/elf.mjs; now elf.mjs imports it back.
    appendFileSync(join(copy.root, "tools/lib/elf.mjs"), '\nimport "../check/layout.mjs";\n');
    const run = check(["tools"], copy.root);
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, /^import-circles: tools\/check\/layout\.mjs -> tools\/lib\/elf\.mjs -> tools\/check\/layout\.mjs$/m);
    assert.match(run.output, /^import-circles: 1 circle among \d+ files under tools: imports must run one way$/m);
  } finally {
    copy.done();
  }
});

test("AssemblyScript imports without an extension are followed; a commented-out import is not", () => {
  const copy = copyOf([]);
  try {
    mkdirSync(join(copy.root, "kernel/mm"), { recursive: true });
    writeFileSync(join(copy.root, "kernel/mm/a.ts"), 'import { b } from "./b";\nexport function a(): void { b(); }\n');
    writeFileSync(join(copy.root, "kernel/mm/b.ts"), '// import { a } from "./a";\nexport function b(): void {}\n');
    assert.equal(check(["kernel"], copy.root).status, 0, "no circle yet");
    writeFileSync(join(copy.root, "kernel/mm/b.ts"), 'import {\n  a,\n} from "../mm/a";\nexport function b(): void { a(); }\n');
    const run = check(["kernel"], copy.root);
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, /^import-circles: kernel\/mm\/a\.ts -> kernel\/mm\/b\.ts -> kernel\/mm\/a\.ts$/m);
  } finally {
    copy.done();
  }
});
