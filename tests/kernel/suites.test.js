// Every in-kernel suite the kernel lists (test=list) at both ends of the RAM
// the kernel supports: the minimum (4 MiB) and the most QEMU gives a 32-bit
// guest without PAE (3.5 GiB). The suites size their workloads to the memory
// they find, so each must pass, with no FAIL line and no panic, at either
// end. A suite that ends in a report on purpose is booted by the test of what
// it reports; this file checks that such a test exists.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { explain, kernelSuites, runSuite } from "./kernel.js";

const suites = await kernelSuites();

test("test=list names the suites, each with a line of help", () => {
  assert.ok(suites.length >= 6, JSON.stringify(suites));
  for (const s of suites) {
    assert.match(s.name, /^[a-z][a-z0-9-]*$/);
    assert.ok(s.help.length > 10, `${s.name} has no help`);
  }
});

test("every suite that ends in a report is booted by a test that reads the report", () => {
  const sources = readdirSync("tests/kernel").filter((f) => f.endsWith(".test.js") && f !== "suites.test.js")
    .map((f) => readFileSync(`tests/kernel/${f}`, "utf8")).join("\n");
  for (const s of suites.filter((s) => s.endsInReport)) {
    assert.ok(sources.includes(`"${s.name}"`), `no test in tests/kernel boots ${s.name}`);
  }
});

for (const memory of ["4M", "3584M"]) {
  for (const { name } of suites.filter((s) => !s.endsInReport)) {
    test(`in-kernel suite: ${name} with -m ${memory}`, async () => {
      const run = await runSuite(name, { qemuArgs: `-m ${memory}` });
      assert.ok(run.ok, explain(run));
    });
  }
}
