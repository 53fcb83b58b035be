# tools/gdb/kernel.py: GDB support for the kernel, written with GDB's Python API.
#
#   make debug                        loads it, connected to QEMU
#   gdb build/kernel.elf -x tools/gdb/kernel.py -ex 'target remote :1234'
#
# It stops GDB at every page fault the kernel will not handle (every one,
# or none, with `pfstop all|off`), and at every failure (panic, wasm trap,
# fatal exception, failed suite) before the kernel leaves QEMU, with the
# context on screen; it shows frames by their TypeScript names (`bt`:
# `alloc (size=1) at kernel/mm/alloc.ts:169`), strings as text and the
# kernel's records field by field; it says when a breakpoint's file name is
# more than one source's; and it adds commands that
# read kernel memory and registers only, so they work at any stop, even with
# the kernel wedged:
#
#   pt ADDR   the page walk for ADDR through the mirror
#   vmmap     the mapped virtual ranges, merged into runs
#   areas     both lists of the area allocator
#   slabs     the slab allocator's size classes and their slabs
#   cr        the control registers, decoded
#   pfstop    which page faults stop GDB: fatal (the default), all, off
#
# The kernel's record layouts and constants come from the build
# (tools/build/layout.mjs writes gen/layout.json beside the image);
# tests/kernel/gdb.test.js compares what these commands print with what the
# kernel prints itself.

import json
import os
import re

import gdb
from gdb.FrameDecorator import FrameDecorator

PAGE = 4096
PTE_PRESENT, PTE_WRITABLE, PTE_USER, PTE_ACCESSED, PTE_DIRTY = 1, 2, 4, 0x20, 0x40   # SDM vol. 3, 4.3
PF_PRESENT, PF_WRITE, PF_USER, PF_RESERVED, PF_FETCH = 1, 2, 4, 8, 16                # SDM vol. 3, 4.7


class KernelLayout:
    """The layout file of the kernel GDB loaded, read at first use: K.MIRROR_INDEX,
    K.offset("InterruptFrame", "eip"), K.record("MemArea", address)."""

    def __init__(self):
        self.data = None

    def load(self):
        if self.data is None:
            image = gdb.current_progspace().filename
            if not image:
                raise gdb.GdbError("no kernel loaded: start GDB with the image, gdb build/kernel.elf -x tools/gdb/kernel.py")
            path = os.path.join(os.path.dirname(image), "gen", "layout.json")
            try:
                with open(path) as f:
                    self.data = json.load(f)
            except OSError as error:
                raise gdb.GdbError("%s: %s (make builds it with the kernel)" % (path, error.strerror))
        return self.data

    def __getattr__(self, name):
        constants = self.load()["constants"]
        if name not in constants:
            raise AttributeError(name)
        return constants[name]

    @property
    def mirror_base(self):
        """Where the page tables appear, through the mirror PDE."""
        return self.MIRROR_INDEX << 22

    @property
    def mirror_directory(self):
        """Where the directory itself appears."""
        return self.mirror_base + (self.MIRROR_INDEX << 12)

    def size(self, record):
        return self.load()["records"][record]["bytes"]

    def offset(self, record, field):
        return self.load()["records"][record]["fields"][field]["offset"]

    def record(self, name, address):
        """The record `name` at `address`, its fields by name."""
        layout = self.load()["records"][name]
        data = gdb.selected_inferior().read_memory(address, layout["bytes"]).tobytes()
        return {field: int.from_bytes(data[f["offset"]:f["offset"] + f["bytes"]], "little")
                for field, f in layout["fields"].items()}


K = KernelLayout()

gdb.execute("set confirm off")
gdb.execute("set pagination off")
gdb.execute("set disassembly-flavor intel")
# An argument as it is now; its value at the function's entry (from the
# DWARF call-site records clang writes) only when the current one is lost.
gdb.execute("set print entry-values if-needed")


# --- reading the kernel ------------------------------------------------------

def u32(addr):
    return int.from_bytes(gdb.selected_inferior().read_memory(addr, 4).tobytes(), "little")


