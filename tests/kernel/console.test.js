// test=console: the console and formatting helpers, checked inside the kernel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { explain, runSuite } from "./kernel.js";

test("in-kernel suite: console", async () => {
  const run = await runSuite("console");
  assert.ok(run.ok, explain(run));
  assert.ok(run.cases.length >= 15, `only ${run.cases.length} cases ran\n${explain(run)}`);
});
