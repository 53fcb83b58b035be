#!/usr/bin/env bash
# tools/setup.sh: make sure everything the build and the tests use is here.
#
# Debian packages: installed when missing if we are root, otherwise the exact
# apt-get line is printed and the script fails. node_modules: `npm ci` when it
# is missing or older than package-lock.json. Quiet when nothing is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package that provides it
declare -A PACKAGE_OF=(
  [nasm]=nasm
  [clang]=clang
  [ld.lld]=lld
  [wasm2c]=wabt
  [qemu-system-i386]=qemu-system-x86
  [gdb]=gdb
  # the kernel in a web page: make test drives the page in headless Chromium
  [chromium]=chromium
  # make iso and the GRUB boot tests: grub-mkrescue, which needs xorriso and mtools (mformat)
  [grub-mkrescue]=grub-common
  [xorriso]=xorriso
  [mformat]=mtools
  # the line table of the kernel's reports, read from pass 1's DWARF (tools/build/symbols.mjs)
  [llvm-dwarfdump]=llvm
  [python3]=python3
)

# file -> Debian package that provides it, for packages without a command
declare -A PACKAGE_OF_FILE=(
  # GRUB's BIOS platform, which grub-mkrescue puts on the ISO
  [/usr/lib/grub/i386-pc/modinfo.sh]=grub-pc-bin
  # SeaBIOS and its VGA BIOS, copied into the web site (tools/build/web-site.mjs)
  [/usr/share/seabios/bios.bin]=seabios
  [/usr/share/seabios/vgabios-stdvga.bin]=seabios
)

missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
for file in "${!PACKAGE_OF_FILE[@]}"; do
  [[ -e $file ]] || missing+=("${PACKAGE_OF_FILE[$file]}")
done

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  line="apt-get update && apt-get install -y ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root:  $line" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: node and npm are needed (node 20 or later); install them first" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "setup: node $(node --version) is too old: the project needs node 20 or later (package.json engines)" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install. When
# node_modules is a symbolic link (a second checkout sharing the first one's
# packages), npm ci would empty the directory it points to, under the other
# checkout: say so instead, and leave it to be installed there.
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  if [[ -L node_modules ]]; then
    echo "setup: node_modules links to $(readlink node_modules), which looks older than package-lock.json;" \
      "not running npm ci through the link (it would empty that directory): run it there if the packages changed" >&2
  else
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
