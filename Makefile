# The kernel's build: AssemblyScript -> wasm -> C -> i386 ELF, and the daily commands.
#
#   make / make all     build build/kernel.elf
#   make run            boot it in QEMU, serial on this terminal (CMDLINE=, QEMU_ARGS=)
#   make test           unit tests (as-pect), the kernel under QEMU, the tools, the web page; UNIT=, QEMU=, TOOLS=, WEB=
#   make web            build the web page into build/web/ and serve it on 127.0.0.1
#   make web-site       build build/web/ only
#   make debug          QEMU halted with its GDB stub, and GDB attached with symbols
#   make console        in a second terminal: type on the serial port of make debug's kernel
#   make bench          guest-instruction benchmarks under -icount (bench/README.md)
#   make iso            build/kernel.iso: GRUB 2 boot image for a PC's BIOS, CD or USB stick
#   make docs           rewrite the transcripts in README.md and docs/ from the current build
#   make setup          install whatever is missing (Debian packages, node_modules)
#   make test-fixtures  the misbehaving tiny kernels the QEMU runner's own tests boot
#   make debug-kernel   build/debug/kernel.elf, which make test boots for the allocator suites
#   make bench-kernel   build/bench/kernel.elf, the benchmark image (make bench, make test)
#   make clean          remove build/
#   make help           this list
#   CMDLINE=WORDS       kernel command line for run and debug, e.g. CMDLINE="test=paging"
#   QEMU_ARGS=ARGS      extra QEMU arguments after the defaults (run, debug, test), e.g. "-m 8M"
#   UNIT=NAME           make test runs only tests/unit/NAME.spec.ts (alone: no other tests, no kernel built)
#   QEMU=NAME           make test runs only tests/kernel/NAME.test.js (alone: no other tests)
#   TOOLS=NAME          make test runs only tests/tools/NAME.test.js (alone: no other tests)
#   WEB=NAME            make test runs only tests/web/NAME.test.js (alone: no other tests)
#   DEBUG=1             any of the above with a debug kernel (poisoned free blocks) in build/debug/
#   BENCH=1             build the benchmark image (bench/kernel/main.ts) in build/bench/ instead
#
#   RUN_TIMEOUT=60  `make run` without a terminal on standard input stops the
#                   machine after this many seconds and fails (0: no limit)
#
# On a fresh machine the first make (run, test and debug too) runs
# tools/setup.sh, which installs whatever is missing (Debian packages,
# node_modules); after that only when tools/setup.sh or package-lock.json
# change. make test builds what the chosen tests need (tests/needs.mk).

# Each step is a target of its own, and make runs independent steps side by
# side: a check beside the step after it, one image beside another.
MAKEFLAGS  += -j$(shell nproc 2>/dev/null || echo 2)
# No recipe runs make itself. Programs that do (tests, bench/run.mjs) start a
# make of their own, which takes -j from here; it gets no job server (this
# make's pipe is not open in them, and it would warn).
unexport MAKEFLAGS

.PHONY: all run test debug console bench docs iso setup web web-site test-fixtures debug-kernel bench-kernel clean help
.DELETE_ON_ERROR:

# --- The image the commands use ------------------------------------------------

DEBUG      ?=
BENCH      ?=
BUILD      := build$(if $(BENCH),/bench,$(if $(DEBUG),/debug))
KERNEL     := $(BUILD)/kernel.elf
CMDLINE    ?=
QEMU_ARGS  ?=
export CMDLINE QEMU_ARGS KERNEL

# `make run` with standard input not a terminal: seconds until the machine is
# stopped (tools/run/run.mjs). An interactive run has no limit.
RUN_TIMEOUT ?= 60
export RUN_TIMEOUT

all: $(KERNEL)

# --- Set-up ----------------------------------------------------------------------

