// tools/test/aspect-reporter.mjs: as-pect's reporter for `make test`, named
// by tests/unit/as-pect.config.js (`reporter`). People read as-pect's own
// summary reporter; tools/test/run.mjs reads the JSON line this adds per
// spec file to the file named by TEST_UNIT_RESULTS (nothing without it):
//
//   { file, tests, passed, pass, failures: ["group: test: message"], errors: ["type: message"] }
//
// `pass` is as-pect's verdict on the whole file, which also fails on errors
// outside any test (a module that cannot start, a failed snapshot).

import { appendFileSync } from "node:fs";
import { SummaryReporter } from "@as-pect/core";

const TEST_NODE = 0; // @as-pect/core TestNodeType.Test

/** as-pect's summary reporter (what people read), plus the result line. */
class SummaryAndResults extends SummaryReporter {
  onFinish(ctx) {
    // as-pect wraps a configured reporter in its CombinationReporter, whose
    // stderr setter sets every reporter's stdout: the summary would go to
    // standard error. It belongs on standard output, as without a reporter.
    this.stdout = process.stdout;
    super.onFinish(ctx);
    const out = process.env.TEST_UNIT_RESULTS;
    if (!out) return;
    const failures = [];
    ctx.rootNode.visit((node) => {
      if (node.type === TEST_NODE && !node.pass) failures.push(`${node.parent?.name ?? ""}: ${node.name}: ${node.message ?? ""}`);
    });
    const line = {
      file: ctx.fileName,
      tests: ctx.testCount,
      passed: ctx.testPassCount,
      pass: ctx.pass,
      failures,
      errors: ctx.errors.map((e) => `${e.type}: ${e.message}`),
    };
    appendFileSync(out, JSON.stringify(line) + "\n");
  }
}

// as-pect takes the reporter object itself, and then adds no summary
// reporter of its own.
export default new SummaryAndResults();
