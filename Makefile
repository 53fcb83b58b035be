# The kernel's build: AssemblyScript -> wasm -> C -> i386 ELF, and the daily commands.
#
#   make / make all     build build/kernel.elf
#   make run            boot it in QEMU, serial on this terminal (CMDLINE=, QEMU_ARGS=)
#   make test           host unit tests (as-pect), the kernel under QEMU, the tools, the web; UNIT=, QEMU=, TOOLS=, WEB=
#   make web            build the web page into build/web/ and serve it on 127.0.0.1
#   make web-site       build build/web/ only
#   make debug          QEMU halted with its GDB stub, and GDB attached with symbols
#   make bench          guest-instruction benchmarks under -icount (bench/README.md)
#   make iso            build/kernel.iso: GRUB 2 boot image for a PC's BIOS, CD or USB stick
#   make setup          install whatever is missing (Debian packages, node_modules)
#   make test-fixtures  the misbehaving tiny kernels the QEMU runner's own tests boot
#   make debug-kernel   build/debug/kernel.elf, which make test boots for the allocator suites
#   make bench-kernel   build/bench/kernel.elf, the benchmark image (make bench, make test)
#   make clean          remove build/
#   make help           this list
#   CMDLINE=WORDS       kernel command line for run and debug, e.g. CMDLINE="test=paging"
#   QEMU_ARGS=ARGS      extra QEMU arguments after the defaults (run, debug, test), e.g. "-m 8M"
#   UNIT=NAME           make test runs only tests/unit/NAME.spec.ts (alone: no QEMU tests)
#   QEMU=NAME           make test runs only tests/kernel/NAME.test.js (alone: no unit tests)
#   TOOLS=NAME          make test runs only tests/tools/NAME.test.js (alone: no other tests)
#   WEB=NAME            make test runs only tests/web/NAME.test.js (alone: no other tests)
#   DEBUG=1             any of the above with a debug kernel (poisoned free blocks) in build/debug/
#   BENCH=1             build the benchmark image (bench/kernel/main.ts) in build/bench/ instead
#
#   RUN_TIMEOUT=60  `make run` without a terminal on standard input stops the
#                   machine after this many seconds and fails (0: no limit)
#
# `run`, `test` and `debug` first run tools/setup.sh, which installs whatever
# is missing (Debian packages, node_modules).

DEBUG      ?=
# BENCH=1 (make bench sets it) builds the benchmark image instead: the same
# kernel with bench/kernel/main.ts as its entry and bench/peer.c linked in.
BENCH      ?=
BUILD      := build$(if $(BENCH),/bench,$(if $(DEBUG),/debug))
KERNEL     := $(BUILD)/kernel.elf
ENTRY      := $(if $(BENCH),bench/kernel/main.ts,kernel/main.ts)
# The heap check (tools/check/heap.mjs) proves the kernel's own paths never
# reach AssemblyScript's heap; the benchmark image measures TLSF on purpose.
CHECK_HEAP_TRANSFORM := $(if $(BENCH),,--transform ./tools/check/heap.mjs)
CHECK_HEAP := $(if $(BENCH),true,node tools/check/heap.mjs)
ASCFLAGS   := $(if $(DEBUG),--use KERNEL_DEBUG=1)
CMDLINE    ?=
QEMU_ARGS  ?=
export CMDLINE QEMU_ARGS KERNEL

# `make run` with standard input not a terminal: seconds until the machine is
# stopped (tools/run/run.mjs). An interactive run has no limit.
RUN_TIMEOUT ?= 60
export RUN_TIMEOUT

ASC        := node_modules/.bin/asc
WASM2C     := wasm2c
CC         := clang
LD         := ld.lld
NASM       := nasm

