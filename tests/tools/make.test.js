// The command-line face of the project: `make help` and tools/test/run.mjs's
// selection of one test (UNIT=, QEMU=, TOOLS=) and its colourless output off a
// terminal. No QEMU here; the one as-pect run is the smallest spec.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The environment of a command run from here: nothing of the make or test
// run this test is part of (MAKEFLAGS, UNIT, QEMU, node's test context).
function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const name of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "UNIT", "QEMU", "TOOLS", "WEB", "NODE_TEST_CONTEXT"]) delete env[name];
  return env;
}

function run(command, args, extra) {
  return spawnSync(command, args, { encoding: "latin1", env: cleanEnv(extra) });
}

/** The Makefile's .PHONY targets and its `NAME ?=` variables. */
function makefileInterface() {
  const text = readFileSync("Makefile", "utf8");
  const targets = new Set();
  for (const [, names] of text.matchAll(/^\.PHONY:(.*)$/gm)) names.trim().split(/\s+/).forEach((t) => targets.add(t));
  const variables = new Set([...text.matchAll(/^([A-Z_]+)\s*\?=/gm)].map((m) => m[1]));
  return { targets, variables };
}

/** `make help` parsed: the targets ("make X", "" for plain make) and variables ("X=") it names, one line each. */
function helpEntries(out) {
  const targets = [];
  const variables = [];
  for (const line of out.split("\n")) {
    const entry = /^ {2}(\S.*?)(?: {2,}|$)/.exec(line)?.[1];
    if (!entry) continue;
    const variable = /^([A-Z_]+)=/.exec(entry);
    if (variable) variables.push(variable[1]);
    else for (const part of entry.split(" / ")) if (/^make\b/.test(part)) targets.push(part.slice(5));
  }
  return { targets, variables };
}

test("make help: one line for every .PHONY target and every ?= variable, and nothing that is not one", () => {
  const help = run("make", ["--no-print-directory", "-s", "help"]);
  assert.equal(help.status, 0, help.stderr);
  const { targets, variables } = makefileInterface();
  const listed = helpEntries(help.stdout);
  for (const target of targets) {
    const lines = listed.targets.filter((t) => t === target || (target === "all" && t === "")).length;
    assert.ok(lines >= 1, `make help does not list the target ${target}:\n${help.stdout}`);
  }
  for (const target of listed.targets) {
    assert.ok(target === "" || targets.has(target), `make help lists "make ${target}", which is no .PHONY target`);
  }
  for (const variable of variables) {
    assert.equal(listed.variables.filter((v) => v === variable).length, 1, `make help lists ${variable}= not exactly once:\n${help.stdout}`);
  }
  for (const variable of listed.variables) assert.ok(variables.has(variable), `make help lists ${variable}=, which the Makefile does not take`);
});

/** tests/needs.mk as { "kernel/paging": ["kernel"], ... }, and the need words the Makefile knows (NEED.word). */
function needsTable() {
  const table = {};
  for (const [, test, words] of readFileSync("tests/needs.mk", "utf8").matchAll(/^NEEDS\.(\S+)\s*:=(.*)$/gm)) {
    assert.ok(!(test in table), `tests/needs.mk has two lines for ${test}`);
    table[test] = words.trim().split(/\s+/).filter(Boolean);
  }
  const words = new Set([...readFileSync("Makefile", "utf8").matchAll(/^NEED\.(\S+)\s*:=/gm)].map((m) => m[1]));
  return { table, words };
}

test("tests/needs.mk: one line for every test file, none for a file that is not there, only needs the Makefile knows", () => {
  const { table, words } = needsTable();
  const files = ["kernel", "tools", "web"].flatMap((dir) => namesIn(`tests/${dir}`, ".test.js").map((name) => `${dir}/${name}`));
  for (const file of files) assert.ok(file in table, `tests/${file}.test.js has no NEEDS.${file} line in tests/needs.mk`);
  for (const test of Object.keys(table)) assert.ok(files.includes(test), `tests/needs.mk names tests/${test}.test.js, which is not there`);
  for (const [test, needs] of Object.entries(table)) {
    for (const need of needs) assert.ok(words.has(need), `NEEDS.${test} names "${need}", which the Makefile does not know (NEED.${need})`);
  }
});