def words(addr, count):
    data = gdb.selected_inferior().read_memory(addr, 4 * count).tobytes()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def register(name):
    """A register as the CPU holds it now (the newest frame), whichever frame is selected."""
    return int(gdb.newest_frame().read_register(name)) & 0xFFFFFFFF


def kernel_global(name):
    """An AssemblyScript global: wasm2c keeps it as a field of kernel_instance."""
    return int(gdb.parse_and_eval("kernel_instance.w2c_" + name.replace("/", "_"))) & 0xFFFFFFFF


def paging_on():
    return register("cr0") >> 31 == 1


def symbol(addr, is_return=False):
    """'file.ts:line function+0xoff' from the kernel's own symbol table (tools/build/symbols.mjs)
    and the line table of the DWARF, as the kernel's reports print it."""
    table = int(gdb.parse_and_eval("(unsigned)&kernel_symbols"))
    look = addr - 1 if is_return else addr
    low, high = 0, u32(table)
    while low < high:
        middle = (low + high) // 2
        start, end, name = words(table + 4 + 12 * middle, 3)
        if look < start:
            high = middle
        elif look >= end:
            low = middle + 1
        else:
            text = gdb.selected_inferior().read_memory(name, 96).tobytes().split(b"\0")[0].decode()
            where = "%s+0x%x" % (text, addr - start)
            line = gdb.find_pc_line(look)
            if not line.symtab or not line.line or line.symtab.filename.startswith("build/"):
                return where
            file = line.symtab.filename
            if text.startswith(file + " "):
                return "%s:%d %s+0x%x" % (file, line.line, text[len(file) + 1:], addr - start)
            return "%s, at %s:%d" % (where, file, line.line)
    return "(unknown)"


def flags_in_words(entry):
    if entry & (PTE_PRESENT | K.PTE_PARKED) == K.PTE_PARKED:
        return "not present, parked: word 0x%08x" % (entry & K.PTE_PARKED_WORD)
    if not entry & PTE_PRESENT:
        return "not present"
    words_ = ["present", "writable" if entry & PTE_WRITABLE else "read-only",
              "user" if entry & PTE_USER else "supervisor"]
    if entry & PTE_ACCESSED:
        words_.append("accessed")
    if entry & PTE_DIRTY:
        words_.append("dirty")
    return ", ".join(words_)


def fault_in_words(code):
    text = ["protection violation" if code & PF_PRESENT else "not present",
            "write" if code & PF_WRITE else "read",
            "user" if code & PF_USER else "supervisor"]
    if code & PF_RESERVED:
        text.append("reserved bit set")
    if code & PF_FETCH:
        text.append("instruction fetch")
    return ", ".join(text)


def backtrace(eip, ebp, limit=32):
    """Frame-pointer walk from a context: [ebp] is the caller's ebp, [ebp+4] the return address."""
    lines = ["  #0  0x%08x  %s" % (eip, symbol(eip))]
    while ebp and len(lines) < limit:
        try:
            ret, ebp = u32(ebp + 4), u32(ebp)
        except gdb.MemoryError:
            break
        if not ret:
            break
        lines.append("  #%-2d 0x%08x  %s" % (len(lines), ret, symbol(ret, True)))
    return "\n".join(lines)


# --- unwinding through interrupts -------------------------------------------------
#
# `bt` goes from the dispatcher through boot/interrupts.asm into the
# interrupted function by the call frame information interrupts.asm gives
# interrupt_entry: GDB's own DWARF unwinder reads the registers the CPU and
# PUSHAD saved. Its CIE marks it a signal frame, so the interrupted function
# is shown at the line of the instruction that was interrupted (its EIP),
# not at the line before as for a caller (EIP - 1, inside a call).

# --- TypeScript names for frames -----------------------------------------------------

# tools/build/lines.mjs gives the generated C TypeScript lines and parameter names;
# the functions keep wasm2c's names, which spell the source path:
# w2c_kernel_mm_alloc_alloc is alloc in kernel/mm/alloc.ts.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBRARY = "node_modules/assemblyscript/std/assembly"


