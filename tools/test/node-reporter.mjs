// tools/test/node-reporter.mjs: node --test's results as JSON lines, for
// tools/test/run.mjs to count (the spec reporter beside it is for people).
//
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./tools/test/node-reporter.mjs --test-reporter-destination=OUT.jsonl FILES...
//
// One line per finished test: { file, name, nesting, result } where result
// is "pass", "fail", "skip" or "todo". Suites (describe) are not tests and
// get no line. A test file that failed to load or crashed outside its
// tests is reported by node as a failed test named after the file; a file
// that declared no test at all, as a passed one: both get a line with
// `whole: true`, so the counter can tell them from real tests.

import { resolve } from "node:path";

export default async function* nodeResults(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, nesting, file, skip, todo, details } = event.data;
    if (details?.type === "suite") continue;
    const result = todo !== undefined && todo !== false ? "todo"
      : skip !== undefined && skip !== false ? "skip"
      : event.type === "test:pass" ? "pass" : "fail";
    const line = { file, name, nesting, result };
    if (file && resolve(name) === file) line.whole = true;
    yield JSON.stringify(line) + "\n";
  }
}