# tools/setup.sh installs what is missing. It runs before the first step that
# needs a tool (every such step has it as an order-only prerequisite), then
# again only when it or package-lock.json changes, when node_modules is gone,
# or after make clean.
SETUP      := build/setup.stamp
$(SETUP): tools/setup.sh package-lock.json $(if $(wildcard node_modules/.package-lock.json),,FORCE)
	@tools/setup.sh
	@mkdir -p $(@D) && touch $@
setup:
	@tools/setup.sh
	@mkdir -p $(dir $(SETUP)) && touch $(SETUP)
FORCE:

# --- Tools and flags -------------------------------------------------------------

ASC        := node_modules/.bin/asc
WASM2C     := wasm2c
CC         := clang
LD         := ld.lld
NASM       := nasm

# Looked up once, when a recipe first needs them (set-up has installed the
# tools by then): clang's own headers, and the wasm-rt.h that comes with the
# installed wabt, in the include directory beside its wasm2c (the generated
# C must be compiled with its own release's runtime header).
CLANG_INCLUDE = $(eval CLANG_INCLUDE := $(shell $(CC) -print-resource-dir)/include)$(CLANG_INCLUDE)
WASM_RT_H     = $(eval WASM_RT_H := $(abspath $(dir $(realpath $(shell command -v $(WASM2C))))../include/wasm-rt.h))$(WASM_RT_H)

# Freestanding i386, for an image whose generated headers are in $(1)/gen.
# The wasm2c runtime switches: no bounds checks on loads and stores
# (MEMCHECK_SIGNAL_HANDLER without any signal handler: the kernel's memory
# is the whole address space) and no call-depth counter. Frame pointers stay
# and calls in tail position stay calls, so every frame shows in a
# backtrace; null is a valid address (wasm address 0). -O1: the generated C
# is binaryen's -O3 output already, and bench/README.md shows what -O2 on top
# of it does to the build time and the counts.
CFLAGS_FOR  = --target=i386-unknown-none-elf -march=i686 -O1 -g \
              -ffreestanding -nostdinc -isystem $(CLANG_INCLUDE) \
              -Iboot/include -I$(1)/gen \
              -fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-delete-null-pointer-checks \
              -fno-stack-protector -fno-pic -fno-asynchronous-unwind-tables \
              -mno-sse -mno-sse2 -mno-mmx \
              -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1 -DWASM_RT_SKIP_SIGNAL_RECOVERY=1 \
              -DWASM_RT_USE_STACK_DEPTH_COUNT=0 \
              -Wall -Wno-unused-function -Wno-unused-variable -Wno-unused-but-set-variable
LDFLAGS    := -m elf_i386 -nostdlib -T linker/kernel.ld

# --- The images ------------------------------------------------------------------

