#!/usr/bin/env bash
# tools/test.sh: `make test` after the build. Runs the host unit tests
# (as-pect over kernel/ sources), then the QEMU suites (node --test), then the
# web tests (v86 under node, the page in Chromium), always all three, and fails
# if any failed. The last line is the combined count.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
strip_colour() { sed -e 's/\x1b\[[0-9;]*m//g'; }

echo "== unit tests (as-pect, tests/unit) =="
node_modules/.bin/asp --config tests/unit/as-pect.config.js --as-config tests/unit/as-pect.asconfig.json \
  2>&1 | tee build/test-unit.log
unit_status=${PIPESTATUS[0]}

echo "== QEMU tests (node --test, tests/qemu) =="
node --test --test-reporter=spec tests/qemu/ 2>&1 | tee build/test-qemu.log
qemu_status=${PIPESTATUS[0]}

# The kernel in v86 under node, and the page in headless Chromium (build/web, make web-site).
echo "== web tests (node --test, tests/web) =="
node --test --test-reporter=spec tests/web/ 2>&1 | tee build/test-web.log
web_status=${PIPESTATUS[0]}

# as-pect: "[Tests]: PASSED / TOTAL"; node: "ℹ pass N" and "ℹ fail N".
read -r unit_pass unit_total < <(strip_colour <build/test-unit.log | sed -n 's/.*\[Tests\]: *\([0-9]*\) *\/ *\([0-9]*\).*/\1 \2/p' | tail -1)
unit_pass=${unit_pass:-0} unit_total=${unit_total:-0}
qemu_pass=$(strip_colour <build/test-qemu.log | sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' | tail -1)
qemu_fail=$(strip_colour <build/test-qemu.log | sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' | tail -1)
qemu_pass=${qemu_pass:-0} qemu_fail=${qemu_fail:-0}
web_pass=$(strip_colour <build/test-web.log | sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' | tail -1)
web_fail=$(strip_colour <build/test-web.log | sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' | tail -1)
web_pass=${web_pass:-0} web_fail=${web_fail:-0}
unit_fail=$((unit_total - unit_pass))
# A runner that failed without counting a failure still counts as one.
((unit_status != 0 && unit_fail == 0)) && unit_fail=1
((qemu_status != 0 && qemu_fail == 0)) && qemu_fail=1
((web_status != 0 && web_fail == 0)) && web_fail=1

echo
echo "== summary =="
echo "unit (as-pect):     $unit_pass passed, $unit_fail failed"
echo "qemu (node --test): $qemu_pass passed, $qemu_fail failed"
echo "web (node --test):  $web_pass passed, $web_fail failed"
echo "total: $((unit_pass + qemu_pass + web_pass)) passed, $((unit_fail + qemu_fail + web_fail)) failed"
((unit_status == 0 && qemu_status == 0 && web_status == 0))
