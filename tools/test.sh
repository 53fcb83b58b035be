#!/usr/bin/env bash
# tools/test.sh: `make test` after the build. Runs the host unit tests
# (as-pect over kernel/ sources), then the kernel under QEMU (node --test),
# then the tests of the tooling (node --test), then
# the web tests (node --test: the kernel in v86 under node, the page in
# headless Chromium), and fails if any failed. The last line is the combined
# count.
#
# One test at a time: UNIT=NAME runs only tests/unit/NAME.spec.ts,
# QEMU=NAME only tests/kernel/NAME.test.js, TOOLS=NAME only
# tests/tools/NAME.test.js and WEB=NAME only tests/web/NAME.test.js; those given leave the other kinds out, none runs
# everything. They come from make's command line (the
# environment) or as arguments: tools/test.sh UNIT=fmt. A name with no such
# file stops before anything runs, with the list of names there are, and a
# runner that ran no test counts as a failure: never "0 tests, passed".
#
# Both runners get the files by name, never a directory (`node --test DIR`
# means different things in different node releases). as-pect is started as
# `node .../lib/test.js`, not through its `asp` launcher, which forces colour
# (FORCE_COLOR=2) and adds node flags chosen by node version; the files reach
# it through TEST_UNIT_FILES (tests/unit/as-pect.config.js).
#
# Colour codes only when stdout is a terminal (the runners write into a pipe
# to tee, so they cannot tell): otherwise NO_COLOR=1 and no FORCE_COLOR.
# TEST_LOG_DIR (default build) holds the runners' logs.
set -uo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case $arg in
    UNIT=* | QEMU=* | TOOLS=* | WEB=*) declare "$arg" ;;
    *) echo "usage: tools/test.sh [UNIT=NAME] [QEMU=NAME] [TOOLS=NAME] [WEB=NAME]" >&2; exit 2 ;;
  esac
done
UNIT=${UNIT:-} QEMU=${QEMU:-} TOOLS=${TOOLS:-} WEB=${WEB:-}
logs=${TEST_LOG_DIR:-build}
mkdir -p "$logs"
strip_colour() { sed -e 's/\x1b\[[0-9;]*m//g'; }

# The test names in directory $1: its files ending in $2, without that ending.
names_in() {
  local file
  for file in "$1"/*"$2"; do
    file=${file##*/}
    printf '%s ' "${file%"$2"}"
  done
}

# Checks the selection $1=$2 against the files in $3 ending in $4.
check_name() {
  local names
  names=$(names_in "$3" "$4")
  if [[ " $names" != *" $2 "* ]]; then
    echo "test: $1=$2: there is no $3/$2$4; $1= takes one of: ${names% }" >&2
    exit 2
  fi
}

