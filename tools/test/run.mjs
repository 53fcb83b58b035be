// tools/test/run.mjs: `make test` once the Makefile has built what the
// chosen tests need (tests/needs.mk). Runs the host unit tests (as-pect over
// kernel/ sources), then the kernel under QEMU, the tests of the tooling and
// the web tests (node --test each), and fails if any failed. The last lines
// are the counts, one per kind, and the total.
//
//   node tools/test/run.mjs [UNIT=NAME] [QEMU=NAME] [TOOLS=NAME] [WEB=NAME]
//
// One test file at a time: UNIT=NAME runs only tests/unit/NAME.spec.ts,
// QEMU=NAME only tests/kernel/NAME.test.js, TOOLS=NAME only
// tests/tools/NAME.test.js, WEB=NAME only tests/web/NAME.test.js; those
// given leave the other kinds out, none runs everything. They come from
// make's command line (the environment) or as arguments. A name with no
// such file stops before anything runs, with the list of names there are.
//
// People read the runners' own reporters on standard output (colour only
// on a terminal). The counts come from machine-readable reporters instead,
// written to TEST_RESULTS_DIR (default build/test-results):
// tools/test/aspect-reporter.mjs (a JSON line per spec file) and
// tools/test/node-reporter.mjs (a JSON line per test). A selected file that
// reported no test, a runner that crashed, or one that failed without
// naming a failure each count as a failure: never "0 tests, passed".
//
// Both runners get the files by name, never a directory (`node --test DIR`
// means different things in different node releases). as-pect is started
// as `node .../lib/test.js`, not through its `asp` launcher, which forces
// colour and adds node flags chosen by node version; the files reach it
// through TEST_UNIT_FILES (tests/unit/as-pect.config.js).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

process.chdir(resolve(dirname(fileURLToPath(import.meta.url)), "../.."));

/** The kinds of test, in the order they run: the folder, its files' ending, the selecting variable. */
const KINDS = [
  { key: "unit", variable: "UNIT", dir: "tests/unit", suffix: ".spec.ts", runner: "as-pect", title: "unit tests" },
  { key: "kernel", variable: "QEMU", dir: "tests/kernel", suffix: ".test.js", runner: "node --test", title: "kernel tests under QEMU" },
  { key: "tools", variable: "TOOLS", dir: "tests/tools", suffix: ".test.js", runner: "node --test", title: "tests of the tools" },
  { key: "web", variable: "WEB", dir: "tests/web", suffix: ".test.js", runner: "node --test", title: "web tests" },
];

const selection = selectionFrom(process.argv.slice(2), process.env);
const results = process.env.TEST_RESULTS_DIR || "build/test-results";
mkdirSync(results, { recursive: true });

// Colour codes only when standard output is a terminal: off it, no
// FORCE_COLOR from the caller brings them back.
const env = { ...process.env };
if (!process.stdout.isTTY) {
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
}

const chosen = Object.values(selection).some(Boolean);
const outcomes = KINDS.map((kind) => {
  const files = filesOf(kind, selection[kind.variable], chosen);
  if (files.length === 0) return { kind, ran: false };
  console.log(`== ${kind.title} (${kind.runner}: ${files.join(" ")}) ==`);
  const counts = kind.runner === "as-pect" ? runAspect(files) : runNode(kind, files);
  return { kind, ran: true, ...counts };
});
printSummary(outcomes, selection);
process.exit(outcomes.every((o) => !o.ran || o.failed === 0) ? 0 : 1);

// --- What runs ---------------------------------------------------------------

/** { UNIT, QEMU, TOOLS, WEB }: each a test name or "", from VAR=NAME arguments or the environment. */
function selectionFrom(args, environment) {
  const selected = Object.fromEntries(KINDS.map((k) => [k.variable, environment[k.variable] ?? ""]));
  for (const arg of args) {
    const [, variable, name] = /^([A-Z]+)=(.*)$/.exec(arg) ?? [];
    if (!(variable in selected)) usage();
    selected[variable] = name;
  }
  for (const kind of KINDS) {
    const name = selected[kind.variable];
    if (name && !namesIn(kind).includes(name)) refuse(kind, name);
  }
  return selected;
}

function usage() {
  console.error(`usage: node tools/test/run.mjs ${KINDS.map((k) => `[${k.variable}=NAME]`).join(" ")}`);
  process.exit(2);
}

/** Stops before anything runs: no such file, and the names there are (and where the name lives, if elsewhere). */
function refuse(kind, name) {
  console.error(`test: ${kind.variable}=${name}: there is no ${kind.dir}/${name}${kind.suffix}; ${kind.variable}= takes one of: ${namesIn(kind).join(" ")}`);
  for (const other of KINDS) {
    if (other !== kind && namesIn(other).includes(name)) console.error(`test: ${other.dir}/${name}${other.suffix} is ${other.variable}=${name}`);
  }
  process.exit(2);
}