/** The prerequisites of `make test` with `selection`, from make's own database (make -p, nothing run). */
function testPrerequisites(...selection) {
  const dump = run("make", ["-pnq", "test", ...selection]).stdout;
  const line = /^test: (.*)$/m.exec(dump)?.[1] ?? assert.fail(`no test rule in make -p:\n${dump.slice(0, 2000)}`);
  return line.split("|")[0].trim().split(/\s+/).filter(Boolean).sort();
}

test("make test builds what the chosen tests need: nothing for UNIT=, the kernel for QEMU=paging, everything when none is chosen", () => {
  assert.deepEqual(testPrerequisites("UNIT=fmt"), []);
  assert.deepEqual(testPrerequisites("QEMU=paging"), ["build/kernel.elf"]);
  assert.deepEqual(testPrerequisites("QEMU=paging", "DEBUG=1"), ["build/debug/kernel.elf"]);
  assert.deepEqual(testPrerequisites("WEB=site"), ["build/web.stamp"]);
  const all = testPrerequisites();
  for (const file of ["build/kernel.elf", "build/debug/kernel.elf", "build/bench/kernel.elf", "build/kernel.iso", "build/web.stamp", "build/fixtures/hang.elf"]) {
    assert.ok(all.includes(file), `a plain make test does not build ${file}: ${all.join(" ")}`);
  }
});

/** The test names tools/test/run.mjs should offer for `dir`'s files ending in `suffix`. */
function namesIn(dir, suffix) {
  return readdirSync(dir).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length)).sort();
}

for (const [variable, dir, suffix] of [["UNIT", "tests/unit", ".spec.ts"], ["QEMU", "tests/kernel", ".test.js"], ["TOOLS", "tests/tools", ".test.js"], ["WEB", "tests/web", ".test.js"]]) {
  test(`tools/test/run.mjs ${variable}=no-such-test: stops before running anything and lists the valid names`, () => {
    const result = run("node", ["tools/test/run.mjs", `${variable}=no-such-test`]);
    assert.notEqual(result.status, 0, "an unknown name must fail");
    assert.doesNotMatch(result.stdout, /passed/, "nothing ran, so nothing passed");
    const offered = /takes one of: (.*)$/m.exec(result.stderr)?.[1]?.split(" ").sort();
    assert.deepEqual(offered, namesIn(dir, suffix), result.stderr);
  });
}

test("tools/test/run.mjs UNIT=fmt into a pipe: only that spec runs, no colour codes, the summary still prints", () => {
  // Its results go elsewhere, not over those of the run this test is part of.
  const results = mkdtempSync(join(tmpdir(), "tskernel-test-"));
  try {
    // FORCE_COLOR from the caller's environment must not bring colour back.
    const result = run("node", ["tools/test/run.mjs", "UNIT=fmt"], { TEST_RESULTS_DIR: results, FORCE_COLOR: "1" });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.ok(!result.stdout.includes("\x1b"), `an escape byte in the output:\n${JSON.stringify(result.stdout.slice(0, 600))}`);
    assert.match(result.stdout, /^== unit tests \(as-pect: tests\/unit\/fmt\.spec\.ts\) ==$/m);
    assert.match(result.stdout, /tests\/unit\/fmt\.spec\.ts/);
    assert.doesNotMatch(result.stdout, /tests\/unit\/(?!fmt\.)\w+\.spec\.ts/, "another spec ran");
    const unit = /^unit \(as-pect\): +(\d+) passed, 0 failed$/m.exec(result.stdout);
    assert.ok(unit && Number(unit[1]) > 0, result.stdout);
    assert.match(result.stdout, /^kernel \(node --test\): not run \(UNIT=fmt alone\)$/m);
    assert.match(result.stdout, /^tools \(node --test\): +not run \(UNIT=fmt alone\)$/m);
    assert.match(result.stdout, new RegExp(`^total: ${unit[1]} passed, 0 failed$`, "m"));
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
