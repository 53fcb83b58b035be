// kernel/lib/actions.ts: a table of named actions, the one shape of every
// registry in the kernel: the monitor's commands (monitor/commands.ts), the
// traps and misuses of the command line (debug/inject.ts), the test suites
// (ktest/harness.ts). A row has a name, a line of help, and the function
// that runs it; a table is an Array of rows, built once.

/** One row: `name` runs `run`; `help` says what it does, in one line. */
export class Action {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly run: () => void,
  ) {}
}

/** The row of `table` named `name`, or null. */
export function actionNamed<T extends Action>(table: Array<T>, name: string): T | null {
  for (let i = 0; i < table.length; i++) {
    if (unchecked(table[i]).name == name) return unchecked(table[i]);
  }
  return null;
}

/** The names of `table`'s rows, separated by spaces (for a refusal that lists them). */
export function actionNames<T extends Action>(table: Array<T>): string {
  let names = "";
  for (let i = 0; i < table.length; i++) names += (i == 0 ? "" : " ") + unchecked(table[i]).name;
  return names;
}
