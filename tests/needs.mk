# tests/needs.mk: what each test file needs built before it runs. make test
# builds the needs of the test files it runs and nothing more: `make test
# QEMU=paging` builds the kernel only, a plain `make test` everything.
#
# One line per test file of tests/kernel, tests/tools and tests/web, named
# by folder and name (tests/tools/make.test.js checks that each file has
# its line). The needs are words the Makefile turns into files of the image
# under test (NEED.*):
#   kernel        the kernel (build/kernel.elf; build/debug/kernel.elf with DEBUG=1)
#   debug-kernel  build/debug/kernel.elf, whatever DEBUG is
#   bench-kernel  build/bench/kernel.elf, the benchmark image
#   iso           the GRUB ISO of the kernel (kernel.iso beside it)
#   web-site      the web site of the kernel (build/web/)
#   fixtures      the misbehaving tiny kernels of tests/tools/fixtures (build/fixtures/)
# Unit specs (tests/unit) need nothing built: as-pect compiles them itself.

NEEDS.kernel/alloc     := kernel
NEEDS.kernel/boot      := kernel
NEEDS.kernel/cmdline   := kernel
NEEDS.kernel/console   := kernel
NEEDS.kernel/cpu       := kernel
NEEDS.kernel/debug     := kernel debug-kernel
NEEDS.kernel/demand    := kernel debug-kernel
NEEDS.kernel/gdb       := kernel debug-kernel
NEEDS.kernel/grub      := kernel
NEEDS.kernel/hardening := kernel
NEEDS.kernel/iso       := iso
NEEDS.kernel/make-debug := kernel
NEEDS.kernel/monitor   := kernel
NEEDS.kernel/paging    := kernel
NEEDS.kernel/suites    := kernel

NEEDS.tools/bench      := kernel bench-kernel
NEEDS.tools/check-heap := kernel
NEEDS.tools/docs       := kernel
NEEDS.tools/import-circles :=
NEEDS.tools/layout     := kernel
NEEDS.tools/make       :=
NEEDS.tools/markdown   :=
NEEDS.tools/run        := kernel fixtures
NEEDS.tools/warnings   :=
NEEDS.tools/runner     := kernel fixtures

NEEDS.web/browser      := web-site
NEEDS.web/site         := web-site
NEEDS.web/v86          := web-site fixtures
