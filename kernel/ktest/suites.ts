// kernel/ktest/suites.ts: the in-kernel test suites by name (`test=NAME`).

import { MultibootInfo } from "../core/multiboot";
import { consoleSuite } from "./console";
import { cpuSuite } from "./cpu";
import { pagingSuite } from "./paging";
import { allocExhaustSuite, allocSuite } from "./alloc";
import { demandFreed, demandNested, demandOutOfMemory, demandReadOnly, demandSuite } from "./demand";

/** The suites runSuite knows. */
export const SUITE_NAMES = "console cpu paging alloc alloc-exhaust demand demand-oom demand-readonly demand-nested demand-freed";

/** Runs the suite `name`; each suite ends by leaving QEMU. Returns false for an unknown name. */
export function runSuite(name: string, info: MultibootInfo): bool {
  if (name == "console") consoleSuite(info);
  else if (name == "cpu") cpuSuite();
  else if (name == "paging") pagingSuite();
  else if (name == "alloc") allocSuite();
  else if (name == "alloc-exhaust") allocExhaustSuite();
  else if (name == "demand") demandSuite();
  else if (name == "demand-oom") demandOutOfMemory();
  else if (name == "demand-readonly") demandReadOnly();
  else if (name == "demand-nested") demandNested();
  else if (name == "demand-freed") demandFreed();
  else return false;
  return true;
}