/** The test names in a kind's folder: its files with the kind's ending, without it. */
function namesIn(kind) {
  return readdirSync(kind.dir).filter((f) => f.endsWith(kind.suffix)).map((f) => f.slice(0, -kind.suffix.length)).sort();
}

/** The files of `kind` to run: the one named, or all of them when no kind was chosen. */
function filesOf(kind, name, chosen) {
  if (name) return [`${kind.dir}/${name}${kind.suffix}`];
  return chosen ? [] : namesIn(kind).map((n) => `${kind.dir}/${n}${kind.suffix}`);
}

// --- The runners ---------------------------------------------------------------

/** Runs as-pect over `files`; { passed, failed, failures } from its result lines. */
function runAspect(files) {
  const out = join(results, "unit.jsonl");
  rmSync(out, { force: true });
  const run = spawnSync("node", [
    "--enable-source-maps", "node_modules/@as-pect/cli/lib/test.js",
    "--config", "tests/unit/as-pect.config.js", "--as-config", "tests/unit/as-pect.asconfig.json",
  ], { stdio: "inherit", env: { ...env, TEST_UNIT_FILES: files.join(" "), TEST_UNIT_RESULTS: out } });
  const lines = jsonLines(out);
  const counts = { passed: 0, failed: 0, failures: [] };
  for (const file of files) {
    const line = lines.find((l) => l.file === file);
    if (!line) {
      counts.failed++;
      counts.failures.push(`${file}: reported nothing (did not compile, or as-pect stopped before it)`);
      continue;
    }
    counts.passed += line.passed;
    counts.failed += line.tests - line.passed;
    counts.failures.push(...line.failures.map((f) => `${file}: ${f}`));
    if (line.tests === 0) {
      counts.failed++;
      counts.failures.push(`${file}: ran no test`);
    } else if (!line.pass && line.tests === line.passed) {
      counts.failed++;
      counts.failures.push(...(line.errors.length ? line.errors : ["failed outside its tests"]).map((e) => `${file}: ${e}`));
    }
  }
  return exitedBadly(run, counts, "as-pect");
}

/** Runs node --test over `files` with people's spec reporter and the counting one; { passed, failed, failures }. */
function runNode(kind, files) {
  const out = join(results, `${kind.key}.jsonl`);
  rmSync(out, { force: true });
  const run = spawnSync("node", [
    "--test",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=./tools/test/node-reporter.mjs", `--test-reporter-destination=${out}`,
    ...files,
  ], { stdio: "inherit", env });
  const lines = jsonLines(out);
  const counts = { passed: 0, failed: 0, failures: [] };
  for (const line of lines) {
    if (line.result === "fail") {
      counts.failed++;
      counts.failures.push(`${relative(line.file)}: ${line.whole ? "failed outside its tests (did it load?)" : line.name}`);
    } else if (line.result === "pass" && !line.whole) {
      counts.passed++;
    }
  }
  // A file counts as run when it reported a test of its own, or failed as a whole (counted above).
  const reported = (file) => lines.some((l) => l.file === resolve(file) && (!l.whole || l.result === "fail"));
  for (const file of files) {
    if (!reported(file)) {
      counts.failed++;
      counts.failures.push(`${file}: ran no test`);
    }
  }
  return exitedBadly(run, counts, "node --test");
}

/** A runner that could not start, was killed, or failed without a counted failure: one failure more. */
function exitedBadly(run, counts, runner) {
  const how = run.error ? `could not start: ${run.error.message}` : run.signal ? `was killed by ${run.signal}` : run.status !== 0 ? `exited with status ${run.status}` : null;
  if (how && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push(`${runner} ${how} and reported no failure`);
  }
  return counts;
}

/** The JSON lines of `file`, none when it is missing (the runner never got that far). */
function jsonLines(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** `file` relative to the repository, as the summary names files. */
function relative(file) {
  return file?.startsWith(process.cwd() + "/") ? file.slice(process.cwd().length + 1) : file;
}

// --- The summary ---------------------------------------------------------------

function printSummary(outcomes, selected) {
  const alone = Object.entries(selected).filter(([, name]) => name).map(([v, name]) => `${v}=${name}`).join(" ");
  const failures = outcomes.flatMap((o) => o.failures ?? []);
  if (failures.length) {
    console.log("\n== failed ==");
    for (const f of failures) console.log(`  ${f}`);
  }
  console.log("\n== summary ==");
  const labels = outcomes.map((o) => `${o.kind.key} (${o.kind.runner}):`);
  const width = Math.max(...labels.map((l) => l.length));
  outcomes.forEach((o, i) => {
    const line = o.ran ? `${o.passed} passed, ${o.failed} failed` : `not run (${alone} alone)`;
    console.log(`${labels[i].padEnd(width)} ${line}`);
  });
  const sum = (field) => outcomes.reduce((n, o) => n + (o[field] ?? 0), 0);
  console.log(`total: ${sum("passed")} passed, ${sum("failed")} failed`);
}
