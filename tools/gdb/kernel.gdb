# tools/gdb/kernel.gdb: GDB set-up for the kernel. `make debug` loads it;
# by hand: gdb build/kernel.elf -x tools/gdb/kernel.gdb -ex 'target remote :1234'
#
# Kernel functions appear under their generated C names, which spell the
# AssemblyScript path: w2c_kernel_main_kmain is kmain in kernel/main.ts.

set confirm off
set pagination off
set architecture i386
set disassembly-flavor intel

# Stop where the TypeScript side starts.
break w2c_kernel_main_kmain
