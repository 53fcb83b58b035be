// The kernel compiles without a warning or a note from asc: a build's output shows
// only what is new. (The same entries and options as the Makefile, without
// optimisation, which does not change what asc warns of.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

test("asc compiles kernel/ (main.ts and every suite) with no WARNING and no INFO", () => {
  const suites = readdirSync("kernel/ktest").filter((f) => f.endsWith(".ts") && f !== "harness.ts").map((f) => `kernel/ktest/${f}`);
  const asc = spawnSync("node_modules/.bin/asc", ["kernel/main.ts", ...suites, "--config", "asconfig.json", "--target", "kernel",
    "--optimizeLevel", "0", "--shrinkLevel", "0", "--noEmit"], { encoding: "utf8" });
  const output = asc.stdout + asc.stderr;
  assert.equal(asc.status, 0, output);
  assert.doesNotMatch(output, /WARNING|INFO/, output);
});