unit_files=() qemu_files=() tools_files=() web_files=()
[[ -n $UNIT ]] && check_name UNIT "$UNIT" tests/unit .spec.ts && unit_files=("tests/unit/$UNIT.spec.ts")
[[ -n $QEMU ]] && check_name QEMU "$QEMU" tests/kernel .test.js && qemu_files=("tests/kernel/$QEMU.test.js")
[[ -n $TOOLS ]] && check_name TOOLS "$TOOLS" tests/tools .test.js && tools_files=("tests/tools/$TOOLS.test.js")
[[ -n $WEB ]] && check_name WEB "$WEB" tests/web .test.js && web_files=("tests/web/$WEB.test.js")
if [[ -z $UNIT && -z $QEMU && -z $TOOLS && -z $WEB ]]; then
  unit_files=(tests/unit/*.spec.ts)
  qemu_files=(tests/kernel/*.test.js)
  tools_files=(tests/tools/*.test.js)
  web_files=(tests/web/*.test.js)
fi

aspect_colour=()
if [[ -t 1 ]]; then
  [[ -z ${NO_COLOR:-} ]] && aspect_colour=(FORCE_COLOR=1)
else
  unset FORCE_COLOR
  export NO_COLOR=1
fi

unit_status=0 qemu_status=0 tools_status=0 web_status=0
if ((${#unit_files[@]})); then
  echo "== unit tests (as-pect: ${unit_files[*]}) =="
  env "${aspect_colour[@]}" TEST_UNIT_FILES="${unit_files[*]}" \
    node --enable-source-maps node_modules/@as-pect/cli/lib/test.js \
    --config tests/unit/as-pect.config.js --as-config tests/unit/as-pect.asconfig.json \
    2>&1 | tee "$logs/test-unit.log"
  unit_status=${PIPESTATUS[0]}
fi

# node's test runner over FILES..., its output also in LOG; returns its status.
run_node() {
  local title=$1 log=$2
  shift 2
  echo "== $title (node --test: $*) =="
  node --test --test-reporter=spec "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}
((${#qemu_files[@]})) && { run_node "kernel tests" "$logs/test-qemu.log" "${qemu_files[@]}"; qemu_status=$?; }
((${#tools_files[@]})) && { run_node "tool tests" "$logs/test-tools.log" "${tools_files[@]}"; tools_status=$?; }
((${#web_files[@]})) && { run_node "web tests" "$logs/test-web.log" "${web_files[@]}"; web_status=$?; }

# as-pect: "[Tests]: PASSED / TOTAL"; node: "ℹ pass N" and "ℹ fail N".
# A selected runner that failed without counting a failure, or that ran no
# test at all, counts one failure.
selected=$(for v in UNIT QEMU TOOLS WEB; do [[ -n ${!v} ]] && printf '%s ' "$v=${!v}"; done)
not_run="not run (${selected% } alone)"
unit_line=$not_run qemu_line=$not_run tools_line=$not_run web_line=$not_run
unit_pass=0 unit_fail=0 qemu_pass=0 qemu_fail=0 tools_pass=0 tools_fail=0 web_pass=0 web_fail=0
if ((${#unit_files[@]})); then
  read -r unit_pass unit_total < <(strip_colour <"$logs/test-unit.log" | sed -n 's/.*\[Tests\]: *\([0-9]*\) *\/ *\([0-9]*\).*/\1 \2/p' | tail -1)
  unit_pass=${unit_pass:-0} unit_total=${unit_total:-0}
  unit_fail=$((unit_total - unit_pass))
  ((unit_fail == 0 && (unit_status != 0 || unit_total == 0))) && unit_fail=1 unit_status=1
  unit_line="$unit_pass passed, $unit_fail failed"
fi
# "PASSED FAILED" from a node runner's LOG, given its STATUS.
node_counts() {
  local pass fail
  pass=$(strip_colour <"$1" | sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' | tail -1)
  fail=$(strip_colour <"$1" | sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' | tail -1)
  pass=${pass:-0} fail=${fail:-0}
  ((fail == 0 && ($2 != 0 || pass == 0))) && fail=1
  echo "$pass $fail"
}
if ((${#qemu_files[@]})); then
  read -r qemu_pass qemu_fail < <(node_counts "$logs/test-qemu.log" "$qemu_status")
  ((qemu_fail)) && qemu_status=1
  qemu_line="$qemu_pass passed, $qemu_fail failed"
fi
if ((${#tools_files[@]})); then
  read -r tools_pass tools_fail < <(node_counts "$logs/test-tools.log" "$tools_status")
  ((tools_fail)) && tools_status=1
  tools_line="$tools_pass passed, $tools_fail failed"
fi
if ((${#web_files[@]})); then
  read -r web_pass web_fail < <(node_counts "$logs/test-web.log" "$web_status")
  ((web_fail)) && web_status=1
  web_line="$web_pass passed, $web_fail failed"
fi

echo
echo "== summary =="
echo "unit (as-pect):       $unit_line"
echo "kernel (node --test): $qemu_line"
echo "tools (node --test):  $tools_line"
echo "web (node --test):    $web_line"
echo "total: $((unit_pass + qemu_pass + tools_pass + web_pass)) passed, $((unit_fail + qemu_fail + tools_fail + web_fail)) failed"
((unit_status == 0 && qemu_status == 0 && tools_status == 0 && web_status == 0))