def _source_prefixes():
    prefixes = []
    for top, wasm_top in (("kernel", "kernel"), ("bench", "bench"), (LIBRARY, "~lib")):
        for directory, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".ts"):
                    path = os.path.relpath(os.path.join(directory, name), ROOT)
                    wasm = wasm_top + path[len(top):-3]
                    prefixes.append(("w2c_" + re.sub(r"[^A-Za-z0-9_]", "_", wasm) + "_", path))
    return sorted(prefixes, key=lambda p: -len(p[0]))


SOURCE_PREFIXES = _source_prefixes()


def typescript_name(c_name):
    """'alloc' for w2c_kernel_mm_alloc_alloc, 'export kmain' for Z_kernelZ_kmain; other names unchanged."""
    if c_name.startswith("w2c_"):
        for prefix, _path in SOURCE_PREFIXES:
            if c_name.startswith(prefix):
                return c_name[len(prefix):]
    exported = re.match(r"^Z_kernelZ_(\w+)$", c_name)
    return "export " + exported.group(1) if exported else c_name


class TypeScriptFrame(FrameDecorator):
    """A frame shown by its TypeScript function name, without wasm2c's instance argument."""

    def function(self):
        # Frame.name() looks a caller up by its call, not by its return address.
        name = self.inferior_frame().name()
        return typescript_name(name) if name else super().function()

    def frame_args(self):
        args = super().frame_args()
        return [a for a in args if str(a.symbol()) != "instance"] if args else args

    def line(self):
        # interrupt_entry's frame is a signal frame (boot/interrupts.asm),
        # which GDB's decorator shows without a line: it has one.
        frame = self.inferior_frame()
        if frame.type() == gdb.SIGTRAMP_FRAME:
            return frame.find_sal().line or None
        return super().line()


class TypeScriptFrames:
    def __init__(self):
        self.name = "kernel TypeScript frames"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        return map(TypeScriptFrame, frames)


TypeScriptFrames()


# --- how make debug ends -----------------------------------------------------------
# tools/run/debug.mjs names a file in KERNEL_FAILURE_FILE: while the kernel is
# stopped on a failure (a page fault it will not handle, haltFailure), the
# file says which; continuing removes it. make debug's status is 1 when GDB
# quits with the file there.

FAILURE_FILE = os.environ.get("KERNEL_FAILURE_FILE")


def note_failure(what):
    if FAILURE_FILE:
        with open(FAILURE_FILE, "w") as f:
            f.write(what + "\n")


def forget_failure(event):
    if FAILURE_FILE and os.path.exists(FAILURE_FILE):
        os.remove(FAILURE_FILE)


gdb.events.cont.connect(forget_failure)

# --- printing TypeScript values --------------------------------------------------------
#
# tools/build/lines.mjs declares a parameter of type string or of a class
# with the TypeScript type's name, a typedef of u32 (the pointer it is):
# these printers show what it points to. An AssemblyScript string is UTF-16,
# its length in bytes in the object header just below the data (rtSize, at
# -4: node_modules/assemblyscript/std/assembly/rt/common.ts); a record's
# fields come from the build's layout file.

STRING_TYPES = ("string", "String")
STRING_SHOWN = 256  # characters printed at most


class StringPrinter:
    def __init__(self, value):
        self.address = int(value) & 0xFFFFFFFF

    def to_string(self):
        if not self.address:
            return "null"
        try:
            size = u32(self.address - 4)
            if size % 2 or size > 1 << 24:
                return "0x%08x <not a string: rtSize %d>" % (self.address, size)
            shown = min(size, 2 * STRING_SHOWN)
            data = gdb.selected_inferior().read_memory(self.address, shown).tobytes()
        except gdb.MemoryError:
            return "0x%08x <unreadable>" % self.address
        text = json.dumps(data.decode("utf-16-le", errors="replace"), ensure_ascii=False)
        return "0x%08x %s%s" % (self.address, text, "..." if shown < size else "")


class RecordPrinter:
    def __init__(self, name, value):
        self.name, self.address = name, int(value) & 0xFFFFFFFF

    def to_string(self):
        return "%s at 0x%08x" % (self.name, self.address) if self.address else "null"

    def children(self):
        if not self.address:
            return
        try:
            fields = K.record(self.name, self.address)
        except gdb.MemoryError:
            return
        u32_type = gdb.lookup_type("u32")
        for field, value in fields.items():
            yield field, gdb.Value(value).cast(u32_type)