# Every AssemblyScript source the kernel is built from.
KERNEL_TS  := $(shell find kernel bench -name '*.ts')
BOOT_C     := $(wildcard boot/*.c)
BENCH_C    := $(if $(BENCH),$(wildcard bench/*.c))
BOOT_ASM   := $(wildcard boot/*.asm)
OBJS       := $(BOOT_ASM:boot/%.asm=$(BUILD)/obj/%.asm.o) \
              $(BOOT_C:boot/%.c=$(BUILD)/obj/%.o) \
              $(BENCH_C:bench/%.c=$(BUILD)/obj/bench-%.o) \
              $(BUILD)/obj/kernel.o

# Freestanding i386. The wasm2c runtime switches: no bounds checks on loads
# and stores (MEMCHECK_SIGNAL_HANDLER without any signal handler: the kernel's
# memory is the whole address space) and no call-depth counter. Frame
# pointers stay and calls in tail position stay calls, so every frame shows
# in a backtrace; null is a valid address (wasm address 0). -O1: the
# generated C is binaryen's -O3 output already; -O2 on top of it costs a
# second of every build and gains about 2% on areas, nothing on the slab
# pair, and is 3 instructions slower on map+unmap (bench/README.md).
CFLAGS     := --target=i386-unknown-none-elf -march=i686 -O1 -g \
              -ffreestanding -nostdinc -isystem $(shell $(CC) -print-resource-dir 2>/dev/null)/include \
              -Iboot/include -I$(BUILD)/gen \
              -fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-delete-null-pointer-checks \
              -fno-stack-protector -fno-pic -fno-asynchronous-unwind-tables \
              -mno-sse -mno-sse2 -mno-mmx \
              -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1 -DWASM_RT_SKIP_SIGNAL_RECOVERY=1 \
              -DWASM_RT_USE_STACK_DEPTH_COUNT=0 \
              -Wall -Wno-unused-function -Wno-unused-variable -Wno-unused-but-set-variable
LDFLAGS    := -m elf_i386 -nostdlib -T linker/kernel.ld

.PHONY: all run test debug bench clean setup help iso
.DELETE_ON_ERROR:

all: $(KERNEL)

setup:
	@tools/setup.sh

# AssemblyScript -> wasm. asconfig.json holds the options (memoryBase, names,
# abort); the transform is given here because asc resolves a transform path
# in asconfig.json as a package name.
$(BUILD)/kernel.wasm $(BUILD)/kernel.wasm.map $(BUILD)/kernel.wat &: $(KERNEL_TS) asconfig.json tools/build/noinline.mjs tools/check/heap.mjs package-lock.json | setup
	@mkdir -p $(@D)
	$(ASC) $(ENTRY) --config asconfig.json --target kernel --transform ./tools/build/noinline.mjs \
	    $(CHECK_HEAP_TRANSFORM) --outFile $(BUILD)/kernel.wasm --textFile $(BUILD)/kernel.wat --sourceMap $(ASCFLAGS)

# TypeScript lines: markers for source locations in the optimized wasm, which
# wasm2c carries into the C and tools/build/lines.mjs then turns into #line
# directives (see there). The compiled code does not change. Beside it, the
# heap check of the final module (tools/check/heap.mjs), on the text asc
# printed of it; either failing fails the step.
$(BUILD)/kernel.lines.wasm $(BUILD)/gen/lines.json &: $(BUILD)/kernel.wasm $(BUILD)/kernel.wasm.map $(BUILD)/kernel.wat tools/build/lines.mjs tools/lib/wasm.mjs tools/check/heap.mjs
	@mkdir -p $(BUILD)/gen
	$(CHECK_HEAP) $(BUILD)/kernel.wat & \
	node tools/build/lines.mjs wasm $< $<.map $(BUILD)/kernel.lines.wasm $(BUILD)/gen/lines.json; marked=$$?; wait $$! && exit $$marked

# wasm -> C, rewritten for the flat kernel memory and the out-of-line
# functions (see tools/build/wasm2c-rewrite.mjs).
$(BUILD)/gen/kernel.c $(BUILD)/gen/kernel.h &: $(BUILD)/kernel.lines.wasm $(BUILD)/gen/lines.json tools/build/wasm2c-rewrite.mjs tools/build/noinline.mjs
	@mkdir -p $(@D)
	$(WASM2C) $< -n kernel -o $(BUILD)/gen/kernel.c
	node tools/build/wasm2c-rewrite.mjs $(BUILD)/gen/kernel.c
	node tools/build/lines.mjs c $(BUILD)/gen/kernel.c $(BUILD)/gen/lines.json
	cp /usr/include/wasm-rt.h $(BUILD)/gen/wasm-rt.h

# The generated C is one translation unit with the CPU primitives inline
# (boot/cpu.h) and the one instance's globals at fixed addresses
# (tools/build/wasm2c-rewrite.mjs): it compiles straight to the native object,
# with no link-time optimisation. The check of the preprocessed C runs
# beside the compilation (the machine has two cores); either failing fails
# the step.
$(BUILD)/obj/kernel.o: $(BUILD)/gen/kernel.c $(BUILD)/gen/kernel.h boot/cpu.h boot/kernel_instance.h tools/check/wasm2c.mjs Makefile
	@mkdir -p $(@D)
	{ $(CC) $(CFLAGS) -Iboot -E $< -o $(BUILD)/gen/kernel.i && node tools/check/wasm2c.mjs $(BUILD)/gen/kernel.i; } & \
	$(CC) $(CFLAGS) -Iboot -c $< -o $@; compiled=$$?; wait $$! && exit $$compiled

# The C files that include the generated header are rebuilt when its content
# changes, not each time wasm2c rewrites it (an edit to a function body
# leaves it as it was): the stamp is touched only then.
$(BUILD)/gen/kernel-h.stamp: $(BUILD)/gen/kernel.h
	@cmp -s $< $@.h || { cp $< $@.h && touch $@; }

$(BUILD)/obj/%.o: boot/%.c $(wildcard boot/*.h boot/include/*.h) $(BUILD)/gen/kernel-h.stamp Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# The benchmark's C peer (bench/peer.c): the same flags as the kernel.
$(BUILD)/obj/bench-%.o: bench/%.c boot/kernel_instance.h $(BUILD)/gen/kernel-h.stamp Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iboot -c $< -o $@

$(BUILD)/obj/%.asm.o: boot/%.asm
	@mkdir -p $(@D)
	$(NASM) -f elf32 -g -F dwarf $< -o $@

# Two link passes: pass 1 with an empty symbol table, whose code symbols
# become the table linked into pass 2 (see tools/build/symbols.mjs); both link the
# same native objects. Then prove no code moved, and that the AssemblyScript
# data lies inside its region.
LINK_OBJS  := $(OBJS)
$(BUILD)/gen/ksyms-empty.asm: tools/build/symbols.mjs
	@mkdir -p $(@D)
	node tools/build/symbols.mjs --empty $@
$(BUILD)/kernel.pass1.elf: $(OBJS) $(BUILD)/obj/ksyms-empty.o linker/kernel.ld
	$(LD) $(LDFLAGS) $(OBJS) $(BUILD)/obj/ksyms-empty.o -o $@
$(BUILD)/gen/ksyms.asm $(BUILD)/gen/aliases.ld &: $(BUILD)/kernel.pass1.elf $(BUILD)/kernel.wasm tools/build/symbols.mjs tools/lib/elf.mjs tools/lib/wasm.mjs tools/lib/dwarf-lines.mjs
	node tools/build/symbols.mjs $(BUILD)/kernel.pass1.elf $(BUILD)/kernel.wasm $(BUILD)/gen/ksyms.asm $(BUILD)/gen/aliases.ld
$(BUILD)/obj/%.o: $(BUILD)/gen/%.asm
	$(NASM) -f elf32 $< -o $@
$(KERNEL): $(LINK_OBJS) $(BUILD)/obj/ksyms.o $(BUILD)/gen/aliases.ld linker/kernel.ld tools/check/layout.mjs
	$(LD) $(LDFLAGS) $(LINK_OBJS) $(BUILD)/obj/ksyms.o $(BUILD)/gen/aliases.ld -o $@
	node tools/build/symbols.mjs --verify $(BUILD)/kernel.pass1.elf $@ & \
	node tools/check/layout.mjs $@ $(BUILD)/kernel.wasm asconfig.json; laid=$$?; wait $$! && exit $$laid

run: setup
	@$(MAKE) --no-print-directory $(KERNEL)
	@node tools/run/run.mjs $(KERNEL)

debug: setup
	@$(MAKE) --no-print-directory $(KERNEL)
	@node tools/run/debug.mjs $(KERNEL)

bench: setup
	@echo "bench: building build/bench/kernel.elf"
	@$(MAKE) --no-print-directory BENCH=1 build/bench/kernel.elf
	@node bench/run.mjs build/bench/kernel.elf

test: setup
	$(if $(TEST_NEEDS),@$(MAKE) --no-print-directory $(TEST_NEEDS))
	@node tools/test/run.mjs

# Test selection (tools/test/run.mjs reads UNIT, QEMU, TOOLS and WEB): one name
# each, any of them; none runs everything. UNIT alone needs no kernel, so
# none is built for it.
UNIT       ?=
QEMU       ?=
TOOLS      ?=
WEB        ?=
export UNIT QEMU TOOLS WEB
TEST_NEEDS  = $(if $(UNIT),$(if $(QEMU)$(TOOLS)$(WEB),$(TEST_KERNELS)),$(TEST_KERNELS))
TEST_KERNELS = $(KERNEL) test-fixtures $(ISO) debug-kernel bench-kernel web-site

# The DEBUG=1 kernel (freed blocks poisoned), which tests/kernel/debug.test.js
# boots for the allocator suite whatever DEBUG the tests run with.
.PHONY: debug-kernel
debug-kernel:
	@$(MAKE) --no-print-directory DEBUG=1 build/debug/kernel.elf

# The benchmark image, which tests/tools/bench.test.js boots.
.PHONY: bench-kernel
bench-kernel:
	@$(MAKE) --no-print-directory BENCH=1 build/bench/kernel.elf

# Tiny kernels that misbehave on purpose, for the host runner's own tests.
FIXTURES := $(patsubst tests/tools/fixtures/%.asm,build/fixtures/%.elf,$(wildcard tests/tools/fixtures/*.asm))
.PHONY: test-fixtures
test-fixtures: $(FIXTURES)
build/fixtures/%.elf: tests/tools/fixtures/%.asm tests/tools/fixtures/header.inc
	@mkdir -p $(@D)
	$(NASM) -f elf32 -i tests/tools/fixtures/ $< -o $(@:.elf=.o)
	$(LD) -m elf_i386 -nostdlib -Ttext=0x100000 -e _start $(@:.elf=.o) -o $@

clean:
	rm -rf build

# `make help`: this file's header, up to its first line that is not a
# comment. It is the one list of targets and variables, one line each: a new
# target or variable is a new line there (tests/tools/make.test.js checks
# that every .PHONY target and every `?=` variable is in it).
help:
	@sed -n '/^#/!q; s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

# `make iso`: a GRUB 2 image that boots the kernel on a PC's BIOS from a CD
# or a USB stick (grub-mkrescue makes the ISO hybrid: El Torito and an MBR).
# Only GRUB's i386-pc platform and the modules the menu uses go in, which
# keeps it small (about 2 MiB) and quick to make. boot/grub/grub.cfg is the
# menu; tests/kernel/iso.test.js boots it.
ISO        := $(BUILD)/kernel.iso
GRUB_MODULES := multiboot normal serial terminal boot
iso: setup
	@$(MAKE) --no-print-directory $(ISO)
$(ISO): $(KERNEL) boot/grub/grub.cfg
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	cp boot/grub/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue --directory=/usr/lib/grub/i386-pc --install-modules="$(GRUB_MODULES)" \
	    --fonts= --locales= --themes= --output=$@ $(BUILD)/iso 2>$(BUILD)/iso.log \
	    || { cat $(BUILD)/iso.log >&2; exit 1; }

# The kernel in a web page (web/, tools/build/web-site.mjs, tools/run/web.mjs): `make web-site` puts the
# page, v86, SeaBIOS, the kernel and kernel-symbols.json in build/web/ (make
# test uses it); `make web` builds it and serves it on a free port of
# 127.0.0.1. WEB_SITE tells tests/web where the site is.
WEB_SITE := $(BUILD)/web
export WEB_SITE
.PHONY: web web-site
web: setup
	@$(MAKE) --no-print-directory web-site
	@node tools/run/web.mjs $(WEB_SITE)
web-site: $(KERNEL) $(WEB_SITE)/kernel-symbols.json
	@node tools/build/web-site.mjs $(KERNEL) $(WEB_SITE)
$(WEB_SITE)/kernel-symbols.json: $(KERNEL) tools/build/web-symbols.mjs tools/lib/elf.mjs
	@mkdir -p $(@D)
	node tools/build/web-symbols.mjs $(KERNEL) $@