# Three images come out of the same steps, each in a directory of its own:
#   build/        the kernel users boot: entry kernel/main.ts
#   build/debug/  the same with KERNEL_DEBUG (free blocks poisoned and checked)
#   build/bench/  the benchmark image: entry bench/kernel/main.ts, bench/peer.c
#                 linked in, no heap check (it measures TLSF on purpose)
# IMAGE_STEPS is the pipeline, written once: $(call IMAGE_STEPS,DIR,ENTRY,
# ASC FLAGS,HEAP CHECK (yes or empty),EXTRA C FILES,TYPESCRIPT SOURCES).
KERNEL_TS  := $(shell find kernel -name '*.ts')
# Every in-kernel test suite is a file of kernel/ktest/ that registers itself
# (kernel/ktest/harness.ts): each is an entry of its own, so that adding a
# suite is adding its file.
KTEST_ENTRIES := $(filter-out kernel/ktest/harness.ts,$(wildcard kernel/ktest/*.ts))
BENCH_TS   := $(shell find bench -name '*.ts')
BOOT_ASM   := $(wildcard boot/*.asm)
BOOT_C     := $(wildcard boot/*.c)
BOOT_H     := $(wildcard boot/*.h boot/include/*.h)

define IMAGE_STEPS
OBJS.$(1)   := $(BOOT_ASM:boot/%.asm=$(1)/obj/%.asm.o) $(BOOT_C:boot/%.c=$(1)/obj/%.o) \
               $(patsubst bench/%.c,$(1)/obj/bench-%.o,$(5)) $(1)/obj/kernel.o
CHECKS.$(1) := $(1)/checks/wasm2c.ok $(1)/checks/symbols.ok $(1)/checks/layout.ok $(if $(4),$(1)/checks/heap.ok)

# AssemblyScript -> wasm. asconfig.json holds the options (memoryBase,
# names, abort); the transforms are given here because asc resolves a
# transform path in asconfig.json as a package name. The heap check runs as
# a transform too, over the module before optimisation (tools/check/heap.mjs).
$(1)/kernel.wasm $(1)/kernel.wasm.map $(1)/kernel.wat &: $(6) asconfig.json tools/build/noinline.mjs tools/build/layout.mjs tools/check/heap.mjs package-lock.json | $(SETUP)
	@mkdir -p $$(@D)
	$$(ASC) $(2) $$(KTEST_ENTRIES) --config asconfig.json --target kernel --transform ./tools/build/noinline.mjs --transform ./tools/build/layout.mjs \
	    $(if $(4),--transform ./tools/check/heap.mjs )--outFile $(1)/kernel.wasm --textFile $(1)/kernel.wat --sourceMap $(3)

# The record layouts and constants for the readers outside the kernel
# (GDB, the web page, the C peer), as the compiler laid the classes out.
$(1)/gen/layout.json $(1)/gen/layout.h &: $(1)/kernel.wasm tools/build/layout.mjs tools/lib/wasm.mjs
	@mkdir -p $(1)/gen
	node tools/build/layout.mjs $(1)/kernel.wasm $(1)/gen/layout.json $(1)/gen/layout.h

# The heap check of the final module, on the text asc printed of it.
$(1)/checks/heap.ok: $(1)/kernel.wat tools/check/heap.mjs
	@mkdir -p $$(@D)
	node tools/check/heap.mjs $$<
	@touch $$@

# TypeScript lines: markers for source locations in the optimized wasm,
# which wasm2c carries into the C and tools/build/lines.mjs then turns into
# #line directives (see there). The compiled code does not change.
$(1)/kernel.lines.wasm $(1)/gen/lines.json &: $(1)/kernel.wasm $(1)/kernel.wasm.map tools/build/lines.mjs tools/lib/wasm.mjs tools/lib/short-names.mjs
	@mkdir -p $(1)/gen
	node tools/build/lines.mjs wasm $(1)/kernel.wasm $(1)/kernel.wasm.map $(1)/kernel.lines.wasm $(1)/gen/lines.json

# The runtime header of the wabt whose wasm2c writes the C.
$(1)/gen/wasm-rt.h: | $(SETUP)
	@mkdir -p $$(@D)
	cp $$(WASM_RT_H) $$@

# wasm -> C, rewritten for the flat kernel memory and the out-of-line
# functions (see tools/build/wasm2c-rewrite.mjs), with TypeScript lines.
# The C and assembly the image is built with are given, so that a function
# takes its TypeScript name only where that name is free in them.
$(1)/gen/kernel.c $(1)/gen/kernel.h &: $(1)/kernel.lines.wasm $(1)/gen/lines.json $(1)/gen/wasm-rt.h $(BOOT_C) $(BOOT_H) $(BOOT_ASM) $(5) tools/build/wasm2c-rewrite.mjs tools/build/noinline.mjs tools/build/lines.mjs tools/lib/short-names.mjs
	$$(WASM2C) $(1)/kernel.lines.wasm -n kernel -o $(1)/gen/kernel.c
	node tools/build/wasm2c-rewrite.mjs $(1)/gen/kernel.c
	node tools/build/lines.mjs c $(1)/gen/kernel.c $(1)/gen/lines.json $(1)/gen/wasm-rt.h $(1)/gen/kernel.h $(BOOT_C) $(BOOT_H) $(BOOT_ASM) $(5)

# The generated C is one translation unit with the CPU primitives inline
# (boot/cpu.h) and the one instance's globals at fixed addresses
# (tools/build/wasm2c-rewrite.mjs): it compiles straight to the native
# object, with no link-time optimisation. Beside the compilation, the check
# of the preprocessed C (tools/check/wasm2c.mjs).
$(1)/obj/kernel.o: $(1)/gen/kernel.c $(1)/gen/kernel.h boot/cpu.h boot/kernel_instance.h Makefile
	@mkdir -p $$(@D)
	$$(CC) $$(call CFLAGS_FOR,$(1)) -Iboot -c $$< -o $$@
$(1)/gen/kernel.i: $(1)/gen/kernel.c $(1)/gen/kernel.h boot/cpu.h boot/kernel_instance.h Makefile
	$$(CC) $$(call CFLAGS_FOR,$(1)) -Iboot -E $$< -o $$@
$(1)/checks/wasm2c.ok: $(1)/gen/kernel.i tools/check/wasm2c.mjs
	@mkdir -p $$(@D)
	node tools/check/wasm2c.mjs $$<
	@touch $$@

# The C files that include the generated header are rebuilt when its
# content changes, not each time wasm2c rewrites it (an edit to a function
# body leaves it as it was): the stamp is touched only then.
$(1)/gen/kernel-h.stamp: $(1)/gen/kernel.h
	@cmp -s $$< $$@.h || { cp $$< $$@.h && touch $$@; }

$(1)/obj/%.o: boot/%.c $(BOOT_H) $(1)/gen/kernel-h.stamp Makefile
	@mkdir -p $$(@D)
	$$(CC) $$(call CFLAGS_FOR,$(1)) -c $$< -o $$@

# The benchmark's C peer (bench/peer.c): the same flags as the kernel.
$(1)/obj/bench-%.o: bench/%.c boot/kernel_instance.h $(1)/gen/kernel-h.stamp $(1)/gen/layout.h Makefile
	@mkdir -p $$(@D)
	$$(CC) $$(call CFLAGS_FOR,$(1)) -Iboot -c $$< -o $$@

$(1)/obj/%.asm.o: boot/%.asm | $(SETUP)
	@mkdir -p $$(@D)
	$$(NASM) -f elf32 -g -F dwarf $$< -o $$@

# Two link passes: pass 1 with an empty symbol table, whose code symbols
# become the table linked into pass 2 (see tools/build/symbols.mjs); both
# link the same native objects. Then prove no code moved, and that the
# AssemblyScript data lies inside its region.
$(1)/gen/ksyms-empty.asm: tools/build/symbols.mjs
	@mkdir -p $$(@D)
	node tools/build/symbols.mjs --empty $$@
$(1)/obj/%.o: $(1)/gen/%.asm | $(SETUP)
	@mkdir -p $$(@D)
	$$(NASM) -f elf32 $$< -o $$@
$(1)/kernel.pass1.elf: $$(OBJS.$(1)) $(1)/obj/ksyms-empty.o linker/kernel.ld
	$$(LD) $$(LDFLAGS) $$(OBJS.$(1)) $(1)/obj/ksyms-empty.o -o $$@
$(1)/gen/ksyms.asm $(1)/gen/aliases.ld &: $(1)/kernel.pass1.elf $(1)/kernel.wasm tools/build/symbols.mjs tools/lib/elf.mjs tools/lib/wasm.mjs tools/lib/dwarf-lines.mjs tools/lib/short-names.mjs
	node tools/build/symbols.mjs $(1)/kernel.pass1.elf $(1)/kernel.wasm $(1)/gen/ksyms.asm $(1)/gen/aliases.ld
$(1)/kernel.pass2.elf: $$(OBJS.$(1)) $(1)/obj/ksyms.o $(1)/gen/aliases.ld linker/kernel.ld
	$$(LD) $$(LDFLAGS) $$(OBJS.$(1)) $(1)/obj/ksyms.o $(1)/gen/aliases.ld -o $$@
$(1)/checks/symbols.ok: $(1)/kernel.pass1.elf $(1)/kernel.pass2.elf tools/build/symbols.mjs tools/lib/elf.mjs
	@mkdir -p $$(@D)
	node tools/build/symbols.mjs --verify $(1)/kernel.pass1.elf $(1)/kernel.pass2.elf
	@touch $$@
$(1)/checks/layout.ok: $(1)/kernel.pass2.elf $(1)/kernel.wasm asconfig.json tools/check/layout.mjs tools/lib/elf.mjs tools/lib/wasm.mjs
	@mkdir -p $$(@D)
	node tools/check/layout.mjs $(1)/kernel.pass2.elf $(1)/kernel.wasm asconfig.json
	@touch $$@

# The image: pass 2, once every check of it has passed; its layout file
# beside it, for GDB (tools/gdb/kernel.py finds it from the image's path).
# Its call frame information then says which registers a call clobbers
# (tools/build/frames.mjs; the code is not touched).
$(1)/kernel.elf: $(1)/kernel.pass2.elf $$(CHECKS.$(1)) $(1)/gen/layout.json tools/build/frames.mjs
	cp $$< $$@
	node tools/build/frames.mjs $$@
endef

$(eval $(call IMAGE_STEPS,build,kernel/main.ts,,yes,,$(KERNEL_TS)))
# The debug image is not optimized by binaryen (asc -O0; clang's -O1 stays):
# every TypeScript local keeps a wasm local of its own, named, so that GDB's
# `info locals` shows the TypeScript names (docs/debugging.md).
$(eval $(call IMAGE_STEPS,build/debug,kernel/main.ts,--use KERNEL_DEBUG=1 --optimizeLevel 0 --shrinkLevel 0,yes,,$(KERNEL_TS)))
$(eval $(call IMAGE_STEPS,build/bench,bench/kernel/main.ts,,,bench/peer.c,$(KERNEL_TS) $(BENCH_TS)))

# The DEBUG=1 kernel (freed blocks poisoned), which tests/kernel/debug.test.js
# boots for the allocator suite whatever DEBUG the tests run with.
debug-kernel: build/debug/kernel.elf
# The benchmark image, which tests/tools/bench.test.js and make bench boot.
bench-kernel: build/bench/kernel.elf

# --- Around the image: ISO, web site, fixtures -------------------------------------

# `make iso`: a GRUB 2 image that boots the kernel on a PC's BIOS from a CD
# or a USB stick (grub-mkrescue makes the ISO hybrid: El Torito and an MBR).
# Only GRUB's i386-pc platform and the modules the menu uses go in, which
# keeps it small (about 2 MiB) and quick to make. boot/grub/grub.cfg is the
# menu; tests/kernel/iso.test.js boots it.
ISO        := $(BUILD)/kernel.iso
GRUB_MODULES := multiboot normal serial terminal boot
iso: $(ISO)
$(ISO): $(KERNEL) boot/grub/grub.cfg | $(SETUP)
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	cp boot/grub/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue --directory=/usr/lib/grub/i386-pc --install-modules="$(GRUB_MODULES)" \
	    --fonts= --locales= --themes= --output=$@ $(BUILD)/iso 2>$(BUILD)/iso.log \
	    || { cat $(BUILD)/iso.log >&2; exit 1; }

# The kernel in a web page (web/, tools/build/web-site.mjs, tools/run/web.mjs):
# `make web-site` puts the page, v86, SeaBIOS, the kernel and
# kernel-symbols.json in build/web/ (make test uses it); `make web` builds it
# and serves it on a free port of 127.0.0.1. WEB_SITE tells tests/web where
# the site is.
WEB_SITE   := $(BUILD)/web
WEB_STAMP  := $(BUILD)/web.stamp
export WEB_SITE
web: $(WEB_STAMP)
	@node tools/run/web.mjs $(WEB_SITE)
web-site: $(WEB_STAMP)
$(WEB_STAMP): $(KERNEL) $(WEB_SITE)/kernel-symbols.json $(wildcard web/*) tools/build/web-site.mjs package-lock.json | $(SETUP)
	@node tools/build/web-site.mjs $(KERNEL) $(WEB_SITE)
	@touch $@
$(WEB_SITE)/kernel-symbols.json: $(KERNEL) $(BUILD)/gen/layout.json tools/build/web-symbols.mjs tools/lib/elf.mjs
	@mkdir -p $(@D)
	node tools/build/web-symbols.mjs $(KERNEL) $(BUILD)/gen/layout.json $@

# Tiny kernels that misbehave on purpose, for the host runner's own tests.
FIXTURES   := $(patsubst tests/tools/fixtures/%.asm,build/fixtures/%.elf,$(wildcard tests/tools/fixtures/*.asm))
test-fixtures: $(FIXTURES)
build/fixtures/%.elf: tests/tools/fixtures/%.asm tests/tools/fixtures/header.inc | $(SETUP)
	@mkdir -p $(@D)
	$(NASM) -f elf32 -i tests/tools/fixtures/ $< -o $(@:.elf=.o)
	$(LD) -m elf_i386 -nostdlib -Ttext=0x100000 -e _start $(@:.elf=.o) -o $@

# --- The commands ----------------------------------------------------------------

run: $(KERNEL) | $(SETUP)
	@node tools/run/run.mjs $(KERNEL)

debug: $(KERNEL) | $(SETUP)
	@node tools/run/debug.mjs $(KERNEL)
console: | $(SETUP)
	@node tools/run/console.mjs

# The benchmark image, and the kernel users boot, whose size and edit loop
# bench/run.mjs reports beside the counts.
bench: build/bench/kernel.elf build/kernel.elf | $(SETUP)
	@node bench/run.mjs build/bench/kernel.elf

# The transcripts in README.md and docs/*.md, made again by booting the
# kernel as each one's marker says (tools/build/docs.mjs); make test checks
# them (tests/tools/docs.test.js).
docs: $(KERNEL) | $(SETUP)
	@node tools/build/docs.mjs

# Test selection (tools/test/run.mjs reads UNIT, QEMU, TOOLS and WEB): one
# name each, any of them; none runs everything. make test builds the needs
# (tests/needs.mk) of the test files it runs, as files of the image under
# test: UNIT alone needs nothing, QEMU=paging the kernel.
UNIT       ?=
QEMU       ?=
TOOLS      ?=
WEB        ?=
export UNIT QEMU TOOLS WEB
include tests/needs.mk
NEED.kernel       := $(KERNEL)
NEED.debug-kernel := build/debug/kernel.elf
NEED.bench-kernel := build/bench/kernel.elf
NEED.iso          := $(ISO)
NEED.web-site     := $(WEB_STAMP)
NEED.fixtures     := $(FIXTURES)
ALL_TESTS  := $(patsubst tests/%.test.js,%,$(wildcard tests/kernel/*.test.js tests/tools/*.test.js tests/web/*.test.js))
CHOSEN_TESTS := $(if $(UNIT)$(QEMU)$(TOOLS)$(WEB),$(QEMU:%=kernel/%) $(TOOLS:%=tools/%) $(WEB:%=web/%),$(ALL_TESTS))
TEST_NEEDS := $(sort $(foreach test,$(CHOSEN_TESTS),$(NEEDS.$(test))))
test: $(foreach need,$(TEST_NEEDS),$(NEED.$(need))) | $(SETUP)
	@node tools/test/run.mjs

clean:
	rm -rf build

# `make help`: this file's header, up to its first line that is not a
# comment. It is the one list of targets and variables, one line each: a new
# target or variable is a new line there (tests/tools/make.test.js checks
# that every .PHONY target and every `?=` variable is in it).
help:
	@sed -n '/^#/!q; s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