def typescript_printer(value):
    name = value.type.name
    if name in STRING_TYPES:
        return StringPrinter(value)
    try:
        records = K.load()["records"]
    except gdb.GdbError:
        return None
    return RecordPrinter(name, value) if name in records else None


gdb.pretty_printers.append(typescript_printer)


# --- breakpoints on a file name that more than one source has ---------------------
#
# kernel/mm/alloc.ts and kernel/ktest/alloc.ts are both alloc.ts. For
# `break alloc.ts:LINE` GDB picks the files with code nearest at or after
# LINE, which may be only one of them, and says nothing of the others: the
# breakpoint below says which files the name matched and where it was set.

SOURCES = sorted(path for _prefix, path in SOURCE_PREFIXES)


def sources_named(name):
    """The kernel's sources a FILE of FILE:LINE matches, as GDB matches it: the path, or its last components."""
    return [path for path in SOURCES if path == name or path.endswith("/" + name)]


def note_ambiguous_file(breakpoint):
    spec = re.match(r"^\s*(?:-source\s+)?([^\s:]+\.ts):(\d+)\s*$", breakpoint.location or "")
    if not spec:
        return
    named = sources_named(spec.group(1))
    if len(named) < 2:
        return
    bound = sorted({"%s:%d" % location.source for location in breakpoint.locations if location.source})
    print("note: %s names %d files, %s; breakpoint %d is at %s. Give the path to choose one (break %s:%s)" % (
        spec.group(1), len(named), ", ".join(named), breakpoint.number, ", ".join(bound) or "no location",
        named[0], spec.group(2)))


gdb.events.breakpoint_created.connect(note_ambiguous_file)


# --- stopping at page faults ---------------------------------------------------

class PageFaultEntry(gdb.Breakpoint):
    """Arms PageFaultStop at interrupt_entry when the page fault's own stub
    (boot/interrupts.asm, interrupt_stub_14) runs; it never stops. Only a page
    fault reaches this stub, so the timer's 100 interrupts a second run no
    Python here: a Ctrl-C typed while GDB ran Python would only raise
    KeyboardInterrupt in it instead of interrupting the kernel."""

    def __init__(self):
        super().__init__("interrupt_stub_14", internal=True)
        self.silent = True

    def stop(self):
        PageFaultStop.armed.enabled = True
        return False


class PageFaultStop(gdb.Breakpoint):
    """Stops at the interrupt dispatcher when the vector is a page fault, and
    shows why; enabled by PageFaultEntry for the next interrupt_entry only."""

    armed = None

    def __init__(self):
        super().__init__("interrupt_entry", internal=True)
        self.silent = True
        self.enabled = False
        PageFaultStop.armed = self

    def stop(self):
        self.enabled = False
        frame = register("eax")
        f = K.record("InterruptFrame", frame)
        if f["vector"] != K.VECTOR_PAGE_FAULT:
            return False
        cr2, code = register("cr2"), f["errorCode"]
        if f["cs"] & 3 == 3:
            # A fault in ring 3 ends the program there, not the kernel (kernel/proc/user.ts).
            if PageFaultPolicy.stops(True):
                print("page fault in ring 3 at 0x%08x (cr2): %s, eip 0x%08x: the kernel ends the program" % (cr2, fault_in_words(code), f["eip"]))
                return True
            return False
        lazy = handled_fault_area(cr2, code)
        if not PageFaultPolicy.stops(lazy is not None):
            return False
        eip, ebp = f["eip"], f["ebp"]
        print("page fault at 0x%08x (cr2): %s (error code 0x%x)" % (cr2, fault_in_words(code), code))
        if lazy is None:
            note_failure("the kernel stopped at a page fault at 0x%08x that it will not handle" % cr2)
        if lazy is not None:
            print("  the kernel will handle it: the first touch of lazy area 0x%08x+%d (%d backed);"
                  " continue backs the page and retries" % lazy)
        print("  eip 0x%08x in %s" % (eip, symbol(eip)))
        print("  cr3 0x%08x" % register("cr3"))
        print("backtrace from the fault:")
        print(backtrace(eip, ebp))
        print("(pt 0x%x walks the address; bt and frame N work through the fault)" % cr2)
        return True


PageFaultStop()
PageFaultEntry()


# --- stopping at failures ------------------------------------------------------------

FAILURE_HALT = "haltFailure"   # kernel/core/halt.ts, kept out of line (tools/build/noinline.mjs)


class FailureStop(gdb.Breakpoint):
    """Stops in haltFailure (kernel/core/halt.ts) before it tells QEMU to exit,
    so that the machine stays up to be examined: the report is on the serial
    port, the stack is intact, and `continue` lets the kernel leave."""

    def __init__(self):
        super().__init__(FAILURE_HALT, internal=True)
        self.silent = True

    def stop(self):
        print("kernel stopped on a failure (its report is on the serial port); QEMU stays up until you continue")
        note_failure("the kernel stopped on a failure (its report is on the serial port)")
        print("backtrace from the failure:")
        gdb.execute("backtrace")
        return True


FailureStop()


# --- commands --------------------------------------------------------------------

class PageTable(gdb.Command):
    """pt ADDR: walk the page tables for ADDR through the mirror.

Reads the PDE at 0xFFFFF000 + (ADDR >> 22) * 4 and, when present, the PTE at
0xFFC00000 + (ADDR >> 12) * 4, with their flags; then the physical address,
or where the walk stops."""

    def __init__(self):
        super().__init__("pt", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        if not argument:
            raise gdb.GdbError("usage: pt ADDR")
        try:
            addr = int(gdb.parse_and_eval(argument)) & 0xFFFFFFFF
        except (gdb.error, ValueError) as error:
            raise gdb.GdbError("pt: not an address: %s (%s)" % (argument.strip(), error))
        if not paging_on():
            print("paging is off (CR0.PG clear): 0x%08x is a physical address" % addr)
            return
        pde_at = K.mirror_directory + (addr >> 22) * 4
        pde = u32(pde_at)
        print("0x%08x: PDE %d, PTE %d, offset 0x%03x" % (addr, addr >> 22, (addr >> 12) & 1023, addr & 0xFFF))
        print("  pde 0x%08x at 0x%08x (%s)" % (pde, pde_at, flags_in_words(pde)))
        if not pde & PTE_PRESENT:
            print("  the walk stops at the PDE: 0x%08x is not mapped" % addr)
            return
        pte_at = K.mirror_base + (addr >> 12) * 4
        pte = u32(pte_at)
        print("  pte 0x%08x at 0x%08x (%s)" % (pte, pte_at, flags_in_words(pte)))
        if not pte & PTE_PRESENT:
            print("  the walk stops at the PTE: 0x%08x is not mapped" % addr)
            lazy = lazy_area_of_entry(pte)
            if lazy is not None:
                print("  parked for lazy area 0x%08x+%d (%d backed): its first touch backs it" % lazy)
            return
        print("  physical 0x%08x" % ((pte & ~0xFFF) | (addr & 0xFFF)))


class VirtualMap(gdb.Command):
    """vmmap: the mapped virtual ranges, merged into runs.

Walks every present PDE and its page table through the mirror. The flags
are what the CPU allows, the stricter of PDE and PTE: r/w and u(ser) or
s(upervisor). A run is consecutive pages with the same flags, mapped to
consecutive physical pages, or within one used area (areas) whatever their
frames: its physical column is then "scattered" (a lazy area's pages are
backed one by one as they are first touched). The mirror window shows last:
the page tables, then the directory itself."""

    def __init__(self):
        super().__init__("vmmap", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        no_argument("vmmap", argument)
        if not paging_on():
            print("paging is off (CR0.PG clear)")
            return
        # A run: [start, end, flags, first physical page, physically consecutive].
        # Pages of one used area make one run whatever their frames: a lazy
        # area's pages get theirs one by one, as they are first touched. So
        # do the page tables in the mirror, each in the frame it was given.
        areas = used_areas() + [(K.mirror_base, K.mirror_directory)]
        area_of = lambda va: next((a for a in areas if a[0] <= va < a[1]), None)
        runs = []
        directory = words(K.mirror_directory, 1024)
        for i, pde in enumerate(directory):
            if not pde & PTE_PRESENT:
                continue
            for j, pte in enumerate(words(K.mirror_base + i * PAGE, 1024)):
                if not pte & PTE_PRESENT:
                    continue
                # What the CPU allows: the stricter of the PDE and the PTE (SDM vol. 3, 4.6).
                flags = pde & pte & (PTE_WRITABLE | PTE_USER)
                va, pa = (i << 22) | (j << 12), pte & ~0xFFF
                last = runs[-1] if runs else None
                # The directory's own page starts a run of its own: it is not a page table.
                consecutive = last and last[3] + (last[1] - last[0]) == pa
                if (last and last[1] == va and last[2] == flags and va != K.mirror_directory
                        and (consecutive or area_of(va) is not None and area_of(va) == area_of(last[0]))):
                    last[4] = last[4] and consecutive
                    last[1] = va + PAGE
                else:
                    runs.append([va, va + PAGE, flags, pa, True])
        print("  %-23s  %-10s  %-5s  %s" % ("virtual", "physical", "flags", "pages"))
        for start, end, flags, pa, consecutive in runs:
            what = "rw" if flags & PTE_WRITABLE else "r-"
            what += "u" if flags & PTE_USER else "s"
            note = ""
            if start == K.mirror_directory:
                note = "  (mirror: the page directory)"
            elif start >= K.mirror_base:
                note = "  (mirror: page tables)"
            elif K.DIRECTORY_VIEWS <= start < K.DIRECTORY_VIEWS + (1 << 22):
                note = "  (page directories)"
            physical = "0x%08x" % pa if consecutive else "scattered"
            print("  0x%08x-0x%08x  %-10s  %-5s  %d%s" % (start, end - 1, physical, what, (end - start) // PAGE, note))


class Areas(gdb.Command):
    """areas: the area allocator's used and free lists (kernel/mm/area.ts).

Reads the list heads and counters from kernel_instance and walks the
MemArea records: start, pages, next, prev, slab (a slab's header, or 0), lower,
upper, bin, kind and flags; a lazy area's backed pages are counted from its
page-table entries. A used area shows its kind (plain, slab, lazy) and how
many of its pages are backed: a lazy area's grow as they are first touched."""

    def __init__(self):
        super().__init__("areas", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        no_argument("areas", argument)
        g = lambda name: kernel_global("kernel/mm/area/" + name)
        base, top = g("areaBase"), g("areaTop")
        plural = lambda n: "%d page%s" % (n, "" if n == 1 else "s")
        print("areas: range 0x%08x-0x%08x, %d used (%s), %d free (%s)" % (
            base, top - 1, g("usedAreas"), plural(g("usedPages")), g("freeAreas"), plural(g("freePages"))))
        # The used list by next; the free areas in address order (upper, bin != 0).
        for name, head, free in (("used", g("usedHead"), False), ("free", g("lowest"), True)):
            print("  %s:" % name)
            record, seen = head, 0
            while record and seen < 4096:
                a = K.record("MemArea", record)
                start, pages, kind = a["start"], a["pages"], a["kind"]
                record = a["upper"] if free else a["next"]
                if free and not a["bin"]:
                    continue
                what = ""
                if not free:
                    backed = backed_pages(start, pages) if kind == K.AREA_LAZY else pages
                    what = "  (%s%s, %d backed)" % (area_kinds().get(kind, "kind %d" % kind),
                                                    " read-only" if a["flags"] & K.AREA_READ_ONLY else "", backed)
                print("    0x%08x-0x%08x  %d %s%s" % (start, start + pages * PAGE - 1, pages,
                                                     "page" if pages == 1 else "pages", what))
                seen += 1


def slab_class_argument(argument, classes):
    """The class `slabs N` names (N, or `records` for the record cache), None for none; refused before anything prints."""
    word = argument.strip()
    if not word:
        return None
    if word == "records":
        return classes
    try:
        i = int(word, 0)
    except ValueError:
        raise gdb.GdbError("slabs: not a number (decimal or 0x hex): %s" % word)
    if not 0 <= i <= classes:
        raise gdb.GdbError("slabs: no class %d (0-%d)" % (i, classes))   # as the monitor says it
    return i


def no_argument(command, argument):
    if argument.strip():
        raise gdb.GdbError("%s takes no argument (got %s)" % (command, argument.strip()))


class Slabs(gdb.Command):
    """slabs: the slab allocator's size classes (kernel/mm/alloc.ts, slab.ts).

One row per class and for the record cache: block size, blocks in use and
free, slabs, empty slabs, pages. With an argument N, also lists the slabs of
class N (0 to 9), or of the record cache (10 or `records`), partial and
full, with their use."""

    def __init__(self):
        super().__init__("slabs", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        table = kernel_global("kernel/mm/alloc/SLAB_CLASSES")
        records = kernel_global("kernel/mm/area/RECORD_CACHE")
        classes = K.CLASS_COUNT
        chosen = slab_class_argument(argument, classes)
        desc_at = lambda i: records if i == classes else table + i * K.size("SlabDesc")
        if not table:
            print("slabs: the slab allocator is not set up yet")
            return
        print("slab classes:")
        print("  class     size  in use    free   slabs   empty   pages")
        for i in range(classes + 1):
            # Counted from the lists, as SlabDesc's getters do: the full list has no free block.
            d = K.record("SlabDesc", desc_at(i))
            size, pages, cap, slabs = d["size"], d["slabPages"], d["capacity"], d["slabs"]
            free, empty, slab = 0, 0, d["partial"]
            while slab:
                e = K.record("SlabEntry", slab)
                free, empty, slab = free + cap - e["inUse"], empty + (e["inUse"] == 0), e["next"]
            in_use = slabs * cap - free
            name = "records" if i == classes else str(i)
            print("  %7s %8d %7d %7d %7d %7d %7d" % (name, size, in_use, free, slabs, empty, slabs * pages))
        if chosen is not None:
            i = chosen
            d = K.record("SlabDesc", desc_at(i))
            for name in ("partial", "full"):
                print("  class %d %s slabs:" % (i, name))
                slab = d[name]
                while slab:
                    e = K.record("SlabEntry", slab)
                    print("    0x%08x  %d of %d in use, first free 0x%08x" % (slab, e["inUse"], d["capacity"], e["freeEl"]))
                    slab = e["next"]


CR0_BITS = [(0, "PE"), (1, "MP"), (2, "EM"), (3, "TS"), (4, "ET"), (5, "NE"), (16, "WP"), (18, "AM"),
            (29, "NW"), (30, "CD"), (31, "PG")]
CR4_BITS = [(0, "VME"), (1, "PVI"), (2, "TSD"), (3, "DE"), (4, "PSE"), (5, "PAE"), (6, "MCE"), (7, "PGE"),
            (8, "PCE"), (9, "OSFXSR"), (10, "OSXMMEXCPT")]


class ControlRegisters(gdb.Command):
    """cr: CR0, CR2, CR3 and CR4, decoded (Intel SDM vol. 3, 2.5)."""

    def __init__(self):
        super().__init__("cr", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        no_argument("cr", argument)
        named = lambda value, bits: " ".join(n for b, n in bits if value >> b & 1) or "-"
        cr0, cr2, cr3, cr4 = (register(r) for r in ("cr0", "cr2", "cr3", "cr4"))
        print("cr0 0x%08x  %s" % (cr0, named(cr0, CR0_BITS)))
        print("cr2 0x%08x  last page fault address" % cr2)
        print("cr3 0x%08x  page directory at 0x%08x%s%s" % (cr3, cr3 & ~0xFFF, " PWT" if cr3 & 8 else "",
                                                          " PCD" if cr3 & 16 else ""))
        print("cr4 0x%08x  %s" % (cr4, named(cr4, CR4_BITS)))


# --- demand paging: which page faults stop GDB ------------------------------------
#
# kernel/mm/fault.ts handles a page fault that is the first touch of a lazy
# area's page: its PTE is "not present, PTE_PARKED, the area's record"
# (kernel/mm/pages.ts, parked entries). The rule below is the
# kernel's, read from memory at the stop, before the handler runs.

def area_kinds():
    return {K.AREA_PLAIN: "plain", K.AREA_SLAB: "slab", K.AREA_LAZY: "lazy"}


def used_areas():
    """[(start, end)] of the area allocator's used areas (kernel/mm/area.ts), none before it is set up."""
    areas, record = [], kernel_global_or("kernel/mm/area/usedHead", 0)
    while record and len(areas) < 4096:
        a = K.record("MemArea", record)
        areas.append((a["start"], a["start"] + a["pages"] * PAGE))
        record = a["next"]
    return areas


def backed_pages(start, pages):
    """Pages of [start, start + pages * PAGE) with a present PTE (area.ts areaBackedPages)."""
    n, va, end = 0, start, start + pages * PAGE
    while va < end:
        table = va >> 22
        run = min(end, (table + 1) << 22) - va
        if u32(K.mirror_directory + table * 4) & PTE_PRESENT:
            n += sum(pte & PTE_PRESENT for pte in words(K.mirror_base + (va >> 12) * 4, run // PAGE))
        va += run
    return n


def lazy_area_of_entry(pte):
    """(start, pages, backed) of the lazy area a parked PTE names, or None."""
    if pte & (PTE_PRESENT | K.PTE_PARKED) != K.PTE_PARKED:
        return None
    try:
        a = K.record("MemArea", pte & K.PTE_PARKED_WORD)
    except gdb.MemoryError:
        return None
    if a["kind"] != K.AREA_LAZY:
        return None
    return (a["start"], a["pages"], backed_pages(a["start"], a["pages"]))


def kernel_global_or(name, default):
    try:
        return kernel_global(name)
    except gdb.error:
        return default


def handled_fault_area(cr2, code):
    """(start, pages, backed) of the lazy area when the kernel will handle this fault, else None."""
    if code & K.PF_FATAL_BITS or cr2 >> 22 == K.MIRROR_INDEX:
        return None
    if kernel_global_or("kernel/mm/fault/handling", 0) or kernel_global_or("kernel/core/context/depth", 0):
        return None
    if not u32(K.mirror_directory + (cr2 >> 22) * 4) & PTE_PRESENT:
        return None
    return lazy_area_of_entry(u32(K.mirror_base + (cr2 >> 12) * 4))


class PageFaultPolicy(gdb.Command):
    """pfstop fatal|all|off: which page faults stop GDB.

fatal (the default): only the faults the kernel will report, and stop on.
all: every page fault; one the kernel will handle (the first touch of a
     lazy area's page, kernel/mm/fault.ts) says so, and in which area.
off: none.
With no argument, shows the current setting; with the kernel running, also
how many page faults it has handled so far."""

    mode = "fatal"

    def __init__(self):
        super().__init__("pfstop", gdb.COMMAND_BREAKPOINTS)

    @classmethod
    def stops(cls, handled):
        return cls.mode == "all" or (cls.mode == "fatal" and not handled)

    def invoke(self, argument, from_tty):
        word = argument.strip()
        if word:
            if word not in ("fatal", "all", "off"):
                raise gdb.GdbError("usage: pfstop fatal|all|off")
            PageFaultPolicy.mode = word
        print("pfstop: %s" % {"fatal": "stopping at page faults the kernel will not handle",
                               "all": "stopping at every page fault, handled ones too",
                               "off": "not stopping at page faults"}[PageFaultPolicy.mode])
        handled = kernel_global_or("kernel/mm/fault/handled", None)
        if handled is not None:
            print("  page faults handled so far: %d" % handled)


for command in (PageTable, VirtualMap, Areas, Slabs, ControlRegisters, PageFaultPolicy):
    command()
print("kernel.py: stops at page faults the kernel will not handle (pfstop) and at failures; TypeScript frames; "
      "commands pt, vmmap, areas, slabs, cr, pfstop (see 'help pt' ...)")
